"""Every file-level problem of the loader, as the user reads it, in Japanese and English."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from phasekpi.catalogue import default_catalogue
from phasekpi.ingest import load_file
from phasekpi.messages import problem_text
from phasekpi.schema import open_store


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("calls.csv", "occurred_at,rep\n2025-04-01,A\n")
    return buffer.getvalue()


def empty_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


CASES = [  # (file name, content, Japanese message, English message)
    ("calls.csv", b"",
     "calls.csv は空のファイルです。CRMからもう一度出力してください。",
     "calls.csv is empty. Export it from your CRM again."),
    ("calls.csv", "\ufeff\r\n \r\n".encode(),
     "calls.csv は空のファイルです。CRMからもう一度出力してください。",
     "calls.csv is empty. Export it from your CRM again."),
    ("sheet.xlsx", empty_workbook(),
     "sheet.xlsx は空のファイルです。CRMからもう一度出力してください。",
     "sheet.xlsx is empty. Export it from your CRM again."),
    ("calls.csv", "日付,任命先,件名\r\n".encode("cp932"),
     "calls.csv には見出し行しかなく、データ行がありません。期間や条件を見直して出力してください。",
     "calls.csv has a header but no rows. Check the period or filters of the export."),
    ("export.csv", zip_bytes(),
     "export.csv はCSV(表形式のテキスト)ではなくZIPファイルのようです。CRMからCSVまたはExcel(.xlsx)形式で出力したファイルを選んでください。",
     "export.csv looks like a ZIP file, not a CSV (a table as text). Choose a file exported from your CRM as CSV or Excel (.xlsx)."),
    ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
     "report.csv はCSV(表形式のテキスト)ではなくPDFファイルのようです。CRMからCSVまたはExcel(.xlsx)形式で出力したファイルを選んでください。",
     "report.csv looks like a PDF file, not a CSV (a table as text). Choose a file exported from your CRM as CSV or Excel (.xlsx)."),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     "photo.csv はCSV(表形式のテキスト)ではなくPNGファイルのようです。CRMからCSVまたはExcel(.xlsx)形式で出力したファイルを選んでください。",
     "photo.csv looks like a PNG file, not a CSV (a table as text). Choose a file exported from your CRM as CSV or Excel (.xlsx)."),
    ("data.csv", bytes(range(256)) * 4,
     "data.csv はCSV(表形式のテキスト)ではなくバイナリファイルのようです。CRMからCSVまたはExcel(.xlsx)形式で出力したファイルを選んでください。",
     "data.csv looks like a binary file, not a CSV (a table as text). Choose a file exported from your CRM as CSV or Excel (.xlsx)."),
    ("mixed.csv", "日付,任命先\n".encode("cp932") + "2025-04-01,髙橋\n".encode() + "2025-04-02,佐藤\n".encode("cp932"),
     "mixed.csv の文字コードを判別できません(UTF-8でもShift_JIS(CP932)でもありません)。CSV UTF-8形式で保存し直してください。",
     "Cannot tell the character encoding of mixed.csv (it is neither UTF-8 nor Shift_JIS/CP932). Save it again as CSV UTF-8."),
    ("products.csv", b"product,series,sales_price\nGTX Basic,GTX,550\n",
     "products.csv は商品の出力のようです。このアプリが読むのは活動・リード・商談のデータなので、読み込みませんでした。"
     "本当に活動・リード・商談のデータなら、列の対応付けで種類を選んでください。",
     "products.csv looks like an export of products. The app reads activities, leads and opportunities, so it was not "
     "loaded. If it really is one of those, choose its kind in the column mapping."),
    ("colours.csv", b"name,colour,size\nshirt,blue,M\n",
     "colours.csv が活動・リード・商談のどのデータか判定できません(列: name, colour, size)。"
     "CRMの活動履歴・リード・商談のいずれかを出力したファイルか確認してください。",
     "Cannot tell whether colours.csv holds activities, leads or opportunities (columns: name, colour, size). "
     "Check that it is an activity, lead or opportunity export."),
    ("leads.csv", "リードID,リードソース,リード状況\nL1,Web,MQL\n".encode(),
     "leads.csv(リード)に必須の項目がありません: created_at。列の対応付けで選んでください。",
     "leads.csv (Leads) lacks required fields: created_at. Choose them in the column mapping."),
]


@pytest.mark.parametrize(("name", "content", "ja", "en"), CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)])
def test_file_problem_message(tmp_path: Path, name: str, content: bytes, ja: str, en: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    store = open_store(default_catalogue())
    report = load_file(store, path, name)
    assert (report.rows_loaded, report.rows_read) == (0, 0)
    assert problem_text(report.error, "ja") == ja
    assert problem_text(report.error, "en") == en
    assert store.con.execute("SELECT count(*) FROM activities_rows").fetchone()[0] == 0
