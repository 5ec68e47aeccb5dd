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
    memory: bool = False  # run alone in a subprocess under an address-space limit, its peak measured

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
    Case("users_list.csv", "a Salesforce Users export (Id, Username, …, CreatedDate): names for rep ids, read on the reps page",
         "error:user_list_elsewhere",
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


# ---------------------------------------------------------------------------------------------
# issue 13: what an attacker and a careless exporter send (small files)

CT_XML = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{sheets}</Types>')
SHEET_CT = ('<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
             'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
SHEET_REL = ('<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
             'Target="worksheets/sheet{i}.xml"/>')
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline_row(number: int, values: list[str], prefix: str = "") -> str:
    """A row of inline-string cells (no shared strings part needed)."""
    cells = "".join(f'<{prefix}c r="{chr(65 + i)}{number}" t="inlineStr"><{prefix}is><{prefix}t>{xml_text(v)}'
                    f'</{prefix}t></{prefix}is></{prefix}c>' for i, v in enumerate(values) if v != "")
    return f'<{prefix}row r="{number}">{cells}</{prefix}row>'


def raw_workbook(sheets: list[tuple[str, str, str]], active: int = 0) -> bytes:
    """A workbook written by hand: (name, state, sheetData inner XML) per sheet, Excel opening on `active`."""
    names = "".join(f'<sheet name="{name}" sheetId="{i}" {"" if state == "visible" else f"state={chr(34)}{state}{chr(34)} "}'
                    f'r:id="rId{i}"/>' for i, (name, state, _) in enumerate(sheets, 1))
    book = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships"><bookViews><workbookView activeTab="{active}"/></bookViews>'
            f'<sheets>{names}</sheets></workbook>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">' + "".join(SHEET_REL.format(i=i) for i in range(1, len(sheets) + 1)) + "</Relationships>")
    entries = {"[Content_Types].xml": CT_XML.format(sheets="".join(SHEET_CT.format(i=i) for i in range(1, len(sheets) + 1))),
               "_rels/.rels": ROOT_RELS, "xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels}
    for i, (_, _, data) in enumerate(sheets, 1):
        entries[f"xl/worksheets/sheet{i}.xml"] = data if data.startswith("<?xml") else (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>{data}</sheetData></worksheet>')
    return stable_zip({name: text.encode("utf-8") for name, text in entries.items()})


JA_HEADER = ["活動ID", "日付", "任命先", "種別", "通話結果"]


def ja_rows(prefix: str, count: int = 3, start: int = 2) -> str:
    return "".join(inline_row(start + i, [f"{prefix}{i + 1}", f"2025-04-0{i + 1} 09:00", "佐藤 健", "電話", "接続"])
                   for i in range(count))


def hidden_stale_sheet_xlsx() -> bytes:
    """The first sheet is hidden and holds last quarter's rows; Excel opens on the visible second one."""
    return raw_workbook([("旧データ", "hidden", inline_row(1, JA_HEADER) + ja_rows("old")),
                         ("架電履歴", "visible", inline_row(1, JA_HEADER) + ja_rows("x"))], active=1)


def very_hidden_first_sheet_xlsx() -> bytes:
    """A veryHidden sheet first, a visible one second, activeTab left at 0 (the hidden one)."""
    return raw_workbook([("calc", "veryHidden", inline_row(1, JA_HEADER) + ja_rows("old")),
                         ("架電履歴", "visible", inline_row(1, JA_HEADER) + ja_rows("x"))], active=0)


def active_second_sheet_xlsx() -> bytes:
    """Two visible sheets with rows; the workbook was saved while the second was open."""
    return raw_workbook([("先月", "visible", inline_row(1, JA_HEADER) + ja_rows("old")),
                         ("今月", "visible", inline_row(1, JA_HEADER) + ja_rows("x"))], active=1)


def uncalculated_formulas_xlsx() -> bytes:
    """Written by a script: the date column is =DATE(…) formulas that Excel never calculated (no cached value)."""
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>u{r - 1}</t></is></c><c r="B{r}"><f>DATE(2025,4,{r})</f>'
                    f'</c><c r="C{r}" t="inlineStr"><is><t>佐藤 健</t></is></c><c r="D{r}" t="inlineStr"><is><t>電話</t></is>'
                    f'</c></row>' for r in range(2, 5))
    return raw_workbook([("Sheet1", "visible", inline_row(1, JA_HEADER[:4]) + cells)])


def uncalculated_unused_column_xlsx() -> bytes:
    """Formulas without a cached value only in a memo column no KPI reads: the rows load."""
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{r - 1}</t></is></c><c r="B{r}" t="inlineStr"><is>'
                    f'<t>2025-04-0{r - 1} 09:00</t></is></c><c r="C{r}" t="inlineStr"><is><t>佐藤 健</t></is></c>'
                    f'<c r="D{r}" t="inlineStr"><is><t>電話</t></is></c><c r="E{r}"><f>LEN(A{r})</f></c></row>'
                    for r in range(2, 5))
    return raw_workbook([("Sheet1", "visible", inline_row(1, [*JA_HEADER[:4], "社内メモ"]) + cells)])


def styled_empty_rows_xlsx() -> bytes:
    """2,000 rows holding only a style (a fill dragged down the sheet) between the data rows."""
    styled = "".join(f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>' for r in range(4, 2004))
    last = inline_row(2004, ["x3", "2025-04-03 09:00", "佐藤 健", "電話", "接続"])
    return raw_workbook([("Sheet1", "visible", inline_row(1, JA_HEADER) + ja_rows("x", 2) + styled + last)])


def dimension_lies_xlsx() -> bytes:
    """Three rows under a declared dimension of the whole sheet (A1:XFD1048576)."""
    data = inline_row(1, JA_HEADER) + ja_rows("x")
    return raw_workbook([("Sheet1", "visible", f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
                                               f'<dimension ref="A1:XFD1048576"/><sheetData>{data}</sheetData></worksheet>')])


def sparse_far_cell_xlsx() -> bytes:
    """Three rows and one stray value at ZZ1048576: a reader holding the sheet in memory would
    allocate 1,048,576 × 702 cells."""
    far = '<row r="1048576"><c r="ZZ1048576" t="inlineStr"><is><t>stray</t></is></c></row>'
    return raw_workbook([("Sheet1", "visible", inline_row(1, JA_HEADER) + ja_rows("x") + far)])


def prefixed_namespace_xlsx() -> bytes:
    """Cells written with a namespace prefix (`<x:c>`), as some .NET libraries do."""
    rows = inline_row(1, JA_HEADER, "x:") + "".join(
        inline_row(2 + i, [f"x{i + 1}", f"2025-04-0{i + 1} 09:00", "佐藤 健", "電話", "接続"], "x:") for i in range(3))
    return raw_workbook([("Sheet1", "visible", f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{MAIN_NS}">'
                                               f'<x:sheetData>{rows}</x:sheetData></x:worksheet>')])


def cells_without_references_xlsx() -> bytes:
    """Rows and cells without `r` attributes (allowed by the format: positions are implicit)."""
    def row(values: list[str]) -> str:
        return "<row>" + "".join(f'<c t="inlineStr"><is><t>{xml_text(v)}</t></is></c>' for v in values) + "</row>"
    rows = row(JA_HEADER) + "".join(row([f"x{i + 1}", f"2025-04-0{i + 1} 09:00", "佐藤 健", "電話", "接続"]) for i in range(3))
    return raw_workbook([("Sheet1", "visible", rows)])


def error_cells_xlsx() -> bytes:
    """Excel error values (#N/A, #VALUE!, #DIV/0!) in the date and duration cells of two rows."""
    def error(ref: str, code: str) -> str:
        return f'<c r="{ref}" t="e"><v>{code}</v></c>'
    header = inline_row(1, ["活動ID", "日付", "任命先", "種別", "通話時間"])
    good = inline_row(2, ["x1", "2025-04-01 09:00", "佐藤 健", "電話", "60"])
    bad = (f'<row r="3"><c r="A3" t="inlineStr"><is><t>x2</t></is></c>{error("B3", "#N/A")}<c r="C3" t="inlineStr"><is>'
           f'<t>佐藤 健</t></is></c><c r="D3" t="inlineStr"><is><t>電話</t></is></c>{error("E3", "#DIV/0!")}</row>')
    worse = (f'<row r="4"><c r="A4" t="inlineStr"><is><t>x3</t></is></c><c r="B4" t="inlineStr"><is><t>2025-04-02 10:00</t>'
             f'</is></c><c r="C4" t="inlineStr"><is><t>佐藤 健</t></is></c><c r="D4" t="inlineStr"><is><t>電話</t></is></c>'
             f'{error("E4", "#VALUE!")}</row>')
    return raw_workbook([("Sheet1", "visible", header + good + bad + worse)])


def merged_title_row_xlsx() -> bytes:
    """A report title merged across row 1, a blank row, then the header on row 3 (as a report saved to Excel)."""
    book = workbook({"レポート": [["架電レポート 2025年4月"], [], JA_HEADER,
                                  ["x1", datetime(2025, 4, 1, 9, 0), "佐藤 健", "電話", "接続"],
                                  ["x2", datetime(2025, 4, 1, 9, 30), "佐藤 健", "電話", "不在"]]})
    book["レポート"].merge_cells("A1:E1")
    return stable_workbook(book)


def offset_table_xlsx() -> bytes:
    """A table placed at B3 (column A and rows 1–2 empty), one data row below a blank row."""
    book = workbook({"Sheet1": []})
    sheet = book["Sheet1"]
    for row, values in ((3, JA_HEADER), (4, ["x1", datetime(2025, 4, 1, 9, 0), "佐藤 健", "電話", "接続"]),
                        (6, ["x2", datetime(2025, 4, 2, 9, 0), "佐藤 健", "電話", "日付なし"])):
        for column, value in enumerate(values, 2):
            sheet.cell(row=row, column=column, value=value)
    sheet.cell(row=7, column=2, value="x3")
    sheet.cell(row=7, column=4, value="佐藤 健")
    return stable_workbook(book)


def utf16_unpaired_surrogate() -> bytes:
    """UTF-16LE with a BOM whose third row holds a lone high surrogate (a name cut in half)."""
    head = codecs.BOM_UTF16_LE + lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0]).encode("utf-16-le")
    broken = "b2,2025-04-01 09:30,".encode("utf-16-le") + b"\x3d\xd8" + ",call,不在,0\n".encode("utf-16-le")
    return head + broken + (GOOD_ACTIVITY_ROWS[2] + "\n").encode("utf-16-le")


