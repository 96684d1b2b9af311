"""The board pack workbook, re-opened with openpyxl: sheets, headers, values, formats, charts, no formulas."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from store.board_pack import build_workbook, file_name, gather_board_pack, record_export
from store.models import AuditEntry
from store.permissions import Scope
from store.queries import Period
from store.users import create_user
from tests.store.executive_data import WEEK_ONE, WEEK_TWO, scores, seed

HOSTILE_AGENT = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def pack(session, session_factory):
    seed(session, [
        *scores("Ann", "Alpha", 1, [70, 75, 80, 85, 90]), *scores("Ann", "Alpha", 8, [80, 90, 80, 90, 80]),
        *scores(HOSTILE_AGENT, "+Alpha", 8, [60, 70]), *scores("Bob", "Beta", 9, [85, 95] * 5, channel="social"),
    ])
    return gather_board_pack(session_factory, scope=Scope(everything=True), period=Period(WEEK_ONE.start, WEEK_TWO.end),
                             generated_at=datetime(2026, 3, 16, 8, 30, tzinfo=timezone.utc))


def test_the_workbook_has_formatted_tables_and_native_charts(pack):
    workbook = load_workbook(io.BytesIO(build_workbook(pack)))
    assert workbook.sheetnames == ["Summary", "Leaderboard", "Trends", "Compliance", "Teams"]

    board = workbook["Leaderboard"]
    assert [c.value for c in board[1]][:9] == ["Rank", "Change", "Agent", "Team", "Interactions", "Mean score",
                                               "Team mean", "Shrunk score", "Badges"]
    assert board["A1"].font.bold and board["A1"].fill.fgColor.rgb.endswith("1F4E79")
    assert [[c.value for c in row] for row in board.iter_rows(min_row=2, max_row=3, max_col=8)] == [
        [1, None, "Bob", "Beta", 10, 90.0, 90.0, 90.0], [2, None, "Ann", "Alpha", 10, 82.0, 82.0, 82.0]]
    assert board["F2"].number_format == "0.0" and board["B2"].number_format == "+0;-0;0"
    assert board.freeze_panes == "D2"
    assert "Leaderboard" in board.tables
    assert board.column_dimensions["C"].width >= len("Agent")

    trends = workbook["Trends"]
    assert [c.value for c in trends[1]] == ["Week", "Interactions", "Average quality", "First-contact resolution",
                                            "Within target: phone", "Within target: chat", "Within target: email",
                                            "Within target: social", "Days in period"]
    assert [trends.cell(row=row, column=9).value for row in (2, 3)] == [7, 7]  # two whole weeks
    assert trends["A2"].value.date() == date(2026, 3, 2) and trends["A2"].number_format == "yyyy-mm-dd"
    assert trends["C2"].value == pytest.approx(80.0) and trends["C2"].number_format == "0.0"
    assert trends["D2"].number_format == "0.0%" and trends["B2"].number_format == "#,##0"
    assert len(trends._charts) == 3 and trends.freeze_panes == "B2"

    compliance = workbook["Compliance"]
    rows = {row[0].value: row for row in compliance.iter_rows(min_row=2, max_row=5)}
    assert set(rows) == {"phone", "chat", "email", "social"}
    assert rows["social"][1].value == "1 hour" and rows["social"][5].value == 1.0
    assert rows["social"][5].number_format == "0.0%"
    assert len(compliance._charts) == 1 and "Compliance" in compliance.tables

    assert len(workbook["Teams"]._charts) == 1
    summary = workbook["Summary"]
    assert summary["A1"].value == "Rapport board pack"
    assert "Not a raw average" in " ".join(str(c.value) for c in summary["A"] if c.value)


def test_no_cell_from_the_data_can_become_a_formula(pack):
    workbook = load_workbook(io.BytesIO(build_workbook(pack)))
    texts = [cell for ws in workbook for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not [cell.coordinate for cell in texts if cell.data_type == "f" or cell.value.startswith(("=", "+", "@"))]
    teams = workbook["Teams"]
    assert "'+Alpha" in [cell.value for cell in teams["A"]]
    note = " ".join(str(c.value) for c in workbook["Leaderboard"]["A"] if c.value)
    assert "'" + HOSTILE_AGENT in note  # listed as not having enough interactions yet


def test_an_empty_period_still_builds(session_factory):
    empty = gather_board_pack(session_factory, scope=Scope(everything=True), period=WEEK_ONE,
                              generated_at=datetime(2026, 3, 16, tzinfo=timezone.utc))
    workbook = load_workbook(io.BytesIO(build_workbook(empty)))
    assert workbook["Leaderboard"]["A2"].value == "No data in this period."
    assert not workbook["Leaderboard"].tables


def test_the_export_is_audited(session, pack):
    user = create_user(session, username="ceo", password="secret", role="executive")
    record_export(session, by=user, pack=pack)
    session.commit()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "board_pack_exported")).one()
    assert (entry.username, entry.target) == ("ceo", "2026-03-02..2026-03-15")
    assert file_name(pack) == "rapport-board-pack-2026-03-02-to-2026-03-15.xlsx"
