"""Reading uploads of every format and importing them all-or-nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from scoring.parsers import ColumnMapping, ParseIssue
from settings import ROOT
from store import importer, ingest
from store.db import create_schema, make_engine
from store.importer import ImportReport, detect_format, import_file, import_parsed, read_upload
from store.models import ImportBatch, Interaction, Turn

MESSAGES_CSV = """\
Conversation ID,Channel,Sender,Message,Timestamp,Agent,Team,CSAT
C1,chat,Customer,"Hi, my order is late",2026-03-02T10:00:00Z,Dana Lee,Orders,4
C2,email,customer,Where is my refund?,2026-03-02T11:00:00Z,Sam Roe,Billing,
C1,chat,Agent,"Sorry Maria, I've reshipped it.",2026-03-02T10:00:40Z,Dana Lee,Orders,
C2,email,Rep,It was sent today.,2026-03-02T12:00:00Z,Sam Roe,Billing,3
"""
BAD_MESSAGES_CSV = """\
Conversation ID,Channel,Sender,Message,Timestamp
C1,chat,Customer,Hi,2026-03-02T10:00:00Z
C1,chat,Bot,beep,2026-03-02T10:00:05Z
C3,chat,Agent,Hello,yesterday
C4,chat,Agent,Fine,2026-03-02T10:00:00Z
"""
TRANSCRIPTS = """\
### id: CALL-1 channel: phone agent: Dana Lee customer: Maria Lopez start: 2026-03-02T10:00:00Z
[00:00] Agent: Thanks for calling, this is Dana.
[00:06] Customer: My order is late.

### id: CALL-2 channel: phone agent: Sam Roe
Caller: Hello?
Rep: Hi, how can I help?
"""
CAPTIONS = """\
WEBVTT

00:00:01.000 --> 00:00:03.000
<v Agent>Thanks for calling.

