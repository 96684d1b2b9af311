"""Exports on SQLite and PostgreSQL: workbooks re-opened with openpyxl, CSV rows, scope, formula injection."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from openpyxl.chart import BarChart, LineChart
from sqlalchemy import select

from scoring.result import CRITERIA
from store import exports
from store.exports import ExportNotFound
from store.ingest import ingest_interactions
from store.models import AuditEntry, Employee, Score, Team
from store.permissions import Scope
from store.queries import Period
from store.users import create_user
from tests.factories import START, make_interaction

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 31))
EVIL_AGENT = "=HYPERLINK(\"http://x\",\"y\")"


@pytest.fixture
def org(session):
    """Team "+Alpha" with agents Ann and EVIL_AGENT over three weeks; team Beta with Bob."""
    ingest_interactions(session, interactions=[
        make_interaction("@a1", agent="Ann", team="+Alpha", start=START, csat=4),
        make_interaction("a2", agent="Ann", team="+Alpha", start=START + timedelta(days=7), transferred=True),
        make_interaction("a3", agent="Ann", team="+Alpha", start=START + timedelta(days=14), csat=None),
        make_interaction("-e1", agent=EVIL_AGENT, team="+Alpha", start=START + timedelta(days=1)),
        make_interaction("b1", agent="Bob", team="Beta", start=START),
        make_interaction("late", agent="Bob", team="Beta", start=START + timedelta(days=60)),
    ])
    teams = dict(session.execute(select(Team.name, Team.id)).all())
    employees = dict(session.execute(select(Employee.name, Employee.id)).all())
    users = {
        "trainer": create_user(session, username="t", password="abcd", role="trainer", team_ids=(teams["+Alpha"],)),
        "exec": create_user(session, username="e", password="abcd", role="executive"),
        "agent": create_user(session, username="a", password="abcd", role="agent", employee_id=employees["Ann"]),
    }
    session.commit()
    return teams, employees, users


def read_csv(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data)))


def test_csv_has_one_row_per_scored_interaction_in_scope_and_period(session, org):
    teams, _, _ = org
    text = "".join(exports.interactions_csv(session, scope=Scope(team_ids=(teams["+Alpha"],)), period=PERIOD))
    rows = read_csv(text)
    assert text.splitlines()[0].split(",") == list(exports.CSV_COLUMNS)
    assert [r["external_id"] for r in rows] == ["'@a1", "'-e1", "a2", "a3"]
    first = rows[0]
    score = session.scalars(select(Score)).first()
    assert first["agent"] == "Ann" and first["team"] == "'+Alpha" and first["channel"] == "chat"
    assert first["started_at"] == "2026-03-02T10:00:00Z"
    assert (first["transferred"], first["resolved"], first["csat"]) == ("false", "true", "4")
    assert float(first["first_response_seconds"]) == 45
    assert float(first["overall"]) == pytest.approx(score.overall)
    assert {c: float(first[c]) if first[c] else None for c in CRITERIA} == {c: getattr(score, c) for c in CRITERIA}
    assert first["auto_fail"] == "false"
    assert rows[1]["agent"] == "'" + EVIL_AGENT
    assert rows[2]["transferred"] == "true" and rows[3]["csat"] == ""
    everything = read_csv("".join(exports.interactions_csv(session, scope=Scope(everything=True))))
    assert len(everything) == 6
    beta_only = read_csv("".join(exports.interactions_csv(session, scope=Scope(everything=True), period=PERIOD,
                                                          team_id=teams["Beta"])))
    assert [r["external_id"] for r in beta_only] == ["b1"]
    assert read_csv("".join(exports.interactions_csv(session, scope=Scope(), period=PERIOD))) == []


def test_csv_streams_in_chunks(session, org, monkeypatch):
    monkeypatch.setattr(exports, "CSV_CHUNK_ROWS", 2)
    chunks = list(exports.interactions_csv(session, scope=Scope(everything=True)))
    assert len(chunks) == 3  # header with the first two rows, then two rows, then two rows
    assert len(read_csv("".join(chunks))) == 6


def open_workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_agent_workbook_has_formatted_tables_and_native_charts(session, org):
    teams, employees, users = org
    report = exports.agent_report(session, scope=Scope(team_ids=(teams["+Alpha"],)), employee_id=employees["Ann"],
                                  period=PERIOD)
    assert (report.subject, report.comparison) == ("Ann", "Team +Alpha")
    book = open_workbook(exports.workbook_bytes(report))
    assert book.sheetnames == ["Summary", "Weekly", "Interactions"]

    summary = book["Summary"]
    assert summary["A1"].value == "Quality report: Ann"
    assert [c.value for c in summary[6][:4]] == ["Criterion", "Ann", "Team +Alpha", "Difference"]
    assert summary["A7"].value == "Overall" and summary["B7"].number_format == "0.0"
    overall_ann = report.criteria.iloc[0]["subject"]
    assert summary["B7"].value == pytest.approx(overall_ann)
    assert summary["D7"].value == pytest.approx(overall_ann - report.criteria.iloc[0]["comparison"])
    assert summary.freeze_panes == "A7" and "CriterionMeans" in summary.tables
    assert summary["A6"].font.bold and summary["A6"].fill.fgColor.rgb.endswith("1F4E78")
    assert [type(chart) for chart in summary._charts] == [BarChart]

    weekly = book["Weekly"]
    assert [c.value for c in weekly[1]][:3] == ["Week", "Interactions", "Overall"]
    assert [weekly.cell(row=r, column=2).value for r in (2, 3, 4)] == [1, 1, 1]
    assert weekly["A2"].value.date() == date(2026, 3, 2) and weekly["A2"].number_format == "yyyy-mm-dd"
    assert weekly["C2"].number_format == "0.0" and weekly.freeze_panes == "B2"
    assert "Weekly" in weekly.tables and weekly.tables["Weekly"].ref == "A1:I4"
    [line] = weekly._charts
    assert isinstance(line, LineChart) and len(line.series) == len(CRITERIA)
    assert not any(series.smooth for series in line.series)

    rows = book["Interactions"]
    assert rows["A1"].value == "Interaction" and rows.freeze_panes == "B2"
    assert [rows.cell(row=r, column=1).value for r in (2, 3, 4)] == ["'@a1", "a2", "a3"]
    assert rows["E2"].number_format == "yyyy-mm-dd hh:mm" and rows["E2"].value.hour == 10
    assert rows["G3"].value is True and rows["I4"].value is None
    assert rows.column_dimensions["B"].width >= 10


def test_team_workbook_compares_with_all_teams_in_scope_and_neutralises_names(session, org):
    teams, _, _ = org
    report = exports.team_report(session, scope=Scope(everything=True), team_id=teams["+Alpha"], period=PERIOD)
    assert (report.subject, report.comparison) == ("+Alpha", "All teams in scope")
    book = open_workbook(exports.workbook_bytes(report))
    assert book["Summary"]["A1"].value == "Quality report: +Alpha"
    assert book["Summary"]["B6"].value == "'+Alpha"
    agents = {book["Interactions"].cell(row=r, column=2).value for r in range(2, 6)}
    assert agents == {"Ann", "'" + EVIL_AGENT}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


def test_a_period_without_data_gives_a_workbook_without_tables_or_line_chart(session, org):
    teams, _, _ = org
    empty = Period(date(2025, 1, 1), date(2025, 1, 31))
    book = open_workbook(exports.workbook_bytes(
        exports.team_report(session, scope=Scope(everything=True), team_id=teams["Beta"], period=empty)))
    assert book["Weekly"]._charts == [] and not book["Weekly"].tables
    assert book["Weekly"]["A3"].value == "No scored interactions in this period."


def test_reports_outside_scope_read_as_not_found(session, org):
    teams, employees, _ = org
    alpha = Scope(team_ids=(teams["+Alpha"],))
    with pytest.raises(ExportNotFound):
        exports.agent_report(session, scope=alpha, employee_id=employees["Bob"], period=PERIOD)
    with pytest.raises(ExportNotFound):
        exports.team_report(session, scope=alpha, team_id=teams["Beta"], period=PERIOD)


def test_exports_are_scoped_to_the_user_and_audited(session, org):
    teams, employees, users = org
    workbook = exports.export_workbook(session, by=users["trainer"], kind="team", subject_id=teams["+Alpha"],
                                       period=PERIOD)
    assert workbook.filename == "rapport-alpha-20260301-20260331.xlsx" and workbook.mime == exports.XLSX_MIME
    with pytest.raises(ExportNotFound):
        exports.export_workbook(session, by=users["trainer"], kind="agent", subject_id=employees["Bob"], period=PERIOD)
    trainer_csv = exports.export_interactions_csv(session, by=users["trainer"], period=PERIOD)
    assert len(read_csv(trainer_csv.data.decode())) == 4
    assert len(read_csv(exports.export_interactions_csv(session, by=users["exec"], period=PERIOD).data.decode())) == 5
    with pytest.raises(PermissionError, match="^role:"):
        exports.export_interactions_csv(session, by=users["agent"], period=PERIOD)
    entries = session.execute(select(AuditEntry.action, AuditEntry.username, AuditEntry.target, AuditEntry.detail)
                              .order_by(AuditEntry.id)).all()
    assert [(a, u, t) for a, u, t, _ in entries] == [("export_workbook", "t", f"team:{teams['+Alpha']}"),
                                                     ("export_csv", "t", "interactions"),
                                                     ("export_csv", "e", "interactions")]
    assert entries[0].detail["interactions"] == 4 and entries[1].detail["rows"] == 4