TZ_ROWS = ["z1,2025-04-01 00:00 UTC", "z2,2025-04-01T00:00:00Z", "z3,2025-04-01 00:00 GMT", "z4,2025-04-01 09:00 JST",
           "z5,2025-03-31 16:00 PST", "z6,2025-03-31 20:00 America/New_York", "z7,2025-04-01 00:00:00+00:00",
           "z8,2025-04-01 09:00 +15:00", "z9,2025-04-01 09:00 +09:60", "z10,2025-04-01 09:00 XYZ",
           "z11,2025-04-01 09:00 Mars/Olympus"]


X123 = ("x1", "x2", "x3")
ACT = ACTIVITY_HEADER

CASES += [
    # --- issue 13: workbooks
    Case("hidden_stale_sheet.xlsx", "the first sheet hidden (last quarter's rows), Excel opens on the visible second",
         "loads", build=hidden_stale_sheet_xlsx, records=3, must_load=X123, bug="the hidden first sheet was read"),
    Case("very_hidden_first_sheet.xlsx", "a veryHidden first sheet that activeTab still points at", "loads",
         build=very_hidden_first_sheet_xlsx, records=3, must_load=X123),
    Case("active_second_sheet.xlsx", "two visible sheets with rows, saved while the second was open", "loads",
         build=active_second_sheet_xlsx, records=3, must_load=X123, bug="the first sheet was read"),
    Case("uncalculated_formulas.xlsx", "the date column is formulas a script wrote and Excel never calculated",
         "error:uncalculated_formulas", build=uncalculated_formulas_xlsx,
         bug="every row rejected as “date missing”, as if the cells were empty"),
    Case("uncalculated_unused_column.xlsx", "uncalculated formulas only in a memo column no KPI reads", "loads",
         build=uncalculated_unused_column_xlsx, records=3, must_load=X123),
    Case("styled_empty_rows.xlsx", "2,000 rows holding only a style between the data rows", "loads",
         build=styled_empty_rows_xlsx, records=3, must_load=X123, bug="2,000 rows rejected as “date missing”"),
    Case("dimension_lies.xlsx", "three rows under a declared dimension of A1:XFD1048576", "loads", build=dimension_lies_xlsx,
         records=3, must_load=X123, bug="every row padded to 16,384 cells"),
    Case("sparse_far_cell.xlsx", "three rows and one stray value at ZZ1048576 (a dense reader's 700 M cells)", "loads",
         build=sparse_far_cell_xlsx, records=4, must_load=X123),
    Case("prefixed_namespace.xlsx", "cells written as <x:c> with a namespace prefix", "loads", build=prefixed_namespace_xlsx,
         records=3, must_load=X123),
    Case("cells_without_references.xlsx", "rows and cells without r attributes (positions implicit)", "loads",
         build=cells_without_references_xlsx, records=3, must_load=X123),
    Case("offset_table.xlsx", "a table placed at B3 (rows 1–2 empty): the message says row 1 holds no names",
         "error:no_header_names", build=offset_table_xlsx),
    Case("error_cells.xlsx", "Excel error cells #N/A, #DIV/0!, #VALUE! in a date and durations", "loads",
         build=error_cells_xlsx, records=3, must_load=("x1",)),
    Case("merged_title_row.xlsx", "a merged report title on row 1, a blank row, the header on row 3", "error:unknown_kind",
         build=merged_title_row_xlsx),
    # --- issue 13: text that must stay text
    Case("markdown_rep_names.csv", "rep names ![x](http://host/px.png), [click](…), :red[x], $x$, `code`, <b>", "loads",
         build=lambda: lines(ACT, "k1,2025-04-01 09:00,![x](http://host.example/px.png),call,接続,60",
                             "k2,2025-04-01 09:30,[click](http://evil.example/),call,不在,0",
                             "k3,2025-04-01 10:00,:red[赤字] :smile:,call,接続,60",
                             "k4,2025-04-01 10:30,$x^2$ `code`,call,接続,60",
                             "k5,2025-04-01 11:00,**太字** _斜体_ # 見出し,call,接続,60").encode(),
         records=5, must_load=("k1", "k2", "k3", "k4", "k5"), bug="drawn as an image, a link and red text on the Reps page"),
    Case("markdown_header_names.csv", "an unknown file whose headers are [click](http://…) and ![x](…)",
         "error:unknown_kind", build=lambda: lines("[click](http://evil.example/),![x](http://host.example/px.png),`a`",
                                                   "1,2,3").encode(), bug="the refusal message drew a link and an image"),
    Case("formula_header_names.csv", "headers =HYPERLINK(…), +cmd, -2+3, @SUM next to the known ones", "loads",
         build=lambda: lines(ACT + ',"=HYPERLINK(""http://evil.example/"")",+cmd,-2+3,@SUM(A1)',
                             GOOD_ACTIVITY_ROWS[0] + ",a,b,c,d", "b2,not a date,佐藤 健,call,不在,0,a,b,c,d").encode(),
         records=2, must_load=("b1",)),
    Case("nul_in_name_first_mb.csv", "a NUL inside a rep name near the top (the file reads as binary)", "error:not_a_table",
         build=lambda: lines(ACT, "b1,2025-04-01 09:00,佐\x00藤,call,接続,60").encode()),
    # --- issue 13: encodings and line endings
    Case("utf16_unpaired_surrogate.csv", "UTF-16LE whose row 3 holds a lone high surrogate", "error:undecodable",
         build=utf16_unpaired_surrogate, bug="UnicodeDecodeError raised past the loader, in the check step and the CLI"),
    Case("utf16le_no_bom.csv", "UTF-16LE without a BOM", "error",
         build=lambda: lines(ACT, *GOOD_ACTIVITY_ROWS).encode("utf-16-le")),
    Case("only_bom.csv", "a UTF-8 BOM and nothing else", "error:empty_file", build=lambda: b"\xef\xbb\xbf"),
    Case("cp932_halfwidth_kana.csv", "CP932 half-width katakana names (ｻﾄｳ ｹﾝ) and outcomes", "loads",
         build=lambda: lines("活動ID,日付,任命先,種別,通話結果", "h1,2025/04/01 9:00,ｻﾄｳ ｹﾝ,電話,接続",
                             "h2,2025/04/01 9:30,ｽｽﾞｷ ﾐｻｷ,電話,不在").encode("cp932"), records=2, must_load=("h1", "h2")),
    Case("cp932_extensions.csv", "CP932's NEC and IBM extension characters: ①, ㈱, 髙, 﨑, ≒", "loads",
         build=lambda: lines("活動ID,日付,任命先,種別,会社名", "e1,2025/04/01 9:00,髙橋 ①,電話,㈱山﨑",
                             "e2,2025/04/01 9:30,山﨑 ≒,電話,㈲テスト").encode("cp932"), records=2, must_load=("e1", "e2")),
    Case("crlf_with_one_lf_row.csv", "a CRLF export with one LF-ended row in the middle", "loads",
         build=lambda: ((ACT + "\r\n" + GOOD_ACTIVITY_ROWS[0] + "\r\n" + GOOD_ACTIVITY_ROWS[1] + "\n"
                         + GOOD_ACTIVITY_ROWS[2] + "\r\n").encode()), records=3, must_load=B123),
    Case("cr_only_line_endings.csv", "old Mac line endings (CR only)", "loads",
         build=lambda: lines(ACT, *GOOD_ACTIVITY_ROWS, end="\r").encode(), records=3, must_load=B123),
    Case("trailing_comma_header.csv", "a header ending in a comma over rows without it", "loads",
         build=lambda: lines(ACT + ",", *GOOD_ACTIVITY_ROWS).encode(), records=3, must_load=B123),
    Case("gzip_two_members.csv.gz", "two gzip members concatenated (a header file and a rows file)", "loads",
         build=lambda: zlib_gzip(lines(ACT, GOOD_ACTIVITY_ROWS[0]).encode()) + zlib_gzip(lines(*GOOD_ACTIVITY_ROWS[1:]).encode()),
         records=3, must_load=B123),
    # --- issue 13: layout
    Case("header_repeated_mid_file.csv", "two exports pasted together: the header line again mid-file (no BOM)", "loads",
         build=lambda: lines(ACT, *GOOD_ACTIVITY_ROWS[:2], ACT, GOOD_ACTIVITY_ROWS[2]).encode(), records=4, must_load=B123),
    Case("title_line_before_header.csv", "a report title line, then the header", "error:unknown_kind",
         build=lambda: lines("架電レポート 2025年4月", "活動ID,日付,任命先,種別", "t1,2025/04/01,佐藤 健,電話").encode("cp932")),
    Case("sep_hint_first_line.csv", "Excel's `sep=;` hint on the first line, then a ;-separated export", "error",
         build=lambda: lines("sep=;", ACT.replace(",", ";"), *(r.replace(",", ";") for r in GOOD_ACTIVITY_ROWS)).encode()),
    Case("delimiter_only_rows.csv", "rows of nothing but commas between data rows (Excel's saved empty rows)", "loads",
         build=lambda: lines(ACT, GOOD_ACTIVITY_ROWS[0], ",,,,,", ",,,,,", *GOOD_ACTIVITY_ROWS[1:]).encode(), records=5,
         must_load=B123),
    Case("quoted_header_with_line_break.csv", "a header name with a line break inside its quotes", "loads",
         build=lambda: lines('activity_id,occurred_at,rep,channel,"outcome\n(result)",duration_sec',
                             *GOOD_ACTIVITY_ROWS).encode(), records=3, must_load=B123),
    Case("very_long_header_name.csv", "a 10,000-character header name beside the known ones", "loads",
         build=lambda: lines(ACT + "," + "長" * 10_000, *(r + ",x" for r in GOOD_ACTIVITY_ROWS)).encode(), records=3,
         must_load=B123),
    Case("identical_rows_without_id.csv", "the same call twice in a file without an id column (both real)", "loads",
         build=lambda: lines("occurred_at,rep,channel,outcome", "2025-04-01 09:00,佐藤 健,call,不在",
                             "2025-04-01 09:00,佐藤 健,call,不在", "2025-04-01 09:05,佐藤 健,call,接続").encode(), records=3),
    # --- issue 13: values
    Case("named_time_zones.csv", "UTC, Z, GMT, JST, PST, America/New_York, +00:00; +15:00, +09:60, XYZ, Mars/Olympus",
         "loads", build=lambda: lines("activity_id,occurred_at,rep,channel", *(r + ",佐藤 健,call" for r in TZ_ROWS)).encode(),
         records=11, must_load=tuple(f"z{i}" for i in range(1, 8)),
         bug="every zone dropped (loaded as Tokyo time); +15:00 and +09:60 accepted"),
    Case("japanese_era_dates.csv", "dates in the Japanese era (令和7年4月1日, R7.4.1)", "loads",
         build=lambda: lines(ACT, "j1,令和7年4月1日 9:00,佐藤 健,call,接続,60", "j2,R7.4.1,佐藤 健,call,接続,60",
                             GOOD_ACTIVITY_ROWS[2]).encode(), records=3, must_load=("b3",)),
    Case("ampm_times.csv", "times with 午前/午後 and AM/PM", "loads",
         build=lambda: lines(ACT, "p1,2025/04/01 午後 3:05:00,佐藤 健,call,接続,60", "p2,4/1/2025 3:05 PM,佐藤 健,call,接続,60",
                             GOOD_ACTIVITY_ROWS[2]).encode(), records=3, must_load=("b3",)),
    Case("impossible_calendar_dates.csv", "2025-02-30, 2025-13-01, 2025-04-01 24:61", "loads",
         build=lambda: lines(ACT, "c1,2025-02-30 09:00,佐藤 健,call,接続,60", "c2,2025-13-01 09:00,佐藤 健,call,接続,60",
                             "c3,2025-04-01 24:61,佐藤 健,call,接続,60", GOOD_ACTIVITY_ROWS[2]).encode(), records=4,
         must_load=("b3",)),
    Case("fullwidth_values.csv", "full-width digits and separators: ２０２５／０４／０１ ０９：００, durations １２０", "loads",
         build=lambda: lines(ACT, "w1,２０２５／０４／０１ ０９：００,佐藤 健,call,接続,１２０",
                             "w2,2025-04-01 09:30,佐藤 健,call,接続,－５").encode(), records=2, must_load=("w1",)),
    Case("excel_error_values.csv", "#N/A, #VALUE!, #DIV/0! and #REF! as values in a CSV", "loads",
         build=lambda: lines(ACT, "v1,#N/A,佐藤 健,call,接続,60", "v2,2025-04-01 09:00,佐藤 健,call,接続,#DIV/0!",
                             "v3,2025-04-01 09:30,#REF!,call,#VALUE!,60", GOOD_ACTIVITY_ROWS[2]).encode(), records=4,
         must_load=("v3", "b3")),
    Case("padded_values.csv", "values padded with ASCII and full-width spaces and tabs", "loads",
         build=lambda: lines(ACT, "s1 ,  2025-04-01 09:00 ,\u3000佐藤 健\u3000, call ,接続\t, 60 ").encode(), records=1,
         must_load=("s1",)),
    Case("zero_width_ids.csv", "two ids that differ only by a zero-width space", "loads",
         build=lambda: lines(ACT, "a1,2025-04-01 09:00,佐藤 健,call,接続,60",
                             "a1\u200b,2025-04-01 09:30,佐藤 健,call,不在,0").encode(), records=2),
    Case("exponent_durations.csv", "durations as 1.5e2, 1E3 and 0x10 (rejected: no call log writes them)", "loads",
         build=lambda: lines(ACT, "x1,2025-04-01 09:00,佐藤 健,call,接続,1.5e2", "x2,2025-04-01 09:30,佐藤 健,call,接続,1E3",
                             "x3,2025-04-01 10:00,佐藤 健,call,接続,0x10").encode(), records=3),
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



def write_broken_lines_2m(path: Path) -> None:
    """A header and 2,000,000 short lines of one field each (4 MB): DuckDB spends kilobytes on each."""
    with path.open("wb") as out:
        out.write(lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0]).encode())
        block = b"x\n" * 100_000
        for _ in range(20):
            out.write(block)


