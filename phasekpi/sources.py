"""Opening what users upload: recognise the file, its encoding and its dialect; hand DuckDB UTF-8.

DuckDB's CSV reader knows only UTF-8, UTF-16 and Latin-1 without downloading an extension, so
anything else (CP932/Shift_JIS above all) is transcoded to a UTF-8 copy in a streaming way:
1 MB at a time through an incremental decoder, constant memory. The encoding is decided on
the whole file, never on its first kilobytes (a CP932 export often starts with ASCII rows).
`.xlsx` workbooks are written out as UTF-8 CSV (the first sheet or the one asked for).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import os
import re
import stat
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy

from phasekpi import PROJECT_ROOT, workbook
from phasekpi.problems import Problem

CHUNK = 1 << 20
MAX_TEXT_BYTES = 4 << 30  # a file's text, once unpacked: 10 M activity rows are about 1 GB
MAX_LINE_BYTES = 128 << 20  # one line or run of blank lines: DuckDB's buffer is twice this
# Python's csv module refuses fields over 128 KB; a pasted e-mail body is a value, not an error
# (ingest rejects values over MAX_VALUE_CHARS with their row and column instead).
csv.field_size_limit(1 << 30)
SAMPLE_CHARS = 64 * 1024
MAX_HEADER_BYTES = 32 << 20  # a header line longer than this is not a CRM export
DELIMITERS = (",", "\t", ";", "|")
# Tried in this order on the whole file; cp932 is a superset of Shift_JIS (㈱, 髙, ① …).
TEXT_ENCODINGS = ("utf-8", "cp932")  # the first is read as it is; later ones are copied
NOT_TABLES = {  # leading bytes of files people rename to .csv by mistake
    b"%PDF": "PDF", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"PK\x03\x04": "ZIP",
    b"\xd0\xcf\x11\xe0": "Excel 97-2003 (.xls)", b"Rar!": "RAR", b"7z\xbc\xaf": "7z",
}


IMPORT_SUFFIXES = (".csv", ".txt", ".tsv", ".gz", ".xlsx")
IMPORT_DIR = PROJECT_ROOT / "data" / "import"


def import_dir() -> Path:
    """The server folder for exports too big to upload (`$PHASEKPI_IMPORT_DIR`, else data/import/)."""
    return Path(os.environ.get("PHASEKPI_IMPORT_DIR") or IMPORT_DIR)


def importable_files(folder: Path | None = None) -> list[Path]:
    """Export files directly in the import folder, by name; users pick from this list, never type a path.
    Only regular files that are really there: a symbolic link (to /etc/passwd, or to a CSV elsewhere)
    and special files (pipes, devices) are not listed."""
    folder = (folder or import_dir()).resolve()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if not p.is_symlink() and stat.S_ISREG(p.lstat().st_mode) and p.resolve().parent == folder
                  and p.suffix.lower() in IMPORT_SUFFIXES)


@dataclass(frozen=True)
class SourceFile:
    """A table file ready for DuckDB: UTF-8 text at `path`, its dialect and header."""

    name: str  # what the user called it
    path: Path  # what DuckDB reads (the original, or our UTF-8 copy)
    encoding: str  # as detected: utf-8, utf-8-sig, cp932, utf-16, xlsx
    delimiter: str
    header: tuple[str, ...]
    sheet: str | None = None
    temporary: bool = False  # `path` is our copy, to delete after loading
    compression: str = "none"  # "gzip" when `path` is gzip-compressed, whatever its name says
    line_ending: str | None = None  # "\r\n", or None for DuckDB to detect
    longest_line: int = 0  # bytes, when some line is longer than CHUNK (DuckDB must be told, see ingest)
    blank_runs: tuple[tuple[int, int], ...] = ()  # (first line, count) of empty lines (header = 1), to number rows past them
    delimiter_mismatch: int = 0  # delimiters off a rectangular file's count (LineFacts): many means many broken rows
    uncalculated: dict[str, tuple[int, str]] = field(default_factory=dict)  # header → formulas without value: count, cell
    workbook_reader: str = ""  # calamine or openpyxl: what copied an xlsx sheet to `path`
    nul_bytes: bool = False  # a NUL past the first megabyte (before it, the file is binary): rows holding one are rejected

    @property
    def pads_short_rows(self) -> bool:
        """A header ending in a delimiter (`a,b,c,`) over rows that do not: DuckDB pads short rows
        (null_padding), the nameless last column empty."""
        return len(self.header) > 1 and not self.header[-1].strip()

    def discard(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)


def read_source(path: Path, name: str, sheet: str | None = None) -> tuple[SourceFile | None, Problem | None]:
    """Recognise a file; a Problem says why it cannot be read as a table."""
    try:
        return _read_source(path, name, sheet)
    except (EOFError, OSError, zlib.error):  # a truncated or damaged gzip stream
        return None, Problem("unreadable", {"file": name})


def _read_source(path: Path, name: str, sheet: str | None) -> tuple[SourceFile | None, Problem | None]:
    with path.open("rb") as stream:
        head = stream.read(8)
    if not head:
        return None, Problem("empty_file", {"file": name})
    if head.startswith(b"PK\x03\x04") and workbook.is_workbook(path):
        return _from_workbook(path, name, sheet)
    if head.startswith(b"PK") and name.lower().endswith((".xlsx", ".xlsm")):  # a zip, but not a whole workbook
        return None, Problem("damaged_workbook", {"file": name})
    kind = next((label for magic, label in NOT_TABLES.items() if head.startswith(magic)), None)
    if kind:
        return None, Problem("not_a_table", {"file": name, "kind": kind})
    compressed = head.startswith(b"\x1f\x8b")
    scan = LineScan()
    try:
        encoding, copy = utf8_text(path, compressed, scan)
    except MixedEncoding as mixed:
        return None, Problem("mixed_encoding", {"file": name, "row": mixed.line})
    except Undecodable as broken:
        return None, Problem("undecodable", {"file": name, "row": broken.line, "encoding": broken.encoding})
    except TooBig as big:
        return None, Problem(f"too_big_{big.what}", {"file": name, "limit": f"{big.limit >> 20:,}"})
    if encoding is None:
        return None, Problem("unknown_encoding", {"file": name})
    if encoding == "binary":
        return None, Problem("not_a_table", {"file": name, "kind": "binary"})
    readable = copy or path
    sample = _sample(readable)
    if not sample.strip():
        return _refused(copy, Problem("empty_file", {"file": name}))
    if "\n" not in sample and len(sample) >= MAX_HEADER_BYTES // 4:
        return _refused(copy, Problem("unreadable", {"file": name}))  # a header line that never ends
    try:
        delimiter, header = sniff_dialect(sample)
    except csv.Error:  # a field beyond any CRM's
        return _refused(copy, Problem("unreadable", {"file": name}))
    try:
        facts = scan.facts() if readable == path else line_facts(readable)  # UTF-8: seen while checking
    except TooBig as big:
        return _refused(copy, Problem(f"too_big_{big.what}", {"file": name, "limit": f"{big.limit >> 20:,}"}))
    if facts.longest > MAX_LINE_BYTES:
        return _refused(copy, Problem("too_big_line", {"file": name, "limit": f"{MAX_LINE_BYTES >> 20:,}"}))
    return SourceFile(name, readable, encoding, delimiter, tuple(header), temporary=readable != path,
                      compression="gzip" if compressed and readable == path else "none",
                      **_line_shape(facts, sample, delimiter, len(header))), None


def _line_shape(facts: LineFacts, sample: str, delimiter: str, columns: int) -> dict[str, object]:
    """What the loader must know of a file's lines (the SourceFile fields from its LineFacts)."""
    return {"line_ending": line_ending(sample), "longest_line": facts.longest, "blank_runs": facts.blank_runs,
            "delimiter_mismatch": facts.delimiter_mismatch(delimiter, columns), "nul_bytes": facts.nul_bytes > 0}


