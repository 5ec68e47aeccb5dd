"""The bad-input corpus of tests/data/bad/: files people really upload by mistake, and worse.

Run from the repository root to regenerate the committed files and their README.md:

    .venv/bin/python tests/make_bad_corpus.py

Every file is built from fixed bytes or a seeded generator, so the output is the same on every
run (workbooks and zips get fixed timestamps). Files too big to commit (a 100 MB line, 10,000
columns, a million empty lines, a 1 MB cell) are not written here: `write_big(name, folder)`
makes them at test time in a temporary folder.

`expect` says what a correct loader does with the case: `error:<problem key>` (the file is
refused with that message, nothing loaded), `error` (refused, any message) or `loads` (rows load;
bad rows are rejected with a reason). `bug` (README.md's *today*) says what the loader does today
where that is wrong; tests/test_bad_corpus.py has an xfail test for each.
"""

from __future__ import annotations

import codecs
import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook

FOLDER = Path(__file__).resolve().parent / "data" / "bad"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
ACTIVITY_HEADER = "activity_id,occurred_at,rep,channel,outcome,duration_sec"
OPPORTUNITY_HEADER = "opportunity_id,created_at,rep,stage,amount,status,closed_at"


@dataclass(frozen=True)
class Case:
    """One bad input. `records` and `must_load` say what a correct loader reads: the number of data
    records in the file (a quoted line break stays inside its record) and the ids that must load."""

    name: str
    tests: str  # what the case is about, for README.md
    expect: str  # "loads", "error" (any file-level problem) or "error:<problem key>"
    build: Callable[[], bytes] | None = None  # small, committed
    write: Callable[[Path], None] | None = None  # big, generated at test time
    records: int | None = None
    must_load: tuple[str, ...] = ()
    bug: str = ""  # what the loader does today where it is wrong (an xfail test says more)

    @property
    def big(self) -> bool:
        return self.write is not None


# ---------------------------------------------------------------------------------------------
# helpers


def lines(*rows: str, end: str = "\n") -> str:
    return "".join(row + end for row in rows)


def stable_zip(entries: dict[str, bytes]) -> bytes:
    """A zip whose bytes do not depend on when it was written."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def stable_workbook(book: Workbook) -> bytes:
    """openpyxl's output re-zipped with fixed timestamps (also inside docProps/core.xml)."""
    book.properties.creator = "make_bad_corpus"
    book.properties.created = datetime(2026, 1, 1)
    book.properties.modified = datetime(2026, 1, 1)
    raw = io.BytesIO()
    book.save(raw)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    core = entries["docProps/core.xml"].decode("utf-8")
    core = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", r"\g<1>2026-01-01T00:00:00Z", core)
    entries["docProps/core.xml"] = core.encode("utf-8")
    return stable_zip(entries)


def workbook(sheets: dict[str, list[list[object]]]) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    return book


GOOD_ACTIVITY_ROWS = [
    "b1,2025-04-01 09:00,佐藤 健,call,接続,150",
    "b2,2025-04-01 09:30,佐藤 健,call,不在,0",
    "b3,2025-04-02 10:00,鈴木 美咲,call,アポ獲得,420",
]


# ---------------------------------------------------------------------------------------------
# small files


def header_only_xlsx() -> bytes:
    return stable_workbook(workbook({"活動": [["活動ID", "日付", "任命先", "種別"]]}))


def empty_first_sheet_xlsx() -> bytes:
    return stable_workbook(workbook({
        "表紙": [],
        "架電履歴": [["活動ID", "日付", "任命先", "種別", "通話結果"],
                 ["x1", datetime(2025, 4, 1, 9, 0), "佐藤 健", "電話", "接続"],
                 ["x2", datetime(2025, 4, 1, 9, 30), "佐藤 健", "電話", "不在"],
                 ["x3", datetime(2025, 4, 2, 10, 0), "鈴木 美咲", "電話", "アポ獲得"]],
    }))


def excel_serials_xlsx() -> bytes:
    """Date-formatted cells holding serial 0 (1899-12-30) and 99999 (2173-10-14), and bare numbers."""
    book = workbook({"Sheet1": [["activity_id", "occurred_at", "rep", "channel"],
                                ["s1", 0, "佐藤 健", "call"],
                                ["s2", 99999, "佐藤 健", "call"],
                                ["s3", 45748, "鈴木 美咲", "call"]]})
    for cell in book["Sheet1"]["B"][1:3]:
        cell.number_format = "yyyy/mm/dd"
    return stable_workbook(book)


def time_cells_xlsx() -> bytes:
    """How people type call durations in Excel: a time cell (0:02:15) and an elapsed-time cell ([h]:mm:ss)."""
    book = workbook({"架電": [["活動ID", "日時", "担当者", "通話時間", "通話結果"],
                            ["t1", datetime(2025, 4, 1, 9, 0), "佐藤 健", time(0, 2, 15), "接続"],
                            ["t2", datetime(2025, 4, 1, 9, 30), "佐藤 健", timedelta(minutes=7), "アポ獲得"]]})
    book["架電"]["D2"].number_format = "h:mm:ss"
    book["架電"]["D3"].number_format = "[h]:mm:ss"
    return stable_workbook(book)


