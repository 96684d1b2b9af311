"""Import: upload interactions, map a table's columns, check every row, then import all or nothing."""

from dataclasses import fields
from pathlib import PurePath

import pandas as pd
import streamlit as st

from scoring.model import CHANNELS
from scoring.parsers import LAYOUT_FIELDS, REQUIRED_FIELDS, ColumnMapping, guess_layout, guess_mapping
from store import importer
from ui import data
from ui.auth import require_page

user = require_page("import")

st.title("Import")
st.caption("CSV, Excel (.xlsx), JSON Lines, plain-text transcripts or WebVTT captions. Every interaction is scored "
           "on import. A file goes in whole or not at all unless you keep the valid rows, and importing the same "
           "ids again never makes duplicates.")

REPORT_KEY = "import_report"
UPLOAD_TYPES = ["csv", "tsv", "xlsx", "xlsm", "xls", "jsonl", "ndjson", "json", "txt", "vtt"]
LAYOUTS = {"message": "One row per message", "interaction": "One row per interaction (a transcript column)"}
FIELD_LABELS = {
    "interaction_id": "Interaction id", "channel": "Channel", "speaker": "Speaker", "text": "Message text",
    "at": "Message time", "customer_name": "Customer name", "customer_id": "Customer id", "agent": "Agent",
    "team": "Team", "started_at": "Started at", "resolved": "Resolved", "transferred": "Transferred",
    "csat": "CSAT (1-5)", "transcript": "Transcript",
}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel workbook", "jsonl": "JSON Lines", "text": "plain-text transcript",
                "vtt": "WebVTT captions"}

upload = st.file_uploader("File to import", type=UPLOAD_TYPES, key="import_file")
if upload is None:
    st.session_state.pop(REPORT_KEY, None)
    st.stop()
content = upload.getvalue()
fmt = importer.detect_format(upload.name, content[:importer.SNIFF_BYTES])
# Widgets are keyed by the file as well, so another file starts from its own guesses.
file_key = f"import_{upload.file_id}"
st.caption(f"Read as {FORMAT_NAMES[fmt]}.")

mapping: ColumnMapping | None = None
layout = None
if fmt in ("csv", "xlsx"):
    headers, head = importer.table_head(content, filename=upload.name)
    if headers:
        st.markdown("**First rows**")
        st.dataframe(pd.DataFrame(head, columns=headers), hide_index=True, width="stretch")
        options = list(LAYOUTS)
        layout = st.radio("Layout", options, index=options.index(guess_layout(headers)), format_func=LAYOUTS.get,
                          horizontal=True, key=f"{file_key}_layout")
        guessed = guess_mapping(headers, layout)
        st.markdown("**Columns** · guessed from the headers; fields marked * are required")
        wanted = [f.name for f in fields(ColumnMapping) if f.name in LAYOUT_FIELDS[layout]]
        columns = st.columns(4)
        chosen = {}
        for i, name in enumerate(wanted):
            guess = getattr(guessed, name)
            chosen[name] = columns[i % 4].selectbox(
                FIELD_LABELS[name] + (" *" if name in REQUIRED_FIELDS[layout] else ""), headers,
                index=None if guess is None else headers.index(guess), placeholder="— none —",
                key=f"{file_key}_{layout}_{name}")
        mapping = ColumnMapping(**chosen)

left, right = st.columns(2, vertical_alignment="bottom")
if fmt in ("text", "vtt"):
    channel = left.selectbox("Channel", CHANNELS, key=f"{file_key}_channel")
else:
    channel = left.selectbox("Channel where the file names none", CHANNELS, index=None, key=f"{file_key}_channel",
                             placeholder="— the file names it —")
keep_valid = right.checkbox("Keep the valid rows", key="import_keep_valid",
                            help="Import the valid interactions and skip the ones with problems, instead of refusing "
                                 "the whole file.")

parsed = importer.read_upload(content, filename=upload.name, mapping=mapping, layout=layout, channel=channel, fmt=fmt)
issues = importer.ImportReport(filename=upload.name, format=fmt, issues=parsed.issues)

st.subheader("Check")
cells = st.columns(3)
cells[0].metric("Records read", f"{parsed.rows:,}")
cells[1].metric("Valid interactions", f"{len(parsed.interactions):,}")
cells[2].metric("Problems", f"{len(parsed.issues):,}")
for note in parsed.notes:
    st.caption(note)
if parsed.issues:
    st.error(f"{len(parsed.issues):,} problem(s) in {upload.name}. "
             + ("The valid interactions will be imported and the rest skipped." if keep_valid else
                "Nothing will be imported until they are fixed, unless you keep the valid rows."),
             icon=":material/error:")
    st.dataframe(pd.DataFrame([(i.location, i.field or "", i.reason) for i in parsed.issues],
                              columns=["Where", "Field", "Problem"]), hide_index=True, width="stretch")
    st.download_button("Download the validation report (CSV)", issues.issues_csv(), mime="text/csv",
                       file_name=f"{PurePath(upload.name).stem}-problems.csv", icon=":material/download:",
                       key=f"{file_key}_issues")
else:
    st.success("Every record is valid.", icon=":material/check_circle:")

if st.button("Import", type="primary", icon=":material/upload:", key=f"{file_key}_import"):
    bar = st.progress(0.0, text="Importing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Importing and scoring… {done:,} of {total:,}")

    try:
        with data.session() as db:
            report = importer.import_upload(db, parsed, data=content, filename=upload.name, fmt=fmt, by=user,
                                            keep_valid=keep_valid, progress=progress)
    except Exception as error:  # the transaction rolled back: nothing of the file is stored
        st.error(f"The import failed and nothing was imported: {error}", icon=":material/error:")
        st.stop()
    bar.empty()
    st.session_state[REPORT_KEY] = (upload.file_id, report)

last = st.session_state.get(REPORT_KEY)
if last is not None and last[0] == upload.file_id:
    report = last[1]
    st.subheader("Result")
    if report.batch_id is None:
        st.error(report.summary(), icon=":material/block:")
    else:
        st.success(report.summary(), icon=":material/task_alt:")
        cells = st.columns(3)
        cells[0].metric("Added", f"{report.added:,}")
        cells[1].metric("Already stored (duplicates)", f"{report.duplicates:,}")
        cells[2].metric("Skipped (rejected)", f"{report.rejected:,}")
        for note in report.notes[len(parsed.notes):]:
            st.caption(note)