def _refused(copy: Path | None, problem: Problem) -> tuple[None, Problem]:
    """A file we cannot read: our UTF-8 copy of it (if any) goes."""
    if copy:
        copy.unlink(missing_ok=True)
    return None, problem


def _open(path: Path, compressed: bool) -> BinaryIO:
    return gzip.open(path, "rb") if compressed else path.open("rb")


class TooBig(ValueError):
    """A file whose text (once unpacked) or one of whose lines is beyond what one load may take."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} over {limit} bytes")
        self.what, self.limit = what, limit


def _chunks(path: Path, compressed: bool) -> Iterator[bytes]:
    """The file's bytes (unpacked when gzip) a CHUNK at a time, never more than MAX_TEXT_BYTES: a few
    kilobytes of gzip can unpack to gigabytes."""
    read = 0
    with _open(path, compressed) as stream:
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            if read > MAX_TEXT_BYTES:
                raise TooBig("text", MAX_TEXT_BYTES)
            yield chunk


def utf8_text(path: Path, compressed: bool = False,
              scan: LineScan | None = None) -> tuple[str | None, Path | None]:
    """The file's encoding and, unless it is UTF-8 already, a UTF-8 copy of it (None: read the file
    itself). The encoding is "binary" for what is not text, None when no encoding decodes all of it.
    A non-UTF-8 candidate is decoded and copied in the same pass; a decoding error drops the copy.
    Raises MixedEncoding for UTF-8 Japanese that turns into other bytes: rows in two encodings.
    `scan` sees every chunk of a file that is UTF-8 already."""
    first = next(_chunks(path, compressed), b"")
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return "utf-16", transcode(path, "utf-16", compressed)
        except UnicodeDecodeError as error:  # an unpaired surrogate, a cut-off character
            raise Undecodable("UTF-16", getattr(error, "line", 1)) from error
    if b"\x00" in first:
        return "binary", None
    if sum(1 for b in first[:4096] if b < 9 or 13 < b < 32) > 4:  # control bytes: not text
        return "binary", None
    invalid_line, multibyte_before = _utf8_check(path, compressed, scan)
    if invalid_line is None:
        return ("utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"), None
    if multibyte_before:  # UTF-8 Japanese up to this line, then other bytes: never guess line by line
        raise MixedEncoding(invalid_line)
    for encoding in TEXT_ENCODINGS[1:]:
        try:
            return encoding, transcode(path, encoding, compressed)
        except UnicodeDecodeError:
            continue
    return None, None


class Undecodable(ValueError):
    """A file in `encoding` (told by its byte-order mark) with bytes on `line` that do not decode."""

    def __init__(self, encoding: str, line: int) -> None:
        super().__init__(f"not {encoding} on line {line}")
        self.encoding, self.line = encoding, line


class MixedEncoding(ValueError):
    """UTF-8 text with multi-byte characters up to `line`, where bytes that are not UTF-8 begin."""

    def __init__(self, line: int) -> None:
        super().__init__(f"not UTF-8 from line {line}")
        self.line = line


def _utf8_check(path: Path, compressed: bool, scan: LineScan | None = None) -> tuple[int | None, bool]:
    """The line (1-based) of the first byte that is not UTF-8 (None: all of it is), and whether a
    multi-byte character decoded before it; `scan` is fed every chunk on the way."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines, multibyte = 0, False
    chunk, pending = b"", 0
    try:
        for chunk in _chunks(path, compressed):
            pending = len(decoder.getstate()[0])  # bytes of a character split across chunks, decoded with this one
            decoder.decode(chunk)
            multibyte = multibyte or not chunk.isascii()
            newlines += chunk.count(b"\n")
            if scan:
                scan.feed(chunk)
        chunk, pending = b"", len(decoder.getstate()[0])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        prefix = chunk[:max(0, error.start - pending)]
        return newlines + prefix.count(b"\n") + 1, multibyte or not prefix.isascii()
    return None, multibyte