def damaged_xlsx() -> bytes:
    """A zip that claims to be a workbook; its parts are garbage."""
    return stable_zip({"[Content_Types].xml": b"\x00garbage<", "xl/workbook.xml": random.Random(11).randbytes(300),
                       "xl/worksheets/sheet1.xml": b"not xml at all"})


def damaged_sheet_xlsx() -> bytes:
    """A real workbook whose first sheet's XML was cut in the middle (a broken download)."""
    raw = stable_workbook(workbook({"Sheet1": [["activity_id", "occurred_at", "rep", "channel"],
                                               ["d1", "2025-04-01", "佐藤 健", "call"]]}))
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    sheet = entries["xl/worksheets/sheet1.xml"]
    entries["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) * 2 // 3]
    return stable_zip(entries)


def truncated_xlsx() -> bytes:
    raw = stable_workbook(workbook({"Sheet1": [["activity_id", "occurred_at", "rep"], ["t1", "2025-04-01", "A"]]}))
    return raw[: len(raw) // 2]


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def jpeg() -> bytes:
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            + b"\xff\xdb\x00\x43\x00" + bytes(range(1, 65)) + b"\xff\xd9")


def gif() -> bytes:
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
            b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def pdf() -> bytes:
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def ole_xls() -> bytes:
    """The 512-byte header of an OLE2 compound file (what every Excel 97-2003 .xls starts with),
    one FAT sector and a directory sector naming its `Workbook` stream."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 44, 1, 1, 0, 0x1000)  # 1 FAT sector, directory at sector 1
    struct.pack_into("<IIII", header, 60, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0] = sector 0
    header[80:512] = b"\xff" * 432
    fat = struct.pack("<III", 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE) + b"\xff" * (512 - 12)
    entry = bytearray(128)
    name = "Workbook".encode("utf-16-le") + b"\x00\x00"
    entry[0:len(name)] = name
    struct.pack_into("<HBB", entry, 64, len(name), 2, 1)
    directory = bytes(entry) + b"\x00" * 384
    return bytes(header) + fat + directory


def mixed_line_endings() -> bytes:
    rows = [ACTIVITY_HEADER, *GOOD_ACTIVITY_ROWS, "b4,2025-04-03 10:00,山田 太郎,call,接続,60",
            "b5,2025-04-03 11:00,山田 太郎,call,不在,0"]
    endings = ["\r\n", "\n", "\r", "\r\n", "\r", "\n"]
    return "".join(row + end for row, end in zip(rows, endings, strict=True)).encode()


def one_row_ten_times_wider() -> bytes:
    wide = "b2,2025-04-01 09:30,佐藤 健,call,不在,0" + ",extra" * 54  # 60 fields where the header has 6
    return lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0], wide, GOOD_ACTIVITY_ROWS[2]).encode()


def quoted_newlines() -> bytes:
    rows = [
        '"activity\nid","occurred\r\nat","rep","channel","outcome","duration\nsec"',
        '"q1","2025-04-01 09:00","佐藤\n健","call","接続\nした","150"',
        '"q2","2025-04-01\n09:30","佐藤 健","call","不在","0"',
        '"q3","2025-04-02 10:00","鈴木 美咲","call","アポ獲得\r\n(来週)","4\n20"',
    ]
    return lines(*rows, end="\r\n").encode()


B123 = ("b1", "b2", "b3")
CASES: list[Case] = [
    # --- nothing in it
    Case("empty.csv", "0 bytes", "error:empty_file", build=lambda: b""),
    Case("whitespace_only.csv", "spaces, tabs and blank lines only (CRLF)", "error:empty_file",
         build=lambda: b" \t \r\n\r\n   \r\n\t\r\n"),
    Case("header_only_utf8.csv", "the canonical activity header, no rows (UTF-8)", "error:header_only",
         build=lambda: (ACTIVITY_HEADER + "\n").encode()),
    Case("header_only_cp932.csv", "a Japanese Salesforce activity header, no rows (CP932, CRLF)", "error:header_only",
         build=lambda: '"活動 ID","任命先","日付","件名","種別","通話時間","通話結果"\r\n'.encode("cp932")),
    Case("header_only_utf16.txt", "a kintone header saved as Unicode text (UTF-16 LE with BOM, TAB), no rows",
         "error:header_only",
         build=lambda: codecs.BOM_UTF16_LE + "レコード番号\t作成日時\t担当者\t対応種別\t通話結果\r\n".encode("utf-16-le")),
    Case("header_only.xlsx", "a workbook whose only sheet has a Japanese header and no rows", "error:header_only",
         build=header_only_xlsx),
    # --- broken CSV structure
    Case("truncated_mid_quote.csv", "the download stopped inside a quoted field of the last row", "loads",
         build=lambda: (lines(ACTIVITY_HEADER, *GOOD_ACTIVITY_ROWS) + 'b4,2025-04-03 10:00,"山田 太').encode(),
         records=4, must_load=B123,
         bug="loads as expected, but the reason reads 行の形式が壊れています(UNQUOTED VALUE): DuckDB's code, no column"),
    Case("unbalanced_quotes.csv", "a stray opening quote in row 3; the rows after it must not vanish into one field",
         "loads",
         build=lambda: lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0], 'b2,2025-04-01 09:30,"佐藤 健,call,不在,0',
                             GOOD_ACTIVITY_ROWS[2], "b4,2025-04-03 10:00,山田 太郎,call,接続,60").encode(),
         records=4, must_load=("b1", "b3", "b4"),
         bug="rows 4-5 are swallowed into row 3's unterminated quote: read 2, loaded 1, b3 and b4 never counted"),
    Case("mixed_line_endings.csv", "CRLF, LF and bare CR line endings in one file", "loads", build=mixed_line_endings,
         records=5, must_load=(*B123, "b4", "b5"),
         bug="loads, but the check step (ingest.preview) raises InvalidInputException: the Data page shows a traceback"),
    Case("row_ten_times_wider.csv", "one row with 60 fields under a 6-column header", "loads",
         build=one_row_ten_times_wider, records=3, must_load=("b1", "b3"),
         bug="loads as expected, but the reason reads 行の形式が壊れています(TOO MANY COLUMNS): DuckDB's code, no column"),
    Case("quoted_newlines_everywhere.csv", "line breaks (LF and CRLF) inside quoted headers and values, CRLF rows",
         "loads", build=quoted_newlines, records=3, must_load=("q1", "q2"),  # q3's duration "4\n20" is rejected
         bug="error:header_only: DuckDB reads 0 rows and reports nothing (line ending taken from the header's "
             "quoted LF)"),
    Case("blank_lines_between_rows.csv", "three blank lines between rows; the bad row after them is spreadsheet row 6", "loads",
         build=lambda: lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0], "", "", "", "b9,2025-04-03 10:00,山田 太郎,call,接続,x",
                             GOOD_ACTIVITY_ROWS[2]).encode(),
         records=3, must_load=("b1", "b3"), bug="the bad row is reported as row 3, not row 6 (blank lines not counted)"),
    Case("trailing_delimiter_rows.csv", "every data row ends with a comma, the header does not", "loads",
         build=lambda: lines(ACTIVITY_HEADER, *(r + "," for r in GOOD_ACTIVITY_ROWS)).encode(), records=3, must_load=B123),
    Case("trailing_delimiter_all.csv", "header and rows all end with a comma (an empty last column)", "loads",
         build=lambda: lines(ACTIVITY_HEADER + ",", *(r + "," for r in GOOD_ACTIVITY_ROWS)).encode(), records=3,
         must_load=B123),
    Case("trailing_empty_columns.csv", "five empty columns (header and rows) after the data", "loads",
         build=lambda: lines(ACTIVITY_HEADER + ",,,,,", *(r + ",,,,," for r in GOOD_ACTIVITY_ROWS)).encode(), records=3,
         must_load=B123),
    Case("tab_saved_as.csv", "tab-separated text with a .csv name", "loads",
         build=lambda: lines(*(r.replace(",", "\t") for r in (ACTIVITY_HEADER, *GOOD_ACTIVITY_ROWS))).encode(),
         records=3, must_load=B123),
    Case("tsv_quotes_inside_fields.tsv", 'TSV whose unquoted fields hold quotes: 5" tablet, 佐藤 "ken" 健, "VIP" 対応',
         "loads",
         build=lambda: lines("activity_id\toccurred_at\trep\tchannel\toutcome",
                             'v1\t2025-04-01 09:00\t佐藤 健\tcall\t5" tablet の件で接続',
                             'v2\t2025-04-01 09:30\t佐藤 "ken" 健\tcall\t"VIP" 対応',
                             'v3\t2025-04-02 10:00\t鈴木 美咲\tcall\t不在 12"').encode(),
         records=3, must_load=("v1", "v2", "v3"),
         bug='v2 is rejected as a malformed row (UNQUOTED VALUE): a field starting with " is taken as quoted'),
    Case("semicolon_comma_decimals.csv",
         "`;`-separated European export: amounts 1.234,56, 1,5 and 2.000.000,00 (decimal commas)", "loads",
         build=lambda: lines("opportunity_id;created_at;rep;amount;status",
                             "e1;2025-04-01;Anna;1.234,56;won", "e2;2025-04-02;Anna;1,5;open",
                             "e3;2025-04-03;Bernd;2.000.000,00;lost").encode(),
         records=3, must_load=("e1", "e2"), bug="1.234,56 loads as 1.23 and 1,5 as 15 (silently wrong amounts)"),
    Case("semicolon_comma_durations.csv", "`;`-separated call log, durations 1,5 and 90,25 seconds", "loads",
         build=lambda: lines("activity_id;occurred_at;rep;channel;outcome;duration_sec",
                             "k1;2025-04-01 09:00;Anna;call;Connected;1,5",
                             "k2;2025-04-01 09:30;Anna;call;Connected;90,25").encode(),
         records=2, must_load=("k1", "k2"), bug="1,5 s loads as 15 s and 90,25 s as 9025 s (silently wrong)"),
    # --- not a CSV at all
    Case("binary_random.csv", "4 KB of random bytes", "error:not_a_table",
         build=lambda: random.Random(7).randbytes(4096), bug="the Japanese message says “binaryファイル” (untranslated)"),
    Case("zip_renamed.csv", "a zip archive (holding a CSV) renamed .csv", "error:not_a_table",
         build=lambda: stable_zip({"calls.csv": (lines(ACTIVITY_HEADER, *GOOD_ACTIVITY_ROWS)).encode()})),
    Case("pdf_renamed.csv", "a PDF renamed .csv", "error:not_a_table", build=pdf),
    Case("png_renamed.csv", "a 1×1 PNG renamed .csv", "error:not_a_table", build=png),
    Case("jpeg_renamed.csv", "a JPEG renamed .csv", "error:not_a_table", build=jpeg),
    Case("gif_renamed.csv", "a 1×1 GIF renamed .csv", "error:not_a_table", build=gif),
    Case("excel97.xls", "an Excel 97-2003 (OLE2 compound file) workbook", "error:not_a_table", build=ole_xls),
    Case("damaged.xlsx", "a zip with xl/workbook.xml, every part garbage", "error", build=damaged_xlsx,
         bug="message: “looks like a xlsx file, not a CSV … choose … Excel (.xlsx)” — it is one, just damaged"),
    Case("damaged_sheet.xlsx", "a real workbook whose sheet XML is cut off (broken download)", "error",
         build=damaged_sheet_xlsx, bug="ParseError raised past the loader (in the check step and in load_file)"),
    Case("truncated.xlsx", "the first half of a workbook (download cut off)", "error", build=truncated_xlsx,
         bug="message: “looks like a ZIP file … choose … Excel (.xlsx)” for a file the user exported as .xlsx"),
    Case("nul_bytes.csv", "a UTF-8 CSV with NUL bytes padding one value", "error:not_a_table",
         build=lambda: lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0], "b2,2025-04-01 09:30,佐藤 健\x00\x00,call,不在,0",
                             GOOD_ACTIVITY_ROWS[2]).encode(), bug="the Japanese message says “binaryファイル” (untranslated)"),
    Case("gzip_truncated.csv.gz", "a gzip-compressed CSV cut off in the middle", "error", build=lambda: gzip_rows()[:1900],
         bug="EOFError raised past the loader"),
    Case("gzip_garbage.csv.gz", "the gzip magic number followed by garbage", "error",
         build=lambda: b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + random.Random(3).randbytes(500),
         bug="BadGzipFile/zlib.error raised past the loader"),
    Case("gzip_named.csv", "a gzip-compressed CSV whose name lost its .gz", "loads",
         build=lambda: zlib_gzip(lines(ACTIVITY_HEADER, *GOOD_ACTIVITY_ROWS).encode()), records=3, must_load=B123,
         bug="DuckDB reads the compressed bytes as text: 1 malformed row (INVALID ENCODING), nothing loaded"),
    # --- xlsx layouts
    Case("empty_first_sheet.xlsx", "a workbook whose first sheet is empty, data on the second", "loads",
         build=empty_first_sheet_xlsx, records=3, must_load=("x1", "x2", "x3"),
         bug="error:empty_file (“export it again”); the app offers no sheet picker for it either"),
    Case("excel_serials.xlsx", "date-formatted cells with serial 0 and 99999, and a bare serial 45748", "loads",
         build=excel_serials_xlsx, records=3, must_load=("s3",),
         bug="TypeError raised past the loader (serial 0 comes back as datetime.time)"),
    Case("time_cells.xlsx", "call durations typed in Excel as times (h:mm:ss and [h]:mm:ss cells)", "loads",
         build=time_cells_xlsx, records=2, must_load=("t1", "t2"),
         bug="TypeError raised past the loader (time.isoformat has no sep)"),
    # --- encodings
    Case("mixed_encodings.csv", "UTF-8 and CP932 lines in one file", "error:mixed_encoding",
         build=lambda: ((ACTIVITY_HEADER + "\n").encode() + (GOOD_ACTIVITY_ROWS[0] + "\n").encode()
                        + (GOOD_ACTIVITY_ROWS[1] + "\n").encode("cp932") + (GOOD_ACTIVITY_ROWS[2] + "\n").encode())),
    Case("mixed_encodings_silent.csv", "UTF-8 rows whose bytes happen to be valid CP932, plus one CP932 row",
         "error:mixed_encoding",
         build=lambda: (lines(ACTIVITY_HEADER, "m1,2025-04-01 09:00,佐藤 健,call,不在,0", "m2,2025-04-01 09:30,田中,call,不在,0")
                        .encode() + "m3,2025-04-02 10:00,小林,call,不在,0\n".encode("cp932")),
         bug="the whole file is decoded as CP932: 佐藤 健 loads as 菴占陸 蛛･ (mojibake, no warning)"),
    Case("utf8_invalid_bytes_one_row.csv", "UTF-8 Japanese text with one stray 0xFF byte in row 3",
         "error:mixed_encoding",
         build=lambda: (lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0]).encode() + b"b2,2025-04-01 09:30,\xff,call,x,0\n"
                        + lines(GOOD_ACTIVITY_ROWS[2], "b4,2025-04-03 10:00,山田 太郎,call,接続,60").encode())),
    Case("cesu8_surrogates.csv", "a rep name with UTF-16 surrogates encoded one by one (CESU-8, invalid UTF-8)",
         "error:mixed_encoding",
         build=lambda: (lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0]).encode()
                        + b"b2,2025-04-01 09:30,\xed\xa0\xbd\xed\xb8\x80 Ken,call,x,0\n"
                        + lines(GOOD_ACTIVITY_ROWS[2]).encode())),
    Case("bom_in_the_middle.csv", "two exports pasted together: the second starts with a BOM and its header", "loads",
         build=lambda: ("\ufeff" + lines(ACTIVITY_HEADER, *GOOD_ACTIVITY_ROWS[:2]) + "\ufeff"
                        + lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[2])).encode(), records=4, must_load=B123),
    Case("utf16_be.csv", "UTF-16 big-endian with BOM", "loads",
         build=lambda: codecs.BOM_UTF16_BE + lines(ACTIVITY_HEADER, *GOOD_ACTIVITY_ROWS).encode("utf-16-be"),
         records=3, must_load=B123),
    # --- hostile or odd values
    Case("formula_injection.csv",
         "rep names and outcomes =HYPERLINK(…), +1+1, @SUM(A1), -2+3; one rejected =HYPERLINK date", "loads",
         build=lambda: lines(ACTIVITY_HEADER, 'f1,2025-04-01 09:00,"=HYPERLINK(""http://evil.example/"",""x"")",call,接続,150',
                             "f2,2025-04-01 09:30,+1+1,call,=1+1,0", "f3,2025-04-02 10:00,@SUM(A1),call,@cmd,420",
                             "f4,2025-04-02 10:30,-2+3,call,-2+3,60",
                             'f5,"=HYPERLINK(""http://evil.example/"")",佐藤 健,call,接続,60').encode(),
         records=5, must_load=("f1", "f2", "f3", "f4"),
         bug="the rejected-rows CSV download writes =HYPERLINK(…) as is: a live formula when opened in Excel"),
    Case("html_script.csv", "`<script>`, `<img onerror>` and HTML entities in rep names and outcomes", "loads",
         build=lambda: lines(ACTIVITY_HEADER, "h1,2025-04-01 09:00,<script>alert(1)</script>,call,<b>接続</b>,150",
                             'h2,2025-04-01 09:30,"<img src=x onerror=alert(2)>",call,&lt;不在&gt;,0',
                             "h3,2025-04-02 10:00,鈴木 </div><h1>美咲,call,<script>alert(3)</script>,420").encode(),
         records=3, must_load=("h1", "h2", "h3")),
    Case("emoji_and_odd_text.csv", "emoji, ZWJ sequences, flags, RTL override, combining marks, literal \\uD800 text",
         "loads",
         build=lambda: lines(ACTIVITY_HEADER, "u1,2025-04-01 09:00,👩‍💼 佐藤 🇯🇵,call,接続 ✅,150",
                             "u2,2025-04-01 09:30,\u202eevil\u202c Ken,call,不在 ❌,0",
                             "u3,2025-04-02 10:00,Ze\u0301 \\uD800 \\uDFFF,call,アポ獲得 🎉,420",
                             "u4,2025-04-02 10:30,𠮷野家 𩸽,call,接続,60").encode(),
         records=4, must_load=("u1", "u2", "u3", "u4")),
    Case("control_characters.csv", "a vertical tab, an ESC and a bell inside rep names and outcomes", "loads",
         build=lambda: lines(ACTIVITY_HEADER, "c1,2025-04-01 09:00,佐藤\x0b健,call,接続,150",
                             "c2,2025-04-01 09:30,佐藤 健\x1b[0m,call,不在\x07,0", GOOD_ACTIVITY_ROWS[2]).encode(),
         records=3, must_load=("c1", "c2", "b3")),
    Case("dates_1900_2999.csv", "dates in 1900 (placeholder), 2999 (typo) and 1900/01/00", "loads",
         build=lambda: lines(ACTIVITY_HEADER, "y1,1900-01-01,佐藤 健,call,接続,150", "y2,2999-12-31 23:59,佐藤 健,call,不在,0",
                             "y3,1900/01/00,鈴木 美咲,call,接続,60", GOOD_ACTIVITY_ROWS[2]).encode(),
         records=4, must_load=("b3",)),
    Case("excel_serials_text.csv", "occurred_at as Excel serials 0, 99999, 45748 and 1e10 in a CSV", "loads",
         build=lambda: lines(ACTIVITY_HEADER, "s1,0,佐藤 健,call,接続,150", "s2,99999,佐藤 健,call,不在,0",
                             "s3,45748,鈴木 美咲,call,接続,60", "s4,1e10,鈴木 美咲,call,接続,60").encode(),
         records=4, must_load=("s3",)),
    Case("negative_durations.csv", "negative call durations (-30, -0:30, -1,200)", "loads",
         build=lambda: lines(ACTIVITY_HEADER, "n1,2025-04-01 09:00,佐藤 健,call,接続,-30",
                             "n2,2025-04-01 09:30,佐藤 健,call,接続,-0:30", 'n3,2025-04-01 10:00,佐藤 健,call,接続,"-1,200"',
                             GOOD_ACTIVITY_ROWS[2]).encode(), records=4, must_load=("b3",)),
    Case("negative_amounts.csv", "negative deal amounts (-500000, ¥-1,200, -$3.5)", "loads",
         build=lambda: lines(OPPORTUNITY_HEADER, "o1,2025-04-01,佐藤 健,Closed Won,-500000,won,2025-04-10",
                             'o2,2025-04-02,佐藤 健,Closed Won,"¥-1,200",won,2025-04-11',
                             "o3,2025-04-03,鈴木 美咲,Prospecting,-$3.5,open,", "o4,2025-04-03,鈴木 美咲,Prospecting,800000,open,"
                             ).encode(), records=4, must_load=("o4",)),
    Case("nan_infinity_amounts.csv", "amounts NaN, Infinity, -Infinity, inf, 1e309", "loads",
         build=lambda: lines(OPPORTUNITY_HEADER, "i1,2025-04-01,佐藤 健,Closed Won,NaN,won,2025-04-10",
                             "i2,2025-04-02,佐藤 健,Closed Won,Infinity,won,2025-04-11",
                             "i3,2025-04-03,鈴木 美咲,Prospecting,-Infinity,open,",
                             "i4,2025-04-03,鈴木 美咲,Prospecting,inf,open,",
                             "i5,2025-04-04,鈴木 美咲,Prospecting,1e309,open,", "i6,2025-04-04,鈴木 美咲,Prospecting,800000,open,"
                             ).encode(), records=6, must_load=("i6",),
         bug="ConversionException raised past the loader (NaN/Infinity cast to DECIMAL(18,2)), also in the check step"),
    Case("huge_amounts.csv", "amounts 1e20 and 99999999999999999 (beyond DECIMAL(18,2))", "loads",
         build=lambda: lines(OPPORTUNITY_HEADER, "w1,2025-04-01,佐藤 健,Closed Won,1e20,won,2025-04-10",
                             "w2,2025-04-02,佐藤 健,Closed Won,99999999999999999,won,2025-04-11",
                             "w3,2025-04-03,鈴木 美咲,Prospecting,800000,open,").encode(), records=3, must_load=("w3",),
         bug="ConversionException raised past the loader (overflow casting to DECIMAL(18,2))"),
    Case("nan_infinity_durations.csv", "durations NaN, Infinity, inf", "loads",
         build=lambda: lines(ACTIVITY_HEADER, "j1,2025-04-01 09:00,佐藤 健,call,接続,NaN",
                             "j2,2025-04-01 09:30,佐藤 健,call,接続,Infinity", "j3,2025-04-01 10:00,佐藤 健,call,接続,inf",
                             GOOD_ACTIVITY_ROWS[2]).encode(), records=4, must_load=("b3",)),
    Case("nan_quality_score.csv", "opportunity quality scores NaN and Infinity", "loads",
         build=lambda: lines("opportunity_id,created_at,rep,status,quality_score", "q1,2025-04-01,佐藤 健,open,NaN",
                             "q2,2025-04-02,佐藤 健,open,Infinity", "q3,2025-04-03,鈴木 美咲,open,80").encode(),
         records=3, must_load=("q3",), bug="NaN and inf load without a rejection; the quality score KPI shows “nan点”"),
    # --- ids and headers
    Case("duplicate_ids_same_file.csv", "activity ids repeated inside one file (b1 three times)", "loads",
         build=lambda: lines(ACTIVITY_HEADER, *GOOD_ACTIVITY_ROWS, "b1,2025-04-01 09:00,佐藤 健,call,接続,150",
                             "b1,2025-04-05 09:00,別人,call,不在,0").encode(), records=5, must_load=B123),
    Case("duplicate_ids_across_1.csv", "first of two files sharing activity ids (loaded together)", "loads",
         build=lambda: lines(ACTIVITY_HEADER, *(r.replace("b", "z", 1) for r in GOOD_ACTIVITY_ROWS)).encode(),
         records=3, must_load=("z1", "z2", "z3")),
    Case("duplicate_ids_across_2.csv", "second file: z2 and z3 repeat the first file's ids, z4 is new", "loads",
         build=lambda: lines(ACTIVITY_HEADER, *(r.replace("b", "z", 1) for r in GOOD_ACTIVITY_ROWS[1:]),
                             "z4,2025-04-03 10:00,山田 太郎,call,接続,60").encode(), records=3, must_load=("z2", "z3", "z4")),
    Case("duplicated_header_names.csv", "rep and occurred_at appear twice in the header", "loads",
         build=lambda: lines("activity_id,occurred_at,rep,rep,occurred_at,channel",
                             "d1,2025-04-01 09:00,佐藤 健,鈴木 美咲,not a date,call",
                             "d2,2025-04-01 09:30,佐藤 健,鈴木 美咲,,call").encode(), records=2, must_load=("d1", "d2")),
    Case("empty_header_names.csv", "blank header cells between the known ones", "loads",
         build=lambda: lines("activity_id,,occurred_at,,rep,channel,", "e1,x,2025-04-01 09:00,y,佐藤 健,call,z",
                             "e2,,2025-04-01 09:30,,佐藤 健,call,").encode(), records=2, must_load=("e1", "e2")),
    Case("header_only_delimiters.csv", "a header line of nothing but commas, then data", "error:no_header_names",
         build=lambda: lines(",,,,,", *GOOD_ACTIVITY_ROWS).encode(),
         bug="the message lists the columns as “(列: , , , , , )”"),
    Case("products_list.csv", "a product master (wrong kind of file)", "error:other_kind",
         build=lambda: lines("ProductCode,Name,Family,ListPrice,IsActive", "GC1020,GenWatt Diesel 1000kW,Generator,100000,true",
                             "GC1040,GenWatt Diesel 200kW,Generator,25000,true").encode()),
    Case("users_list.csv", "a Salesforce Users export (Id, Username, …, CreatedDate): wrong kind of file",
         "error:other_kind",
         build=lambda: lines("Id,Username,LastName,FirstName,Email,IsActive,UserRoleId,ProfileId,CreatedDate,LastLoginDate",
                             "0055i000001AbC1AAK,sato@example.com,佐藤,健,sato@example.com,true,00E5i,00e5i,"
                             "2024-01-22T16:14:25.000+0000,2025-04-01T09:00:00.000+0000",
                             "0055i000001AbC2AAK,suzuki@example.com,鈴木,美咲,suzuki@example.com,true,00E5i,00e5i,"
                             "2024-02-01T10:00:00.000+0000,2025-04-02T09:00:00.000+0000").encode(),
         bug="loads the two users as leads (Id → lead_id, CreatedDate → created_at; nothing else matched)"),
    Case("missing_required_columns.csv", "an activity file without any rep column", "error:missing_columns",
         build=lambda: lines("activity_id,occurred_at,channel,outcome,duration_sec",
                             "m1,2025-04-01 09:00,call,接続,150").encode()),
    Case("single_column.csv", "one column (occurred_at), no delimiter anywhere", "error:missing_columns",
         build=lambda: lines("occurred_at", "2025-04-01", "2025-04-02").encode()),
]


def gzip_rows() -> bytes:
    """300 rows of varied values, gzip-compressed (about 4 KB: cutting it loses real data)."""
    rng = random.Random(5)
    rows = [f"g{i},2025-04-{1 + i % 28:02d} 09:{i % 60:02d},rep{rng.randrange(10**6)},call,{rng.choice(['接続', '不在'])},"
            f"{rng.randrange(600)}" for i in range(300)]
    return zlib_gzip(lines(ACTIVITY_HEADER, *rows).encode())


def zlib_gzip(data: bytes) -> bytes:
    """gzip with a fixed header timestamp (gzip.compress writes the current time)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x02\xff"
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


# ---------------------------------------------------------------------------------------------
# big files, generated at test time


def write_line_100mb(path: Path) -> None:
    """A valid header and one 100 MB data line (no line break inside), then a good row."""
    with path.open("wb") as out:
        out.write((lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0])).encode())
        out.write(b"b2,2025-04-01 09:30,")
        block = b"x" * (1 << 20)
        for _ in range(100):
            out.write(block)
        out.write(",call,不在,0\n".encode())
        out.write((GOOD_ACTIVITY_ROWS[2] + "\n").encode())


