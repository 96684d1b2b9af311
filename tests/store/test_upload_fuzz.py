"""Fuzz the upload reader: any bytes under any name become interactions or issues, never an exception."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.parsers import ParsedFile
from store.importer import read_upload

NAMES = st.sampled_from(["upload.csv", "upload.xlsx", "upload.jsonl", "upload.txt", "upload.vtt", "upload"])
PREFIXES = st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe",
                            b"WEBVTT\n\n", b"{", b"### id: A\n", b"Conversation ID,Sender,Message\n"])


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


WORKBOOK_PARTS = st.dictionaries(
    st.sampled_from(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "_rels/.rels",
                     "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml"]),
    st.binary(max_size=200) | st.sampled_from([b"<?xml version='1.0'?><workbook/>", b"<a><b></a>"]), max_size=6)


def assert_answered(parsed: ParsedFile, name: str) -> None:
    assert isinstance(parsed, ParsedFile)
    assert parsed.interactions or parsed.issues or parsed.rows == 0
    for issue in parsed.issues:
        assert issue.source == name and issue.reason


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES, PREFIXES, st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_with_a_reason(name, prefix, data):
    assert_answered(read_upload(prefix + data, filename=name), name)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WORKBOOK_PARTS)
def test_damaged_workbooks_are_refused_with_a_reason(parts):
    parsed = read_upload(zip_of(parts), filename="upload.xlsx")
    assert_answered(parsed, "upload.xlsx")
    assert not parsed.interactions