def transcode(path: Path, encoding: str, compressed: bool = False) -> Path:
    """A UTF-8 copy of the file, written chunk by chunk; raises UnicodeDecodeError (leaving no copy)
    when some bytes are not `encoding`, with the line they are on as its `line`."""
    decoder = codecs.getincrementaldecoder(encoding)()
    handle, target = tempfile.mkstemp(prefix="phasekpi-", suffix=".csv")
    lines, chunk = 1, b""
    try:
        with os.fdopen(handle, "wb") as out:
            started = False
            for chunk in _chunks(path, compressed):
                text = decoder.decode(chunk)
                if not started and text:
                    text, started = text.lstrip("\ufeff"), True  # DuckDB wants no byte-order mark
                lines += text.count("\n")
                out.write(text.encode("utf-8"))
            chunk = b""
            out.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as error:
        Path(target).unlink(missing_ok=True)
        error.line = lines + chunk[:error.start].decode(encoding, errors="ignore").count("\n")  # type: ignore[attr-defined]
        raise
    except BaseException:
        Path(target).unlink(missing_ok=True)
        raise
    return Path(target)


def _sample(path: Path) -> str:
    """The file's first 64 K characters, or more when its header line is longer (10,000 columns)."""
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    with _open(path, compressed) as stream:
        raw = stream.read(SAMPLE_CHARS * 4)
        while raw.count(b"\n") < 2 and len(raw) < MAX_HEADER_BYTES and (more := stream.read(CHUNK)):
            raw += more
    text = raw.decode("utf-8-sig", errors="replace")
    return text if text.count("\n", 0, SAMPLE_CHARS) < 2 else text[:SAMPLE_CHARS]


NEWLINE, QUOTE = ord("\n"), ord('"')
LINE_BREAKS = b"\r\n"