def write_single_line_100mb(path: Path) -> None:
    """100 MB without a single line break: a header that never ends."""
    with path.open("wb") as out:
        out.write(b"occurred_at,rep,channel")
        block = b",col" * (1 << 18)  # 1 MB of ',col'
        for _ in range(100):
            out.write(block)


def write_columns_10k(path: Path) -> None:
    header = [*ACTIVITY_HEADER.split(","), *(f"extra_{i}" for i in range(10_000 - 6))]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\n")
        for row in GOOD_ACTIVITY_ROWS:
            out.write(row + "," + ",".join(str(i % 97) for i in range(10_000 - 6)) + "\n")


def write_empty_lines_1m(path: Path) -> None:
    """A header, one good row, a million empty lines, then a row with a bad duration."""
    with path.open("wb") as out:
        out.write(lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0]).encode())
        out.write(b"\n" * 1_000_000)
        out.write("b9,2025-04-03 10:00,山田 太郎,call,接続,not-a-duration\n".encode())


def write_long_cell_1mb(path: Path) -> None:
    """A 1 MB outcome (quoted, with commas and line breaks inside) between good rows."""
    cell = ("長い,メモ\n" * 100_000)[: 1 << 20].replace('"', "")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0]))
        out.write(f'b2,2025-04-01 09:30,佐藤 健,call,"{cell}",0\n')
        out.write(GOOD_ACTIVITY_ROWS[2] + "\n")