def write_blank_lines_gzip(path: Path) -> None:
    """A gzip (about 1 MB) of a header, a row and a gigabyte of blank lines, then a row."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(compressor.compress(lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0]).encode()))
        block = b"\n" * (1 << 24)
        for _ in range(64):
            out.write(compressor.compress(block))
        out.write(compressor.compress((GOOD_ACTIVITY_ROWS[2] + "\n").encode()) + compressor.flush())


def write_styled_empty_rows_1m(path: Path) -> None:
    """Two data rows, 1,000,000 rows holding only a style, then a data row (about 5 MB)."""
    styled = "".join(f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/><c r="C{r}" s="1"/></row>'
                     for r in range(4, 1_000_004))
    last = inline_row(1_000_004, ["x3", "2025-04-03 09:00", "佐藤 健", "電話", "接続"])
    path.write_bytes(raw_workbook([("Sheet1", "visible", inline_row(1, JA_HEADER) + ja_rows("x", 2) + styled + last)]))


def write_shared_strings_bomb(path: Path) -> None:
    """A 1 MB workbook whose shared-strings part inflates to 1 GB."""
    small = raw_workbook([("Sheet1", "visible", inline_row(1, JA_HEADER) + ja_rows("x"))])
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}"><si><t>'.encode())
            block = b"A" * (1 << 24)
            for _ in range(64):
                strings.write(block)
            strings.write(b"</t></si></sst>")


def write_trailing_comma_300k(path: Path) -> None:
    """A header with a trailing comma, then 300,000 rows without it (as a CRM report writes them)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(ACTIVITY_HEADER + ",\n")
        out.writelines(f"t{i},2025-04-{1 + i % 28:02d} {9 + i % 9:02d}:{i % 60:02d},rep{i % 20},call,不在,{i % 300}\n"
                       for i in range(300_000))