class LineScan:
    """Facts about a file's lines, gathered chunk by chunk during a pass that reads it anyway: the
    byte length of the longest line when one spans a whole CHUNK (else 0), and whether some line is
    blank (DuckDB skips those without counting them, so rows after them need renumbering). A run of
    blank lines counts as a line too: DuckDB reads it as one, and a run longer than its buffer
    silently swallows the row after it."""

    def __init__(self) -> None:
        self.longest = self.current = self.breaks = 0
        self.newlines = self.quotes = self.nuls = 0
        self.delimiters = dict.fromkeys(DELIMITERS, 0)
        self.ends_with_newline = True
        self.runs: list[list[int]] = []  # [first line, count] of blank lines
        self.last = b""

    def feed(self, chunk: bytes) -> None:
        self._blank_runs(chunk)
        counts = numpy.bincount(numpy.frombuffer(chunk, dtype=numpy.uint8), minlength=256)  # one pass, not seven
        self.newlines += int(counts[NEWLINE])
        self.quotes += int(counts[QUOTE])
        self.nuls += int(counts[0])
        for delimiter in self.delimiters:
            self.delimiters[delimiter] += int(counts[ord(delimiter)])
        self.ends_with_newline = chunk.endswith(b"\n")
        self._breaks(chunk)
        if self.longest > MAX_LINE_BYTES:  # say so now, not after unpacking gigabytes of it
            raise TooBig("line", MAX_LINE_BYTES)
        first = chunk.find(b"\n")
        if first < 0:
            self.current += len(chunk)
            return
        self.longest = max(self.longest, self.current + first)
        self.current = len(chunk) - chunk.rfind(b"\n") - 1

    def _blank_runs(self, chunk: bytes) -> None:
        """Runs of blank lines, one regex match a run (a million blank lines are one match), numbered
        by the line breaks before them; the previous chunk's last two bytes join a run across chunks."""
        if self.runs and not chunk.strip(LINE_BREAKS) and self.last.endswith(b"\n") \
                and sum(self.runs[-1]) == self.newlines + 1:  # a whole chunk inside a run of blank lines
            self.runs[-1][1] += chunk.count(b"\n")
            self.last = (self.last + chunk)[-2:]
            return
        data, offset = self.last + chunk, len(self.last)
        carried = data.count(b"\n", 0, offset)  # breaks of the previous chunk, counted there already
        for match in BLANK_RUN.finditer(data):
            start = max(match.start(1), offset)
            count = data.count(b"\n", start, match.end(1))
            if not count:
                continue
            first = self.newlines - carried + data.count(b"\n", 0, start) + 1
            if self.runs and sum(self.runs[-1]) == first:
                self.runs[-1][1] += count
            else:
                self.runs.append([first, count])
        self.last = data[-2:]

    def _breaks(self, chunk: bytes) -> None:
        """The longest run of line-break bytes, across chunk boundaries (only long runs are searched)."""
        leading = len(chunk) - len(chunk.lstrip(LINE_BREAKS))
        if leading == len(chunk):
            self.breaks += leading
            self.longest = max(self.longest, self.breaks)
            return
        self.longest = max(self.longest, self.breaks + leading)
        if self.runs:  # a long run of line breaks is a run of blank lines: none yet, none to search
            self.longest = max([self.longest, *(len(m[0]) for m in LONG_BREAKS.finditer(chunk))])
        self.breaks = len(chunk) - len(chunk.rstrip(LINE_BREAKS))

    def facts(self) -> LineFacts:
        """The longest line or run of blank lines (or 0), the runs of blank lines as (first line,
        count), and the counts of lines, quotes and delimiters. (A blank line inside a quoted value
        is counted too.)"""
        longest = max(self.longest, self.current)
        runs = self.runs
        lines = self.newlines + (0 if self.ends_with_newline else 1)
        return LineFacts(longest if longest > CHUNK else 0, tuple((first, count) for first, count in runs), lines,
                         self.quotes, dict(self.delimiters), self.nuls)


@dataclass(frozen=True)
class LineFacts:
    longest: int
    blank_runs: tuple[tuple[int, int], ...]
    lines: int
    quotes: int
    delimiters: dict[str, int]
    nul_bytes: int = 0

    def delimiter_mismatch(self, delimiter: str, columns: int) -> int:
        """How far the file's delimiters are from a rectangular file's, where every non-blank line
        holds columns − 1 of them: the shortfall, or in a file without quotes (which could hide
        delimiters or line breaks) the difference either way. Many means many broken rows."""
        blank = sum(count for _, count in self.blank_runs)
        shortfall = (columns - 1) * (self.lines - blank) - self.delimiters.get(delimiter, 0)
        return abs(shortfall) if self.quotes == 0 else shortfall


