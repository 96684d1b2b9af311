"""The board pack: the executive view as one Excel workbook with native charts and formatted tables.

`gather_board_pack` reads everything in one place; `build_workbook` is a pure function from that
BoardPack to the bytes of an .xlsx file, so what is downloaded is exactly what the page shows.

Formula injection: every text cell from the data (agent and team names, badges) goes through
store.spreadsheet.safe_cell, which stores text starting with "=", "+", "-", "@" (and the other triggers) with
a leading apostrophe as part of the text ("'=HYPERLINK(…)"). The apostrophe stays visible, which is the point:
the cell can never turn into a formula, not even after the workbook is saved again as CSV.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session, sessionmaker

from scoring.model import CHANNELS
from store import audit
from store.db import read_at_once
from store.leaderboard import MIN_INTERACTIONS, Leaderboard, assemble_board, board_reads, method_sentence
from store.organisation import (
    ImpactFigure,
    channel_compliance,
    impact_assumptions,
    impact_counts,
    impact_figures,
    team_comparison,
    weekly_by_channel,
    weekly_quality,
    weekly_summary,
)
from store.permissions import Scope
from store.queries import Headline, Period, headline
from store.spreadsheet import safe_cell
from store.users import AuthUser

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TABLE_STYLE = "TableStyleMedium2"
COUNT, SCORE, SHARE, CSAT, CHANGE, DAY = "#,##0", "0.0", "0.0%", "0.00", "+0;-0;0", "yyyy-mm-dd"
TOP_AGENTS_CHARTED = 10
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class BoardPack:
    period: Period
    generated_at: datetime
    now: Headline
    before: Headline  # the previous period of the same length
    leaderboard: Leaderboard
    weekly: pd.DataFrame  # organisation.weekly_summary
    compliance: pd.DataFrame  # organisation.channel_compliance
    teams: pd.DataFrame  # organisation.team_comparison
    impact: tuple[ImpactFigure, ...]


def gather_board_pack(sessions: sessionmaker[Session], *, scope: Scope, period: Period,
                      generated_at: datetime) -> BoardPack:
    """Read everything the board pack shows for the scope and period, the reads at once (store.db.read_at_once)."""
    def impact(session: Session) -> tuple[ImpactFigure, ...]:
        assumptions = impact_assumptions(session)
        return impact_figures(impact_counts(session, scope=scope, period=period, assumptions=assumptions),
                              assumptions)

    board = board_reads(scope, period)  # the longest reads, so first
    read = read_at_once(sessions, {
        **board,
        "weekly": lambda session: weekly_quality(session, scope=scope, period=period),
        "by_channel": lambda session: weekly_by_channel(session, scope=scope, period=period),
        "teams": lambda session: team_comparison(session, scope=scope, period=period),
        "compliance": lambda session: channel_compliance(session, scope=scope, period=period),
        "now": lambda session: headline(session, scope=scope, period=period),
        "before": lambda session: headline(session, scope=scope, period=period.previous()),
        "impact": impact,
    })
    return BoardPack(
        period=period,
        generated_at=generated_at,
        now=read["now"],
        before=read["before"],
        leaderboard=assemble_board({name: read[name] for name in board}, period=period,
                                   min_interactions=MIN_INTERACTIONS),
        weekly=weekly_summary(read["weekly"], read["by_channel"], period),
        compliance=read["compliance"],
        teams=read["teams"],
        impact=read["impact"],
    )


def record_export(session: Session, *, by: AuthUser, pack: BoardPack) -> None:
    """Audit that the board pack for a period left the building."""
    audit.record(session, action="board_pack_exported", user_id=by.id, username=by.username,
                 target=f"{pack.period.start.isoformat()}..{pack.period.end.isoformat()}",
                 detail={"generated_at": pack.generated_at.isoformat(),
                         "ranked_agents": len(pack.leaderboard.ranked)})


def file_name(pack: BoardPack) -> str:
    return f"rapport-board-pack-{pack.period.start.isoformat()}-to-{pack.period.end.isoformat()}.xlsx"


# -- workbook ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    source: str  # column of the DataFrame
    number_format: str = "General"


def build_workbook(pack: BoardPack) -> bytes:
    """Return the .xlsx bytes: Summary, Leaderboard, Trends, Compliance and Teams sheets."""
    workbook = Workbook()
    _summary_sheet(workbook.active, pack)
    _leaderboard_sheet(workbook.create_sheet("Leaderboard"), pack.leaderboard)
    _trends_sheet(workbook.create_sheet("Trends"), pack.weekly)
    _compliance_sheet(workbook.create_sheet("Compliance"), pack.compliance)
    _teams_sheet(workbook.create_sheet("Teams"), pack.teams)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _value(value: Any) -> Any:
    """Return a cell value: text neutralised, dates as dates, missing as empty, numpy numbers as Python ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (datetime, date, bool)):
        return value
    return value.item() if hasattr(value, "item") else value