def write_nul_after_first_mb(path: Path) -> None:
    """A megabyte of good rows, then a row whose rep name holds a NUL, then a good row."""
    with path.open("wb") as out:
        out.write((ACTIVITY_HEADER + "\n").encode())
        for i in range(30_000):
            out.write(f"n{i},2025-04-01 09:00,佐藤 健,call,不在,0\n".encode())
        out.write("nul,2025-04-01 09:00,佐\x00藤,call,接続,60\nlast,2025-04-01 09:30,佐藤 健,call,接続,60\n".encode())


def write_crlf_long_email(path: Path) -> None:
    """A CRLF export with one LF-ended row and a 190 KB quoted e-mail body (lines and commas inside)."""
    body = ("お世話になっております。\r\n件名, 日程, ご提案\r\n" * 4_000)[: 190_000]
    with path.open("wb") as out:
        out.write((ACTIVITY_HEADER + ",body\r\n" + GOOD_ACTIVITY_ROWS[0] + ",short\r\n").encode())
        out.write((GOOD_ACTIVITY_ROWS[1] + ",lf row\n").encode())
        out.write(f'e1,2025-04-01 11:00,佐藤 健,email,,0,"{body}"\r\n'.encode())
        out.write((GOOD_ACTIVITY_ROWS[2] + ",end\r\n").encode())