LONG_BREAKS = re.compile(rb"[\r\n]{65536,}")
BLANK_RUN = re.compile(rb"\n([\r\n]+)")  # a line break, then the breaks of the blank lines after it


def line_facts(path: Path, compressed: bool = False) -> LineFacts:
    scan = LineScan()
    for chunk in _chunks(path, compressed):
        scan.feed(chunk)
    return scan.facts()


def line_ending(sample: str, quote: str = '"') -> str | None:
    """"\r\n" when the header record ends with CRLF; None to let DuckDB tell (it guesses from the first
    line break, even one inside a quoted header name)."""
    quoted = False
    for index, char in enumerate(sample):
        if char == quote:
            quoted = not quoted
        elif char == "\n" and not quoted:
            return "\r\n" if index and sample[index - 1] == "\r" else None
    return None


def sniff_dialect(sample: str) -> tuple[str, list[str]]:
    """The delimiter whose rows agree best with the header's field count, and that header."""
    lines = sample.splitlines(keepends=True)
    complete = "".join(lines[:-1]) if len(lines) > 1 else sample  # the last line may be cut off

    def score(delimiter: str) -> tuple[float, int]:
        rows = [row for row, _ in zip(csv.reader(io.StringIO(complete, newline=""), delimiter=delimiter), range(50),
                                      strict=False)]
        if not rows or len(rows[0]) < 2:
            return (0.0, 0)
        agree = sum(1 for row in rows[1:] if len(row) == len(rows[0]))
        return ((agree + 1) / len(rows), len(rows[0]))

    delimiter = max(DELIMITERS, key=score)
    header = next(csv.reader(io.StringIO(complete, newline=""), delimiter=delimiter), [])
    return delimiter, [h.strip().lstrip("\ufeff") for h in header]


def broken_records(source: SourceFile, limit: int) -> int:
    """Records DuckDB would reject for their number of fields (not the header's; only too many when it
    pads short rows), counted by Python's csv module (which knows quotes) up to one more than `limit`:
    called when a file's delimiter count says it may hold many, since DuckDB spends kilobytes of
    memory on each one it rejects."""
    broken = 0
    with _open(source.path, source.compression == "gzip") as raw, \
            io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text:
        rows = csv.reader(text, delimiter=source.delimiter)
        next(rows, None)
        for row in rows:
            if row and (len(row) > len(source.header) if source.pads_short_rows else len(row) != len(source.header)):
                broken += 1
                if broken > limit:
                    break
    return broken


def normalised(source: SourceFile, limit: int | None = None) -> SourceFile:
    """The same table rewritten by Python's csv module: one kind of line ending, minimal quoting;
    the header and the first `limit` rows only when given (a preview).

    DuckDB's reader stops on a file that mixes line endings (LF and CRLF) or has bare CRs;
    Python reads those row by row, so this is the fallback when DuckDB refuses a file."""
    handle, target = tempfile.mkstemp(prefix="phasekpi-", suffix=".csv")
    with _open(source.path, source.compression == "gzip") as raw, \
            io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as text, \
            os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        rows = csv.reader(text, delimiter=source.delimiter)
        csv.writer(out, lineterminator="\n").writerows(rows if limit is None else itertools.islice(rows, limit + 1))
    longest = line_facts(Path(target)).longest if limit is None else 0  # a long blank run stays one: tell DuckDB
    return SourceFile(source.name, Path(target), source.encoding, ",", source.header, source.sheet, temporary=True,
                      longest_line=longest)


def _from_workbook(path: Path, name: str, sheet: str | None) -> tuple[SourceFile | None, Problem | None]:
    """The chosen (or active visible) sheet as a UTF-8 CSV; dates as ISO text, numbers as written."""
    try:
        copy = workbook.copy_sheet(path, sheet, MAX_TEXT_BYTES)
    except workbook.WorkbookProblem as problem:
        params = {"limit": f"{MAX_TEXT_BYTES >> 20:,}"} if problem.key == "too_big_text" else {}
        return None, Problem(problem.key, {"file": name, **params})
    sample = _sample(copy.path)
    if not sample.strip():
        copy.path.unlink(missing_ok=True)
        return None, Problem("empty_file", {"file": name})
    _, header = sniff_dialect(sample)
    facts = line_facts(copy.path)
    uncalculated = {header[column]: found for column, found in copy.uncalculated.items() if column < len(header)}
    return SourceFile(name, copy.path, "xlsx", ",", tuple(header), sheet=copy.sheet, temporary=True,
                      uncalculated=uncalculated, workbook_reader=copy.reader,
                      **_line_shape(facts, sample, ",", len(header))), None