BIG_CASES: list[Case] = [
    Case("line_100mb.csv", "a 100 MB data line (one 100 MB cell) between good rows", "loads", write=write_line_100mb,
         records=3, must_load=("b1", "b3"),
         bug="the 100 MB row vanishes: read 2, nothing rejected (DuckDB drops it without a reject entry)"),
    Case("single_line_100mb.csv", "100 MB without any line break (a header that never ends)", "error",
         write=write_single_line_100mb),
    Case("columns_10k.csv", "10,000 columns, the six known ones first", "loads", write=write_columns_10k,
         records=3, must_load=B123,
         bug="the header is cut at the 64 K sniff sample: every row rejected as TOO MANY COLUMNS"),
    Case("empty_lines_1m.csv", "a million empty lines between a good row and a bad one", "loads",
         write=write_empty_lines_1m, records=2, must_load=("b1",),
         bug="the bad row is reported as row 3 instead of row 1,000,003"),
    Case("long_cell_1mb.csv", "a 1 MB quoted cell with commas and line breaks", "loads", write=write_long_cell_1mb,
         records=3, must_load=B123),
]


def write_big(name: str, folder: Path) -> Path:
    case = next(c for c in BIG_CASES if c.name == name)
    path = folder / name
    case.write(path)
    return path


def all_cases() -> list[Case]:
    return CASES + BIG_CASES