def write_blank_lines_11mib(path: Path) -> None:
    """A row, 11 MiB of blank lines (beyond DuckDB's buffer), then the last row."""
    with path.open("wb") as out:
        out.write(lines(ACTIVITY_HEADER, GOOD_ACTIVITY_ROWS[0]).encode())
        out.write(b"\r\n" * (11 << 19))
        out.write((GOOD_ACTIVITY_ROWS[2] + "\n").encode())


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
    # --- issue 13: memory (each also run alone in a subprocess, its peak measured)
    Case("broken_lines_2m.csv", "2,000,000 one-field lines in 4 MB", "error:too_many_broken_rows",
         write=write_broken_lines_2m, memory=True, bug="8 GB peak (about 4 KB per rejected row)"),
    Case("blank_lines_1gb.csv.gz", "a 1 MB gzip of a gigabyte of blank lines", "error:too_big_line",
         write=write_blank_lines_gzip, memory=True, bug="2–6 GB and 10 minutes"),
    Case("styled_empty_rows_1m.xlsx", "1,000,000 styled empty rows between data rows (5 MB)", "loads",
         write=write_styled_empty_rows_1m, records=3, must_load=X123, memory=True,
         bug="4 GB, and the empty rows counted as 100,000s of rejections"),
    Case("shared_strings_bomb.xlsx", "a 1 MB workbook whose shared strings inflate to 1 GB", "error:too_big_text",
         write=write_shared_strings_bomb, memory=True, bug="6 GB peak for a 3 GB part"),
    Case("trailing_comma_300k.csv", "a header with a trailing comma over 300,000 rows without it", "loads",
         write=write_trailing_comma_300k, records=300_000, must_load=("t0", "t299999"), memory=True,
         bug="193,121 rows read: 106,879 never counted"),
    Case("nul_after_first_mb.csv", "a NUL inside a rep name after the first megabyte", "loads",
         write=write_nul_after_first_mb, records=30_002, must_load=("n0", "last"), bug="the NUL loaded into the name"),
    Case("crlf_long_email.csv", "CRLF, one LF-ended row and a 190 KB quoted e-mail body", "loads",
         write=write_crlf_long_email, records=4, must_load=(*B123, "e1"),
         bug="_csv.Error: field larger than field limit; DuckDB: not accepted as a newline"),
    Case("blank_lines_11mib.csv", "11 MiB of blank lines before the last row", "loads", write=write_blank_lines_11mib,
         records=2, must_load=("b1", "b3"), bug="the last row vanished"),
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