00:00:04.000 --> 00:00:06.000
<v Maria Lopez>My order is late.
"""


def jsonl(*ids: str) -> str:
    turns = [{"speaker": "customer", "text": "Hi, my order is late"}, {"speaker": "agent", "text": "Sorry!"}]
    return "".join(json.dumps({"id": i, "channel": "chat", "agent": "Dana Lee", "turns": turns}) + "\n"
                   for i in ids)


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def stored_ids(session_factory) -> list[str]:
    with session_factory() as session:
        return sorted(session.scalars(select(Interaction.external_id)))


def batches(session_factory) -> list[ImportBatch]:
    with session_factory() as session:
        return list(session.scalars(select(ImportBatch).order_by(ImportBatch.id)))


def workbook_bytes(rows: list[list], extra_sheet: bool = False) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    if extra_sheet:
        book.create_sheet("Summary")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- formats


def test_detect_format():
    assert detect_format("x.csv", b"PK\x03\x04rest") == "xlsx"
    assert detect_format("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") == "xlsx"
    assert detect_format("x.txt", b"\xef\xbb\xbfWEBVTT\n") == "vtt"
    assert detect_format("upload", b'  {"id": 1}') == "jsonl"
    assert detect_format("x.vtt", b"") == "vtt"
    assert detect_format("notes.TXT", b"a,b,c") == "text"
    assert detect_format("upload", b"### id: A\nAgent: hi") == "text"
    assert detect_format("upload", b"[00:01] Customer: hi") == "text"
    assert detect_format("upload", b"Conversation ID,Sender\n") == "csv"


@pytest.mark.parametrize("encoding, prefix", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""),
                                              ("utf-16", b"")])
def test_csv_encodings(encoding, prefix):
    text = MESSAGES_CSV.replace("Maria", "Mar\u00eda \u2019").replace("Sam Roe", "Zo\u00eb Roe")
    parsed = read_upload(prefix + text.encode(encoding), filename="chats.csv")
    assert parsed.issues == []
    by_id = {i.id: i for _, i in parsed.interactions}
    assert by_id["C1"].turns[1].text == "Sorry Mar\u00eda \u2019, I've reshipped it."
    assert by_id["C2"].agent == "Zo\u00eb Roe"
    fallback_noted = "read as Windows-1252 text because it is not valid UTF-8" in parsed.notes
    assert fallback_noted == (encoding == "cp1252")


def test_csv_message_layout_is_guessed_and_explained():
    parsed = read_upload(MESSAGES_CSV.encode(), filename="chats.csv")
    assert parsed.notes[:2] == [
        "read as one row per message",
        "columns: interaction_id = 'Conversation ID', channel = 'Channel', speaker = 'Sender', "
        "text = 'Message', at = 'Timestamp', agent = 'Agent', team = 'Team', csat = 'CSAT'",
    ]
    assert [(where, i.id) for where, i in parsed.interactions] == [("rows 2, 4", "C1"), ("rows 3, 5", "C2")]


def test_csv_interaction_layout_semicolons_and_a_mapping_override():
    text = ('Ticket;Medium;Conversation;Agent\n'
            'T-1;chat;"Customer: hi\nAgent: hello";Dana\n'
            'T-2;chat;"Client: yo\nSupport: hey";Dana\n')
    parsed = read_upload(text.encode(), filename="tickets.csv", mapping={"agent": "Agent"})
    assert parsed.issues == []
    assert parsed.notes[0] == "read as one row per interaction"
    assert [(where, i.id, len(i.turns)) for where, i in parsed.interactions] == [("row 2", "T-1", 2),
                                                                                   ("row 3", "T-2", 2)]


def test_an_explicit_column_mapping_is_used_as_given():
    mapping = ColumnMapping(interaction_id="Conversation ID", speaker="Sender", text="Message")
    parsed = read_upload(MESSAGES_CSV.encode(), filename="chats.csv", mapping=mapping, layout="message",
                         channel="social")
    assert {i.channel for _, i in parsed.interactions} == {"social"}
    assert parsed.notes == ["columns not used: Channel, Timestamp, Agent, Team, CSAT"]


def test_unknown_mapping_field_is_refused():
    with pytest.raises(ValueError, match="unknown field 'ticket'"):
        read_upload(MESSAGES_CSV.encode(), filename="chats.csv", mapping={"ticket": "Conversation ID"})


def test_malformed_csv_rows_are_named():
    parsed = read_upload(BAD_MESSAGES_CSV.encode(), filename="bad.csv", channel="chat")
    assert [str(issue) for issue in parsed.issues] == [
        "bad.csv: row 3: Sender: unknown speaker 'Bot'; expected Agent, Rep, Representative, Support, "
        "Customer, Caller or Client (or the agent's or customer's name)",
        "bad.csv: row 4: Timestamp: not an ISO 8601 timestamp: 'yesterday'",
        "bad.csv: rows 2-3: Conversation ID: interaction 'C1' not imported because of the problems on row 3",
    ]
    assert [i.id for _, i in parsed.interactions] == ["C4"]
    assert parsed.rejected == 2


def test_csv_cell_beyond_the_header_and_unnamed_columns():
    text = ",Conversation ID,Channel,Sender,Message\n0,C1,chat,Agent,Hello, there\n1,C2,chat,Agent,Hi\n"
    parsed = read_upload(text.encode(), filename="chats.csv")
    assert [str(i) for i in parsed.issues] == [
        "chats.csv: row 2: 1 cell(s) beyond the last header column, starting 'there'"]
    assert "column A has no header; its values were not read" in parsed.notes


def test_csv_reader_error_refuses_the_file_with_its_row():
    text = "Conversation ID,Channel,Sender,Message\nC1,chat,Agent,hi\nC2,chat,Agent," + "x" * 200_000 + "\n"
    parsed = read_upload(text.encode(), filename="big.csv")
    assert [str(i) for i in parsed.issues] == [
        "big.csv: row 3: cannot read the CSV: field larger than field limit (131072)"]
    assert parsed.interactions == []


def test_xlsx_rows_with_typed_cells_and_notes():
    data = workbook_bytes([
        ["Ticket ID", "Channel", "Role", "Body", "Sent At", None, "CSAT"],
        [1001, "chat", "customer", "Hi", datetime(2026, 3, 2, 10, 0), "scratch", None],
        [],
        [1001, "chat", "agent", "Hello!", datetime(2026, 3, 2, 10, 1), None, 5.0],
        [1002, "chat", "agent", "Hi", datetime(2026, 3, 2, 10, 1), None, 7],
    ], extra_sheet=True)
    parsed = read_upload(data, filename="export.xlsx")
    assert [str(i) for i in parsed.issues] == ["export.xlsx: row 5: CSAT: expected a whole number 1-5, got 7"]
    (where, interaction), = parsed.interactions
    assert (where, interaction.id, interaction.outcome.csat) == ("rows 2, 4", "1001", 5)
    assert interaction.turns[0].at == datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    assert "column F has no header; its values were not read" in parsed.notes
    assert "read the first sheet, 'Sheet'; not read: 'Summary'" in parsed.notes


def test_xlsx_cell_beyond_the_header_is_an_issue():
    data = workbook_bytes([["Ticket ID", "Channel", "Role", "Body"], [1, "chat", "agent", "hi", "stray"]])
    assert [str(i) for i in read_upload(data, filename="e.xlsx").issues] == [
        "e.xlsx: row 2: 1 cell(s) beyond the last header column, starting 'stray'"]


def test_other_formats_read_from_bytes():
    assert [i.id for _, i in read_upload(jsonl("a", "b").encode(), filename="x.jsonl").interactions] == [
        "a", "b"]
    assert [i.id for _, i in read_upload(TRANSCRIPTS.encode(), filename="calls.txt").interactions] == [
        "CALL-1", "CALL-2"]
    (_, caption), = read_upload(CAPTIONS.encode(), filename="call-77.vtt", channel="chat").interactions
    assert (caption.id, caption.channel, [t.speaker for t in caption.turns]) == ("call-77", "chat",
                                                                                  ["agent", "customer"])


@pytest.mark.parametrize("data, reason", [
    (b"this is not a workbook", "not a valid .xlsx workbook: the file is not a complete zip archive"),
    (None, "not a valid .xlsx workbook: the file is not a complete zip archive"),  # truncated
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"),
     "the workbook is password-protected: remove the password in Excel and upload it again"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "Workbook".encode("utf-16-le"),
     "this is an old Excel (.xls) or other legacy Office file: save it as .xlsx and upload it again"),
])
def test_corrupt_and_encrypted_workbooks_are_refused(data, reason):
    data = data if data is not None else workbook_bytes([["a"], [1]])[:300]
    parsed = read_upload(data, filename="broken.xlsx")
    assert [str(i) for i in parsed.issues] == [f"broken.xlsx: {reason}"]


def test_zip_without_workbook_parts_or_with_damaged_parts_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert [i.reason for i in read_upload(buffer.getvalue(), filename="a.xlsx").issues] == [
        "not an .xlsx workbook: the zip archive has no xl/workbook.xml"]
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes([["a"], [1]]))) as source, \
            zipfile.ZipFile(damaged, "w") as out:
        for member in source.infolist():
            out.writestr(member, b"<not xml" if member.filename == "xl/workbook.xml" else source.read(member))
    reason = read_upload(damaged.getvalue(), filename="b.xlsx").issues[0].reason
    assert reason.startswith("cannot read the workbook: ")


def with_encryption_flags(data: bytes) -> bytes:
    """Set the "encrypted" bit of every central-directory entry (zipfile clears it when writing)."""
    patched = bytearray(data)
    end = data.rindex(b"PK\x05\x06")
    entries, offset = struct.unpack_from("<H", data, end + 10)[0], struct.unpack_from("<I", data, end + 16)[0]
    for _ in range(entries):
        patched[offset + 8] |= 0x1
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + name_length + extra_length + comment_length
    return bytes(patched)


def test_zip_level_encryption_is_refused():
    data = with_encryption_flags(workbook_bytes([["a"], [1]]))
    assert [i.reason for i in read_upload(data, filename="e.xlsx").issues] == [
        "the workbook is encrypted: remove the password in Excel and upload it again"]


def test_zip_bomb_is_refused_before_openpyxl_reads_it(monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook_bytes([["a"], [1]]))) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            out.writestr(member, source.read(member))
        out.writestr("xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 100_000
    monkeypatch.setattr(importer.openpyxl, "load_workbook",
                        lambda *args, **kwargs: pytest.fail("openpyxl was reached"))
    issues = read_upload(data, filename="bomb.xlsx", max_unpacked_bytes=2 * 1024 * 1024).issues
    assert [i.reason for i in issues] == [
        "the workbook unpacks to 3.0 MB in 10 parts, over the 2.0 MB limit; split it or save it as CSV"]


def test_oversized_upload_is_refused():
    parsed = read_upload(b"x" * 2048, filename="huge.csv", max_bytes=1024)
    assert [str(i) for i in parsed.issues] == [
        "huge.csv: the file is 0.0 MB, over the 0.0 MB limit; split it"]


def test_undecodable_text_and_empty_files_are_refused():
    assert [str(i) for i in read_upload(b"\xef\xbb\xbfa,b\n\xff\n", filename="x.csv").issues] == [
        "x.csv: cannot decode the text at byte 4: save the file as UTF-8"]
    assert [str(i) for i in read_upload(b"\x81\x81", filename="x.csv").issues] == [
        "x.csv: cannot decode the text at byte 0: save the file as UTF-8"]
    for empty in (b"", b"Conversation ID,Sender,Message\n", b"WEBVTT\n"):
        assert [str(i) for i in read_upload(empty, filename="x.csv").issues] == [
            "x.csv: no interactions found in the file"]


def test_values_longer_than_their_columns_are_issues():
    parsed = read_upload(jsonl("x" * 201, "ok").encode(), filename="long.jsonl")
    assert [str(i) for i in parsed.issues] == ["long.jsonl: line 1: id: longer than 200 characters"]
    assert [i.id for _, i in parsed.interactions] == ["ok"] and parsed.rejected == 1


def test_issues_csv_is_a_safe_validation_report():
    report = ImportReport("a.csv", "csv", issues=[
        ParseIssue("a.csv", "row 2", "Sender", "unknown speaker '=HYPERLINK(\"x\")'"),
        ParseIssue("a.csv", "", None, "no interactions found in the file"),
        ParseIssue("a.csv", "row 3", "=cmd", "-bad"),
    ])
    assert list(csv.reader(io.StringIO(report.issues_csv()))) == [
        ["source", "location", "field", "reason"],
        ["a.csv", "row 2", "Sender", "unknown speaker '=HYPERLINK(\"x\")'"],
        ["a.csv", "", "", "no interactions found in the file"],
        ["a.csv", "row 3", "'=cmd", "'-bad"],
    ]


# ---------------------------------------------------------------------------- importing


def test_import_csv_writes_interactions_turns_and_a_batch(session_factory, tmp_path):
    calls = []
    report = import_file(write(tmp_path, "chats.csv", MESSAGES_CSV), session_factory=session_factory,
                         progress=lambda done, total: calls.append((done, total)))
    assert report.ok and report.summary() == f"chats.csv: 2 added, 0 duplicates (batch {report.batch_id})"
    assert (report.rows, report.interactions, report.added, report.duplicates) == (4, 2, 2, 0)
    assert calls == [(0, 2), (2, 2)]
    assert stored_ids(session_factory) == ["C1", "C2"]
    with session_factory() as session:
        c1 = session.scalars(select(Interaction).where(Interaction.external_id == "C1")).one()
        assert [(t.speaker, t.text) for t in c1.turns] == [("customer", "Hi, my order is late"),
                                                           ("agent", "Sorry Maria, I've reshipped it.")]
        assert (c1.channel, c1.csat, c1.batch_id) == ("chat", 4, report.batch_id)
    (batch,) = batches(session_factory)
    assert (batch.filename, batch.format, batch.rows, batch.added, batch.duplicates, batch.rejected) == (
        "chats.csv", "csv", 4, 2, 0, 0)
    assert len(batch.sha256) == 64


@pytest.mark.parametrize("name, content, ids", [
    ("chats.jsonl", jsonl("j1", "j2"), ["j1", "j2"]),
    ("calls.txt", TRANSCRIPTS, ["CALL-1", "CALL-2"]),
    ("call-9.vtt", CAPTIONS, ["call-9"]),
])
def test_import_text_formats(session_factory, tmp_path, name, content, ids):
    report = import_file(write(tmp_path, name, content), session_factory=session_factory)
    assert report.ok and report.added == len(ids)
    assert stored_ids(session_factory) == ids


def test_import_xlsx(session_factory, tmp_path):
    data = workbook_bytes([
        ["Ticket", "Transcript", "Channel", "Start"],
        ["T-1", "[00:00] Agent: Hello\n[00:30] Customer: Hi", "phone", "2026-03-02T10:00:00Z"],
    ])
    report = import_file(write(tmp_path, "tickets.xlsx", data), session_factory=session_factory)
    assert report.ok and (report.format, report.added) == ("xlsx", 1)
    with session_factory() as session:
        times = list(session.scalars(select(Turn.at).order_by(Turn.position)))
    start = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    # SQLite hands back naive UTC times, PostgreSQL aware ones.
    assert [t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t for t in times] == [
        start, start.replace(second=30)]


def test_a_file_with_issues_writes_nothing(session_factory, tmp_path):
    report = import_file(write(tmp_path, "bad.csv", BAD_MESSAGES_CSV), session_factory=session_factory,
                         channel="chat")
    assert not report.ok and report.batch_id is None
    assert (report.added, report.interactions, report.rejected) == (0, 1, 2)
    assert report.summary() == "bad.csv: rejected, nothing imported: 3 issues (1 valid interaction)"
    assert stored_ids(session_factory) == [] and batches(session_factory) == []


def test_keep_valid_imports_the_valid_interactions_and_records_the_rejected(session_factory, tmp_path):
    report = import_file(write(tmp_path, "bad.csv", BAD_MESSAGES_CSV), session_factory=session_factory,
                         channel="chat", keep_valid=True)
    assert not report.ok and report.batch_id is not None
    assert report.summary() == f"bad.csv: 1 added, 0 duplicates, 2 rejected (batch {report.batch_id})"
    assert len(report.issues) == 3
    assert stored_ids(session_factory) == ["C4"]
    (batch,) = batches(session_factory)
    assert (batch.added, batch.rejected) == (1, 2)


def test_a_failure_midway_rolls_the_whole_file_back(session_factory, tmp_path, monkeypatch):
    ids = [f"id-{n:04d}" for n in range(ingest.CHUNK_SIZE + 20)]
    real_chunk = ingest._ingest_chunk
    calls = []

    def failing_chunk(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_chunk(*args)

    monkeypatch.setattr(ingest, "_ingest_chunk", failing_chunk)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(write(tmp_path, "many.jsonl", jsonl(*ids)), session_factory=session_factory)
    assert len(calls) == 2
    assert stored_ids(session_factory) == [] and batches(session_factory) == []


def test_importing_the_same_file_twice_adds_nothing_the_second_time(session_factory, tmp_path):
    path = write(tmp_path, "chats.jsonl", jsonl("a", "b", "c"))
    first = import_file(path, session_factory=session_factory)
    second = import_file(path, session_factory=session_factory)
    assert (first.added, first.duplicates) == (3, 0)
    assert (second.added, second.duplicates) == (0, 3) and second.ok
    assert any(note.startswith(f"the same file was imported before, as batch {first.batch_id} on ")
               for note in second.notes)
    assert stored_ids(session_factory) == ["a", "b", "c"]
    assert [(b.added, b.duplicates) for b in batches(session_factory)] == [(3, 0), (0, 3)]


def test_overlapping_ids_across_files_and_formats_are_duplicates(session_factory, tmp_path):
    import_file(write(tmp_path, "one.jsonl", jsonl("C1", "x")), session_factory=session_factory)
    report = import_file(write(tmp_path, "two.csv", MESSAGES_CSV), session_factory=session_factory)
    assert (report.added, report.duplicates) == (1, 1)
    assert stored_ids(session_factory) == ["C1", "C2", "x"]


def test_import_parsed_leaves_the_commit_to_the_caller(session_factory):
    parsed = read_upload(jsonl("a").encode(), filename="a.jsonl")
    with session_factory() as session:
        report = import_parsed(session, parsed, filename="a.jsonl", sha256="0" * 64, fmt="jsonl",
                               created_by="trainer1")
        assert report.added == 1
        session.rollback()
    assert stored_ids(session_factory) == [] and batches(session_factory) == []
    with session_factory.begin() as session:
        import_parsed(session, parsed, filename="a.jsonl", sha256="0" * 64, fmt="jsonl",
                      created_by="trainer1")
    assert [b.created_by for b in batches(session_factory)] == ["trainer1"]


def test_oversized_file_is_refused_without_reading_it(session_factory, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_UPLOAD_BYTES", 100)
    report = import_file(write(tmp_path, "big.jsonl", jsonl("a", "b")), session_factory=session_factory)
    assert [i.reason for i in report.issues] == ["the file is 0.0 MB, over the 0.0 MB limit; split it"]
    assert stored_ids(session_factory) == []


# ---------------------------------------------------------------------------- command line


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "store", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_imports_files_and_reports_issues(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    good = write(tmp_path, "good.csv", MESSAGES_CSV)
    bad = write(tmp_path, "bad.csv", BAD_MESSAGES_CSV)

    result = run_cli("import", str(good), str(bad), "--channel", "chat", "--database-url", url)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "good.csv: 2 added, 0 duplicates (batch 1)",
        "bad.csv: rejected, nothing imported: 3 issues (1 valid interaction); "
        "--keep-valid imports the valid ones",
    ]
    assert "bad.csv: row 3: Sender: unknown speaker 'Bot'" in result.stderr
    assert "bad.csv: row 4: Timestamp: not an ISO 8601 timestamp: 'yesterday'" in result.stderr

    result = run_cli("import", str(good), "--database-url", url)
    assert (result.returncode, result.stdout) == (0, "good.csv: 0 added, 2 duplicates (batch 2)\n")

    mapped = write(tmp_path, "mapped.csv", "Key,Who,Words\nM1,agent,hello\n")
    result = run_cli("import", str(mapped), "--map", "interaction_id=Key", "--map", "speaker=Who",
                     "--map", "text=Words", "--channel", "social", "--database-url", url)
    assert (result.returncode, result.stdout) == (0, "mapped.csv: 1 added, 0 duplicates (batch 3)\n")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Interaction.__table__)) == 3
    engine.dispose()


def test_cli_rejects_bad_arguments_and_missing_files(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    result = run_cli("import", "x.csv", "--map", "ticket=Key", "--database-url", url)
    assert result.returncode == 2 and "unknown field 'ticket'" in result.stderr
    # The command migrates an empty database first, so a missing file is the only problem reported.
    result = run_cli("import", str(tmp_path / "missing.csv"), "--database-url", url)
    assert result.returncode == 1
    assert "missing.csv: cannot read the file: No such file or directory" in result.stderr
