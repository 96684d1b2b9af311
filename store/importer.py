"""Read uploaded files into interactions and import them in one transaction.

Formats are told apart by content first (a zip or OLE container is a workbook, "WEBVTT"
a caption file, a leading "{" JSONL), then by extension; failing both, text whose first
line is a "###" header or a known "Speaker:" label is a plain transcript, anything else CSV.

Text is decoded as UTF-8 (a UTF-8 byte-order mark is dropped), as UTF-16 when it starts
with a UTF-16 byte-order mark, and otherwise as Windows-1252, which Excel on Windows uses
for "CSV" and which accepts almost any bytes; a note says when that fallback was used.
CSV cells are split on whichever of ",", ";", tab or "|" is most frequent in the first line.

Workbooks are read from the first sheet, header in row 1. Before openpyxl sees one, the
zip's declared sizes are checked: CPython's zipfile stops inflating a member at its
declared size, so those sizes bound what a zip bomb can unpack to.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from itertools import islice
from pathlib import Path, PurePath
from typing import Any, Literal

import openpyxl
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scoring.parsers import (
    SPEAKER_LABELS,
    ColumnMapping,
    Layout,
    ParsedFile,
    ParseIssue,
    guess_layout,
    guess_mapping,
    parse_jsonl,
    parse_plain_transcript,
    parse_rows,
    parse_webvtt,
)
from store import audit
from store.ingest import ingest_interactions
from store.models import Customer, Employee, ImportBatch, Team
from store.models import Interaction as InteractionRow
from store.spreadsheet import safe_cell
from store.users import AuthUser

Format = Literal["csv", "xlsx", "jsonl", "text", "vtt"]
Progress = Callable[[int, int], None]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_XLSX_MEMBERS = 10_000
SNIFF_BYTES = 4096

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and password-protected .xlsx
_EXTENSIONS: Mapping[str, Format] = {
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xlsx",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".txt": "text", ".vtt": "vtt",
}
_FIRST_LABEL = re.compile(r"\s*(?:\[[\d:.]+\]\s*)?([^\W\d_]+)\s*:")
_DELIMITERS = (",", ";", "\t", "|")

# Column sizes the database enforces (PostgreSQL refuses longer values; SQLite would not notice).
_STORED_LENGTHS: Mapping[str, int] = {
    "id": InteractionRow.__table__.c.external_id.type.length,
    "customer_name": InteractionRow.__table__.c.customer_name.type.length,
    "customer_id": Customer.__table__.c.external_id.type.length,
    "agent": Employee.__table__.c.name.type.length,
    "team": Team.__table__.c.name.type.length,
}


@dataclass
class ImportReport:
    """What happened to one file: counts, every issue, and the batch written (None when nothing was)."""

    filename: str
    format: str
    rows: int = 0
    interactions: int = 0  # valid interactions read
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    issues: list[ParseIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        """Return whether the whole file was taken: no issues (rejected interactions always have one)."""
        return not self.issues

    def summary(self) -> str:
        """Return one line saying what happened."""
        if self.batch_id is None and self.issues:
            return (f"{self.filename}: rejected, nothing imported: {_count(len(self.issues), 'issue')} "
                    f"({_count(self.interactions, 'valid interaction')})")
        rejected = f", {self.rejected} rejected" if self.rejected else ""
        batch = f" (batch {self.batch_id})" if self.batch_id is not None else ""
        return f"{self.filename}: {self.added} added, {_count(self.duplicates, 'duplicate')}{rejected}{batch}"

    def issues_csv(self) -> str:
        """Return the issues as CSV (source, location, field, reason) for a downloadable validation report."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["source", "location", "field", "reason"])
        for issue in self.issues:
            writer.writerow([safe_cell(value) for value in (issue.source, issue.location, issue.field or "",
                                                         issue.reason)])
        return buffer.getvalue()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _refused(source: str, reason: str, location: str = "") -> ParsedFile:
    return ParsedFile(source, issues=[ParseIssue(source, location, None, reason)])


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _too_large(source: str, size: int, limit: int) -> ParsedFile:
    return _refused(source, f"the file is {_megabytes(size)}, over the {_megabytes(limit)} limit; split it")


# ---------------------------------------------------------------------------- formats and decoding