# Cases whose bug is still open (an xfail test in tests/test_bad_corpus.py); every other bug noted is fixed.
OPEN_BUGS: set[str] = set()


def today(case: Case) -> str:
    if not case.bug:
        return "as expected"
    return f"**open**: {case.bug}" if case.name in OPEN_BUGS else f"fixed (was: {case.bug})"


def readme() -> str:
    out = [
        "# Bad-input corpus",
        "",
        "Files people upload by mistake, and worse, for `tests/test_bad_corpus.py`. Every file here is",
        "written by `tests/make_bad_corpus.py` (run `.venv/bin/python tests/make_bad_corpus.py` from the",
        "repository root; the output is byte-for-byte the same on every run). The big cases at the end are",
        "**not committed**: the test generates them into a temporary folder.",
        "",
        "*expect* is what a correct loader does: `error:<key>` refuses the file with the message",
        "`problem.<key>` (phasekpi/locales/core.yaml) and loads nothing; `error` refuses it with any clear",
        "message; `loads` loads the good rows and rejects the bad ones with a row, column and reason.",
        "*today* notes a bug found with the file: **open** ones have an `xfail(strict=True)` test in",
        "tests/test_bad_corpus.py; fixed ones say what the loader did before.",
        "",
        "| file | what it tests | expect | today |",
        "| --- | --- | --- | --- |",
    ]
    for case in CASES:
        out.append(f"| `{case.name}` | {case.tests} | {case.expect} | {today(case)} |")
    out += ["", "Generated at test time (too big to commit):", "", "| file | what it tests | expect | today |",
            "| --- | --- | --- | --- |"]
    for case in BIG_CASES:
        out.append(f"| `{case.name}` | {case.tests} | {case.expect} | {today(case)} |")
    return "\n".join(out) + "\n"


def write_corpus(folder: Path = FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in CASES:
        path = folder / case.name
        path.write_bytes(case.build())
        written.append(path)
    (folder / "README.md").write_text(readme(), encoding="utf-8")
    return written


if __name__ == "__main__":
    for written in write_corpus():
        print(written.relative_to(Path.cwd()) if written.is_relative_to(Path.cwd()) else written)