def _write_table(ws: Worksheet, frame: pd.DataFrame, columns: Sequence[Column], *, name: str, top: int = 1,
                 left: int = 1) -> int:
    """Write a styled header and rows at (top, left), as an Excel table when there are rows; return the last row."""
    for offset, column in enumerate(columns):
        cell = ws.cell(row=top, column=left + offset, value=column.header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row_offset, record in enumerate(frame[[c.source for c in columns]].itertuples(index=False), start=1):
        for offset, (column, value) in enumerate(zip(columns, record)):
            cell = ws.cell(row=top + row_offset, column=left + offset, value=_value(value))
            cell.number_format = column.number_format
    last = top + len(frame)
    if len(frame):
        ref = f"{get_column_letter(left)}{top}:{get_column_letter(left + len(columns) - 1)}{last}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
        ws.add_table(table)
    else:
        ws.cell(row=top + 1, column=left, value="No data in this period.")
    return last


def _fit_columns(ws: Worksheet) -> None:
    """Set each column wide enough for its longest value (formatted numbers count as 12 characters)."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            length = len(str(cell.value)) if isinstance(cell.value, str) else 12
            widths[cell.column] = max(widths.get(cell.column, 8), length + 2)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(width, MAX_COLUMN_WIDTH)


def _period_line(period: Period) -> str:
    previous = period.previous()
    return (f"Period {period.start:%d %b %Y} – {period.end:%d %b %Y}, compared with the previous period of the "
            f"same length ({previous.start:%d %b %Y} – {previous.end:%d %b %Y}).")


def _summary_sheet(ws: Worksheet, pack: BoardPack) -> None:
    ws.title = "Summary"
    ws["A1"] = "Rapport board pack"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A2"] = _period_line(pack.period)
    ws["A3"] = f"Generated {pack.generated_at:%d %b %Y %H:%M} UTC."
    rows = [
        ("Interactions", pack.now.interactions, pack.before.interactions, COUNT),
        ("Average quality (0-100)", pack.now.average_overall, pack.before.average_overall, SCORE),
        ("First-contact resolution", pack.now.first_contact_resolution, pack.before.first_contact_resolution, SHARE),
        ("Customers passed on", pack.now.transfer_rate, pack.before.transfer_rate, SHARE),
        ("Critical fails", pack.now.auto_fail_rate, pack.before.auto_fail_rate, SHARE),
        ("CSAT (1-5)", pack.now.csat, pack.before.csat, CSAT),
    ]
    headline_frame = pd.DataFrame(rows, columns=["measure", "now", "before", "format"])
    last = _write_table(ws, headline_frame, [Column("Measure", "measure"), Column("This period", "now"),
                                             Column("Previous period", "before")], name="Headline", top=5)
    for row, number_format in zip(range(6, last + 1), headline_frame["format"]):
        for column in (2, 3):
            ws.cell(row=row, column=column).number_format = number_format
    impact = pd.DataFrame([(f.title, f.value, f.formula) for f in pack.impact], columns=["title", "value", "formula"])
    top = last + 3
    heading = ws.cell(row=top - 1, column=1, value="Business impact (estimates; every assumption is editable in Rapport)")
    heading.font = Font(bold=True)
    last = _write_table(ws, impact, [Column("Estimate", "title"), Column("People", "value", COUNT),
                                     Column("How it is calculated", "formula")], name="Impact", top=top)
    ws.cell(row=last + 2, column=1, value=method_sentence(pack.leaderboard))
    _fit_columns(ws)
    ws.column_dimensions["A"].width = 44  # the title and notes in column A run on into the empty cells beside


def _leaderboard_sheet(ws: Worksheet, board: Leaderboard) -> None:
    last = _write_table(ws, board.ranked, [
        Column("Rank", "rank", COUNT), Column("Change", "rank_change", CHANGE), Column("Agent", "agent"),
        Column("Team", "team"), Column("Interactions", "interactions", COUNT), Column("Mean score", "mean", SCORE),
        Column("Team mean", "team_mean", SCORE), Column("Shrunk score", "shrunk", SCORE), Column("Badges", "badges"),
    ], name="Leaderboard")
    ws.freeze_panes = "D2"
    notes = [method_sentence(board), "Change: places gained since the previous period of the same length; "
             "blank when the agent was not ranked then."]
    if len(board.too_few):
        notes.append(f"Not enough interactions yet (fewer than {board.min_interactions}): "
                     + ", ".join(safe_cell(name) for name in board.too_few["agent"]) + ".")
    for offset, note in enumerate(notes, start=2):
        ws.cell(row=last + offset, column=1, value=note)
    improved_top = last + len(notes) + 4
    ws.cell(row=improved_top - 1, column=1, value="Most improved (shrunk score against the previous period)").font = \
        Font(bold=True)
    _write_table(ws, board.most_improved, [
        Column("Agent", "agent"), Column("Team", "team"), Column("Before", "shrunk_before", SCORE),
        Column("Now", "shrunk", SCORE), Column("Change", "change", "+0.0;-0.0;0.0"),
    ], name="MostImproved", top=improved_top, left=3)
    _fit_columns(ws)
    ws.column_dimensions["A"].width = 8
    if len(board.ranked):
        charted = min(len(board.ranked), TOP_AGENTS_CHARTED)
        chart = _bar_chart(f"Top {charted} agents (shrunk score)", "Shrunk score")
        chart.type = "bar"  # horizontal, so names stay readable
        chart.x_axis.scaling.orientation = "maxMin"  # rank 1 at the top
        chart.add_data(Reference(ws, min_col=8, min_row=1, max_row=1 + charted), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=3, min_row=2, max_row=1 + charted))
        ws.add_chart(chart, "K2")


def _trends_sheet(ws: Worksheet, weekly: pd.DataFrame) -> None:
    columns = [Column("Week", "week", DAY), Column("Interactions", "interactions", COUNT),
               Column("Average quality", "overall", SCORE),
               Column("First-contact resolution", "first_contact_resolution", SHARE),
               *(Column(f"Within target: {channel}", f"compliance_{channel}", SHARE) for channel in CHANNELS),
               Column("Days in period", "days", COUNT)]  # last: the charts read the columns before it
    last = _write_table(ws, weekly, columns, name="Trends")
    ws.freeze_panes = "B2"
    _fit_columns(ws)
    if not len(weekly):
        return
    weeks = Reference(ws, min_col=1, min_row=2, max_row=last)
    for anchor, title, y_title, first_column, last_column in (
        ("L2", "Average quality by week", "Score (0-100)", 3, 3),
        ("L20", "First-contact resolution by week", "Share resolved", 4, 4),
        ("L38", "Replies within the rubric's target by week", "Share within target", 5, 4 + len(CHANNELS)),
    ):
        chart = _line_chart(title, y_title)
        if first_column > 3:
            chart.y_axis.number_format = "0%"
            chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        chart.add_data(Reference(ws, min_col=first_column, max_col=last_column, min_row=1, max_row=last),
                       titles_from_data=True)
        chart.set_categories(weeks)
        for series in chart.series:
            series.smooth = False  # weekly points, not a curve
        if first_column == last_column:
            chart.legend = None
        else:
            chart.legend.position = "b"
        ws.add_chart(chart, anchor)


def _compliance_sheet(ws: Worksheet, compliance: pd.DataFrame) -> None:
    last = _write_table(ws, compliance, [
        Column("Channel", "channel"), Column("Target", "target"), Column("Interactions", "interactions", COUNT),
        Column("Timed replies", "replies", COUNT), Column("Within target", "within_target", COUNT),
        Column("Share within target", "compliance", SHARE),
    ], name="Compliance")
    ws.freeze_panes = "A2"
    _fit_columns(ws)
    chart = _bar_chart("Replies within the rubric's target", "Share within target")
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.add_data(Reference(ws, min_col=6, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    ws.add_chart(chart, "H2")


def _teams_sheet(ws: Worksheet, teams: pd.DataFrame) -> None:
    last = _write_table(ws, teams, [
        Column("Team", "team"), Column("Interactions", "interactions", COUNT),
        Column("Average quality", "overall", SCORE),
        Column("First-contact resolution", "first_contact_resolution", SHARE),
        Column("Within target", "compliance", SHARE), Column("CSAT (1-5)", "csat", CSAT),
        Column("Critical fails", "auto_fail_rate", SHARE),
    ], name="Teams")
    ws.freeze_panes = "B2"
    _fit_columns(ws)
    if len(teams):
        chart = _bar_chart("Average quality by team", "Score (0-100)")
        chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
        ws.add_chart(chart, "J2")


def _line_chart(title: str, y_title: str) -> LineChart:
    chart = LineChart()
    chart.title, chart.y_axis.title, chart.x_axis.title = title, y_title, "Week"
    chart.x_axis.number_format = DAY
    chart.height, chart.width = 8, 18
    _show_axes(chart)
    return chart


def _bar_chart(title: str, y_title: str) -> BarChart:
    chart = BarChart()
    chart.title, chart.y_axis.title = title, y_title
    chart.legend = None
    chart.height, chart.width = 8, 16
    _show_axes(chart)
    return chart


def _show_axes(chart: LineChart | BarChart) -> None:
    # openpyxl leaves axis deletion unset, which recent Excel versions read as "hide the axis".
    chart.x_axis.delete = False
    chart.y_axis.delete = False