def _decode_head(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    return head.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")


def detect_format(filename: str, head_bytes: bytes) -> Format:
    """Tell the format from the first bytes, else the extension, else the first line."""
    if head_bytes.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        return "xlsx"
    head = _decode_head(head_bytes).lstrip()
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("{"):
        return "jsonl"
    by_extension = _EXTENSIONS.get(PurePath(filename).suffix.lower())
    if by_extension:
        return by_extension
    first_line = head.split("\n", 1)[0]
    label = _FIRST_LABEL.match(first_line)
    if first_line.startswith("###") or (label and label.group(1).casefold() in SPEAKER_LABELS):
        return "text"
    return "csv"


def decode_text(data: bytes) -> tuple[str, str]:
    """Return the text and the name of its encoding; raise UnicodeDecodeError if it is none we read."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "Windows-1252"


# ---------------------------------------------------------------------------- tables


class _Table:
    """Rows of cells as dicts by header: blank-header columns dropped, cells past the header under None."""

    def __init__(self, header_cells: Sequence[Any]):
        self.notes: list[str] = []
        self.names: list[str | None] = []
        seen: Counter[str] = Counter()
        for cell in header_cells:
            name = "" if cell is None else str(cell).strip()
            if name:
                seen[name] += 1
                if seen[name] > 1:
                    renamed = f"{name} ({seen[name]})"
                    self.notes.append(f"column {name!r} appears more than once; the copy in column "
                                      f"{get_column_letter(len(self.names) + 1)} is called {renamed!r}")
                    name = renamed
            self.names.append(name or None)
        self.headers = [name for name in self.names if name]
        self._unnamed_with_values: set[int] = set()

    def rows(self, cell_rows: Iterable[Sequence[Any]]) -> Iterator[dict[str | None, Any]]:
        width = len(self.names)
        for cells in cell_rows:
            row: dict[str | None, Any] = {}
            for index, (name, value) in enumerate(zip(self.names, cells)):
                if name:
                    row[name] = value
                elif value is not None and str(value).strip():
                    self._unnamed_with_values.add(index)
            if len(cells) > width:
                row[None] = list(cells[width:])
            yield row

    def unnamed_notes(self) -> list[str]:
        return [f"column {get_column_letter(index + 1)} has no header; its values were not read"
                for index in sorted(self._unnamed_with_values)]


def _parse_table(source: str, header_cells: Sequence[Any], cell_rows: Iterable[Sequence[Any]], *,
                 mapping: ColumnMapping | Mapping[str, str] | None, layout: Layout | None,
                 channel: str | None) -> ParsedFile:
    table = _Table(header_cells)
    notes = list(table.notes)
    if layout is None:
        layout = guess_layout(table.headers)
        notes.append(f"read as one row per {layout}")
    if not isinstance(mapping, ColumnMapping):
        guessed = guess_mapping(table.headers, layout)
        mapping = replace(guessed, **mapping_overrides(mapping or {}))
        notes.append("columns: " + ", ".join(f"{name} = {column!r}" for name, column in
                                             mapping.columns(layout).items()))
    parsed = parse_rows(table.rows(cell_rows), source=source, mapping=mapping, layout=layout, channel=channel,
                        headers=table.headers)
    parsed.notes[:0] = notes + table.unnamed_notes()
    return parsed


def mapping_overrides(pairs: Mapping[str, str]) -> dict[str, str]:
    """Check {field: column} overrides against ColumnMapping's fields; raise ValueError naming a bad one."""
    known = [f.name for f in fields(ColumnMapping)]
    for name in pairs:
        if name not in known:
            raise ValueError(f"unknown field {name!r} in the column mapping; fields are {', '.join(known)}")
    return dict(pairs)


def _sniff_delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _read_csv(text: str, source: str, **table_options: Any) -> ParsedFile:
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    read = 0

    def counted() -> Iterator[list[str]]:
        nonlocal read
        for record in records:
            read += 1
            yield record

    cells = counted()
    try:
        header = next(cells, None)
        return ParsedFile(source) if header is None else _parse_table(source, header, cells, **table_options)
    except csv.Error as exc:
        # The reader cannot resynchronise after this, so nothing from the file is trusted.
        return _refused(source, f"cannot read the CSV: {exc}", location=f"row {read + 1}")


class _UnreadableSheet(Exception):
    pass


def _sheet_rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet fails while streaming, with XML, zip or value errors
            raise _UnreadableSheet(str(exc)) from exc
        yield row


def _workbook_problem(data: bytes, max_unpacked_bytes: int) -> str | None:
    """Return why a workbook must not be opened, or None."""
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "the workbook is password-protected: remove the password in Excel and upload it again"
        return "this is an old Excel (.xls) or other legacy Office file: save it as .xlsx and upload it again"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return "not a valid .xlsx workbook: the file is not a complete zip archive"
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return "not an .xlsx workbook: the zip archive has no xl/workbook.xml"
    if any(member.flag_bits & 0x1 for member in members):
        return "the workbook is encrypted: remove the password in Excel and upload it again"
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_XLSX_MEMBERS or unpacked > max_unpacked_bytes:
        return (f"the workbook unpacks to {_megabytes(unpacked)} in {len(members)} parts, over the "
                f"{_megabytes(max_unpacked_bytes)} limit; split it or save it as CSV")
    return None


def _read_xlsx(data: bytes, source: str, max_unpacked_bytes: int, **table_options: Any) -> ParsedFile:
    problem = _workbook_problem(data, max_unpacked_bytes)
    if problem:
        return _refused(source, problem)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, XML and zip errors on a damaged workbook
        return _refused(source, f"cannot read the workbook: {exc}")
    try:
        if not workbook.worksheets:
            return _refused(source, "the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the recorded sheet size, which some writers get wrong: rows would vanish.
        sheet.reset_dimensions()
        rows = _sheet_rows(sheet)
        header = next(rows, None)
        parsed = ParsedFile(source) if header is None else _parse_table(source, header, rows, **table_options)
    except _UnreadableSheet as exc:
        return _refused(source, f"cannot read the sheet {sheet.title!r}: {exc}")
    finally:
        workbook.close()
    if len(workbook.sheetnames) > 1:
        parsed.notes.append(f"read the first sheet, {sheet.title!r}; not read: "
                            + ", ".join(map(repr, workbook.sheetnames[1:])))
    return parsed


# ---------------------------------------------------------------------------- reading


def read_upload(data: bytes, *, filename: str, mapping: ColumnMapping | Mapping[str, str] | None = None,
                layout: Layout | None = None, channel: str | None = None, fmt: Format | None = None,
                max_bytes: int = MAX_UPLOAD_BYTES,
                max_unpacked_bytes: int = MAX_XLSX_UNPACKED_BYTES) -> ParsedFile:
    """Parse an uploaded file of any supported format.

    For tables, a ColumnMapping is used as given, while a {field: column} dict overrides
    the guessed mapping; `layout` is guessed when None. `channel` is the channel of
    transcripts, captions and table rows that name none. Text and caption files take
    their interaction id from the file name. Values too long for the database become
    issues here, so a preview shows them before anything is imported. A bad argument
    (an unknown mapping field, a channel that does not exist) raises ValueError.
    """
    source = PurePath(filename).name
    if len(data) > max_bytes:
        return _too_large(source, len(data), max_bytes)
    fmt = fmt or detect_format(filename, data[:SNIFF_BYTES])
    if fmt == "xlsx":
        parsed = _read_xlsx(data, source, max_unpacked_bytes, mapping=mapping, layout=layout, channel=channel)
    else:
        try:
            text, encoding = decode_text(data)
        except UnicodeDecodeError as exc:
            return _refused(source, f"cannot decode the text at byte {exc.start}: save the file as UTF-8")
        if fmt == "jsonl":
            parsed = parse_jsonl(text, source=source)
        elif fmt == "text":
            parsed = parse_plain_transcript(text, source=source, channel=channel or "phone")
        elif fmt == "vtt":
            parsed = parse_webvtt(text, source=source, channel=channel or "phone")
        else:
            parsed = _read_csv(text, source, mapping=mapping, layout=layout, channel=channel)
        if encoding == "Windows-1252":
            parsed.notes.insert(0, "read as Windows-1252 text because it is not valid UTF-8")
    if not parsed.interactions and not parsed.issues:
        parsed.issues.append(ParseIssue(source, "", None, "no interactions found in the file"))
    enforce_storage_limits(parsed)
    return parsed


def enforce_storage_limits(parsed: ParsedFile) -> None:
    """Move interactions with values longer than their database columns to the issues (idempotent)."""
    kept = []
    for location, interaction in parsed.interactions:
        too_long = next(((key, limit) for key, limit in _STORED_LENGTHS.items()
                         if len(getattr(interaction, key) or "") > limit), None)
        if too_long is None:
            kept.append((location, interaction))
            continue
        key, limit = too_long
        parsed.issues.append(ParseIssue(parsed.source, location, key, f"longer than {limit} characters"))
        parsed.rejected += 1
    parsed.interactions = kept


# ---------------------------------------------------------------------------- importing


def import_parsed(session: Session, parsed: ParsedFile, *, filename: str, sha256: str, fmt: str,
                  keep_valid: bool = False, created_by: str | None = None,
                  progress: Progress | None = None, workers: int = 1) -> ImportReport:
    """Write a parsed file's interactions in the session's transaction; the caller commits or rolls back.

    A file with issues writes nothing unless keep_valid, which imports the valid
    interactions and records the rest as rejected. Interactions whose external id is
    already stored count as duplicates, so importing a file again adds nothing.
    `workers` > 1 scores in that many processes (see store.ingest.ingest_interactions).
    """
    enforce_storage_limits(parsed)
    report = ImportReport(filename=filename, format=fmt, rows=parsed.rows,
                          interactions=len(parsed.interactions), rejected=parsed.rejected,
                          issues=list(parsed.issues), notes=list(parsed.notes))
    if (parsed.issues and not keep_valid) or not parsed.interactions:
        return report
    earlier = session.scalars(select(ImportBatch).where(ImportBatch.sha256 == sha256)
                              .order_by(ImportBatch.id).limit(1)).first()
    if earlier is not None:
        report.notes.append(f"the same file was imported before, as batch {earlier.id} "
                            f"on {earlier.created_at:%Y-%m-%d %H:%M}")
    batch = ImportBatch(filename=filename[:ImportBatch.__table__.c.filename.type.length], sha256=sha256,
                        format=fmt, rows=parsed.rows, added=0, duplicates=0, rejected=parsed.rejected,
                        created_by=created_by)
    session.add(batch)
    session.flush()
    interactions = [interaction for _, interaction in parsed.interactions]
    total = len(interactions)
    if progress:
        progress(0, total)
    counts = ingest_interactions(session, interactions=interactions, batch_id=batch.id,
                                 progress=(lambda done: progress(done, total)) if progress else None,
                                 workers=workers)
    batch.added, batch.duplicates = counts.added, counts.duplicates
    session.flush()
    report.added, report.duplicates, report.batch_id = counts.added, counts.duplicates, batch.id
    return report


def import_file(path: str | Path, *, session_factory: sessionmaker[Session], keep_valid: bool = False,
                mapping: ColumnMapping | Mapping[str, str] | None = None, layout: Layout | None = None,
                channel: str | None = None, created_by: str | None = None,
                progress: Progress | None = None, workers: int = 1) -> ImportReport:
    """Read, check and import one file in one transaction, committed only if it all succeeds.

    `workers` > 1 scores in that many processes.
    """
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        fmt = detect_format(path.name, head)
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:  # refuse before reading the whole file into memory
            parsed = _too_large(path.name, size, MAX_UPLOAD_BYTES)
            return ImportReport(filename=path.name, format=fmt, issues=parsed.issues)
        data = head + handle.read()
    parsed = read_upload(data, filename=path.name, mapping=mapping, layout=layout, channel=channel, fmt=fmt)
    with session_factory.begin() as session:
        report = import_parsed(session, parsed, filename=path.name, sha256=hashlib.sha256(data).hexdigest(),
                               fmt=fmt, keep_valid=keep_valid, created_by=created_by, progress=progress,
                               workers=workers)
        _record_import(session, report, user_id=None, username=created_by or "command line", keep_valid=keep_valid)
        return report


def _record_import(session: Session, report: ImportReport, *, user_id: int | None, username: str,
                   keep_valid: bool) -> None:
    """Audit an import attempt, whether it wrote a batch or was refused."""
    audit.record(session, action="import", user_id=user_id, username=username,
                 target=f"import_batch:{report.batch_id}" if report.batch_id is not None else None,
                 detail={"filename": report.filename, "format": report.format, "keep_valid": keep_valid,
                         "rows": report.rows, "added": report.added, "duplicates": report.duplicates,
                         "rejected": report.rejected, "issues": len(report.issues)})


# ---------------------------------------------------------------------------- the import page


def table_head(data: bytes, *, filename: str, limit: int = 5) -> tuple[list[str], list[dict[str, Any]]]:
    """Return the header names and first rows of a CSV or XLSX upload, read as the importer reads them.

    For choosing the column mapping. Anything unreadable returns no headers; read_upload says why.
    """
    fmt = detect_format(filename, data[:SNIFF_BYTES])
    cells: list[Sequence[Any]] = []
    if fmt == "xlsx" and _workbook_problem(data, MAX_XLSX_UNPACKED_BYTES) is None:
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # damaged workbooks fail in many ways; read_upload reports them
            return [], []
        try:
            if workbook.worksheets:
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()
                cells = list(islice(_sheet_rows(sheet), limit + 1))
        except _UnreadableSheet:
            return [], []
        finally:
            workbook.close()
    elif fmt == "csv":
        try:
            text, _ = decode_text(data)
            cells = list(islice(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text)),
                                limit + 1))
        except (UnicodeDecodeError, csv.Error):
            return [], []
    if not cells:
        return [], []
    table = _Table(cells[0])
    return table.headers, [{k: v for k, v in row.items() if k is not None} for row in table.rows(cells[1:])]


def import_upload(session: Session, parsed: ParsedFile, *, data: bytes, filename: str, fmt: str, by: AuthUser,
                  keep_valid: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import a parsed upload as `by` in the caller's transaction, and record the attempt in the audit log."""
    report = import_parsed(session, parsed, filename=filename, sha256=hashlib.sha256(data).hexdigest(), fmt=fmt,
                           keep_valid=keep_valid, created_by=by.username, progress=progress)
    _record_import(session, report, user_id=by.id, username=by.username, keep_valid=keep_valid)
    return report
