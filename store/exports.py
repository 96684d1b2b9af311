"""Exports: an Excel workbook per agent or team, and a CSV of interactions, both scoped and audited.

Formula injection: every text value that comes from data (ids, names, teams, channels) goes
through store.spreadsheet.safe_cell, so it stays text. Numbers, dates and booleans are written
as such and are never prefixed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from scoring.result import CRITERIA
from store import audit
from store.models import Employee, Interaction, Score, Team, as_utc
from store.permissions import Scope, scope_for
from store.profiles import teams_in_scope
from store.queries import CRITERION_LABELS, Period, _scored
from store.spreadsheet import safe_cell
from store.rubrics import active_rubric
from store.users import AuthUser

EXPORT_ROLES = ("admin", "trainer", "executive")
CSV_COLUMNS = ("external_id", "agent", "team", "channel", "started_at", "first_response_seconds", "transferred",
               "resolved", "csat", *CRITERIA, "overall", "auto_fail")
CSV_CHUNK_ROWS = 1000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_COLUMN_TITLES = {
    "external_id": "Interaction", "agent": "Agent", "team": "Team", "channel": "Channel",
    "started_at": "Started (UTC)", "first_response_seconds": "First response (s)", "transferred": "Transferred",
    "resolved": "Resolved", "csat": "CSAT", **CRITERION_LABELS, "overall": "Overall", "auto_fail": "Auto-fail",
}
_SCORE_FORMAT, _COUNT_FORMAT, _DATE_FORMAT, _TIME_FORMAT = "0.0", "#,##0", "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
_MAX_WIDTH = 48


class ExportNotFound(LookupError):
    """The agent or team does not exist or is outside the caller's scope."""


# -- queries ---------------------------------------------------------------------------------------------


def _interaction_rows(session: Session, scope: Scope, period: Period | None, *conditions) -> Select:
    """Select the CSV columns of scored interactions in scope and period, oldest first."""
    return (
        _scored(session, scope, period, Interaction.external_id, Employee.name, Team.name, Interaction.channel,
                Interaction.started_at, Score.first_response_seconds, Interaction.transferred, Interaction.resolved,
                Interaction.csat, *(getattr(Score, name) for name in CRITERIA), Score.overall, Score.auto_fail)
        .outerjoin(Employee, Employee.id == Interaction.employee_id)
        .outerjoin(Team, Team.id == Interaction.team_id)
        .where(*conditions)
        .order_by(Interaction.started_at, Interaction.id)
    )


def _team_condition(team_id: int | None) -> list:
    return [Interaction.team_id == team_id] if team_id is not None else []


def interactions_csv(session: Session, *, scope: Scope, period: Period | None = None,
                     team_id: int | None = None) -> Iterator[str]:
    """Yield a CSV of scored interactions in scope, one row each: the header, then chunks of rows.

    Rows stream from the database in chunks; no ORM objects are loaded.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    result = session.execute(_interaction_rows(session, scope, period, *_team_condition(team_id))
                             .execution_options(yield_per=CSV_CHUNK_ROWS))
    for chunk in result.partitions():
        writer.writerows([_csv_value(value) for value in row] for row in chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return as_utc(value).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str):
        return safe_cell(value)
    return value


@dataclass(frozen=True)
class Report:
    """What a workbook shows, straight from the queries."""

    subject: str  # the agent's or team's name
    comparison: str  # what the subject is compared with, e.g. "Team Billing"
    period: Period
    rubric_version: str
    weekly: pd.DataFrame  # week, interactions, overall, *CRITERIA (the subject's)
    criteria: pd.DataFrame  # criterion (label), subject, comparison: means; "Overall" first
    interactions: pd.DataFrame  # CSV_COLUMNS (the subject's)


def agent_report(session: Session, *, scope: Scope, employee_id: int, period: Period) -> Report:
    """Return an agent's weekly trend, criterion means against their team, and interactions."""
    row = session.execute(
        select(Employee.name, Employee.team_id, Team.name).outerjoin(Team, Team.id == Employee.team_id)
        .where(Employee.id == employee_id, scope.condition(team_column=Employee.team_id, employee_column=Employee.id))
    ).first()
    if row is None:
        raise ExportNotFound(f"agent {employee_id}")
    name, team_id, team = row
    comparison = ([Interaction.team_id == team_id], f"Team {team}") if team_id is not None else ([], "All in scope")
    return _report(session, scope, period, name, [Interaction.employee_id == employee_id], *comparison)


def team_report(session: Session, *, scope: Scope, team_id: int, period: Period) -> Report:
    """Return a team's weekly trend, criterion means against all teams in scope, and interactions."""
    teams = teams_in_scope(session, scope=scope)
    match = teams[teams["id"] == team_id]
    if match.empty:
        raise ExportNotFound(f"team {team_id}")
    return _report(session, scope, period, match["name"].iloc[0], [Interaction.team_id == team_id], [],
                   "All teams in scope")


def _report(session: Session, scope: Scope, period: Period, subject: str, subject_conditions: list,
            comparison_conditions: list, comparison: str) -> Report:
    criteria = [func.avg(getattr(Score, name)) for name in CRITERIA]
    weekly = pd.DataFrame(session.execute(
        _scored(session, scope, period, Interaction.started_week, func.count(), func.avg(Score.overall), *criteria)
        .where(*subject_conditions).group_by(Interaction.started_week).order_by(Interaction.started_week)
    ).all(), columns=["week", "interactions", "overall", *CRITERIA])
    means = []
    for conditions in (subject_conditions, comparison_conditions):
        means.append(session.execute(_scored(session, scope, period, func.avg(Score.overall), *criteria)
                                     .where(*conditions)).one())
    labels = ["Overall", *(CRITERION_LABELS[name] for name in CRITERIA)]
    table = pd.DataFrame({"criterion": labels, "subject": list(means[0]), "comparison": list(means[1])})
    interactions = pd.DataFrame(session.execute(_interaction_rows(session, scope, period, *subject_conditions)).all(),
                                columns=list(CSV_COLUMNS))
    return Report(subject=subject, comparison=comparison, period=period,
                  rubric_version=active_rubric(session).version, weekly=weekly, criteria=table,
                  interactions=interactions)


# -- the workbook ----------------------------------------------------------------------------------------


def workbook_bytes(report: Report, *, generated_at: datetime | None = None) -> bytes:
    """Return an .xlsx of the report: a summary with a bar chart, weekly trends with a line chart, interactions."""
    generated_at = generated_at or datetime.now(timezone.utc)
    workbook = Workbook()
    _summary_sheet(workbook.active, report, generated_at)
    _weekly_sheet(workbook.create_sheet("Weekly"), report)
    _interactions_sheet(workbook.create_sheet("Interactions"), report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value: Any) -> Any:
    """Return a value openpyxl writes as the right cell type: text neutralised, times naive UTC, NaN empty."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):  # Excel has no time zones: write UTC, as the header says
        return as_utc(value).astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, str):
        return safe_cell(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _write_table(sheet: Worksheet, *, top: int, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                 formats: Sequence[str | None], name: str) -> None:
    """Write a styled header and rows from row `top`, as an Excel table when there are rows."""
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=top, column=column, value=_plain(header))
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for offset, values in enumerate(rows, start=1):
        for column, (value, number_format) in enumerate(zip(values, formats), start=1):
            cell = sheet.cell(row=top + offset, column=column, value=_plain(value))
            if number_format:
                cell.number_format = number_format
    for column, header in enumerate(headers, start=1):
        longest = max([len(str(header))] + [len(str(_plain(values[column - 1]) or "")) for values in rows[:500]])
        sheet.column_dimensions[get_column_letter(column)].width = min(_MAX_WIDTH, max(10, longest + 2))
    if rows:
        ref = f"A{top}:{get_column_letter(len(headers))}{top + len(rows)}"
        sheet.add_table(Table(displayName=name, ref=ref, tableStyleInfo=_TABLE_STYLE))


def _summary_sheet(sheet: Worksheet, report: Report, generated_at: datetime) -> None:
    sheet.title = "Summary"
    sheet["A1"] = _plain(f"Quality report: {report.subject}")
    sheet["A1"].font = Font(bold=True, size=14)
    facts = [("Period", f"{report.period.start:%Y-%m-%d} to {report.period.end:%Y-%m-%d}"),
             ("Rubric version", report.rubric_version),
             ("Generated (UTC)", generated_at.astimezone(timezone.utc).replace(tzinfo=None))]
    for row, (label, value) in enumerate(facts, start=2):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        cell = sheet.cell(row=row, column=2, value=_plain(value))
        cell.number_format = _TIME_FORMAT if isinstance(value, datetime) else "General"
    top = 6
    rows = [(c, s, k, None if s is None or k is None else s - k)
            for c, s, k in report.criteria.itertuples(index=False)]
    _write_table(sheet, top=top, headers=["Criterion", report.subject, report.comparison, "Difference"], rows=rows,
                 formats=[None, _SCORE_FORMAT, _SCORE_FORMAT, "+0.0;-0.0;0.0"], name="CriterionMeans")
    sheet.freeze_panes = f"A{top + 1}"
    _print_landscape_on_one_page_wide(sheet)
    chart = BarChart()
    chart.type, chart.title = "col", "Mean score by criterion"
    chart.legend.position = "b"
    chart.y_axis.title, chart.y_axis.scaling.min, chart.y_axis.scaling.max = "Score (0-100)", 0, 100
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=top, max_row=top + len(rows)), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=top + 1, max_row=top + len(rows)))
    _show_axes(chart)
    chart.height, chart.width = 9, 18
    sheet.add_chart(chart, "F2")


def _weekly_sheet(sheet: Worksheet, report: Report) -> None:
    headers = ["Week", "Interactions", "Overall", *(CRITERION_LABELS[name] for name in CRITERIA)]
    rows = [(pd.Timestamp(week).to_pydatetime(), count, *scores)
            for week, count, *scores in report.weekly.itertuples(index=False)]
    _write_table(sheet, top=1, headers=headers, rows=rows,
                 formats=[_DATE_FORMAT, _COUNT_FORMAT, *[_SCORE_FORMAT] * (1 + len(CRITERIA))], name="Weekly")
    sheet.freeze_panes = "B2"
    _print_landscape_on_one_page_wide(sheet)
    if not rows:
        sheet["A3"] = "No scored interactions in this period."
        return
    chart = LineChart()
    chart.title, chart.y_axis.title, chart.x_axis.title = "Weekly mean score by criterion", "Score (0-100)", "Week"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.x_axis.number_format = _DATE_FORMAT
    chart.add_data(Reference(sheet, min_col=4, max_col=3 + len(CRITERIA), min_row=1, max_row=1 + len(rows)),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=1 + len(rows)))
    for series in chart.series:
        series.smooth = False  # a smoothed line would show values between weeks that were never measured
    _show_axes(chart)
    chart.height, chart.width = 10, 24
    sheet.add_chart(chart, f"{get_column_letter(len(headers) + 2)}2")


def _print_landscape_on_one_page_wide(sheet: Worksheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _show_axes(chart: BarChart | LineChart) -> None:
    # openpyxl leaves `delete` unset, which recent Excel versions read as "hide the axis".
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _interactions_sheet(sheet: Worksheet, report: Report) -> None:
    formats = {"started_at": _TIME_FORMAT, "first_response_seconds": "0", "csat": "0", "overall": _SCORE_FORMAT,
               **{name: _SCORE_FORMAT for name in CRITERIA}}
    _write_table(sheet, top=1, headers=[_COLUMN_TITLES[c] for c in CSV_COLUMNS],
                 rows=list(report.interactions.itertuples(index=False)),
                 formats=[formats.get(c) for c in CSV_COLUMNS], name="Interactions")
    sheet.freeze_panes = "B2"


# -- exporting, audited ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes
    mime: str


def _check_role(user: AuthUser) -> None:
    if user.role not in EXPORT_ROLES:
        raise PermissionError(f"role: a {user.role} cannot export")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "export"


def export_workbook(session: Session, *, by: AuthUser, kind: Literal["agent", "team"], subject_id: int,
                    period: Period) -> Export:
    """Build the workbook of one agent or team in the user's scope, recorded in the audit log."""
    _check_role(by)
    scope = scope_for(by)
    if kind == "agent":
        report = agent_report(session, scope=scope, employee_id=subject_id, period=period)
    elif kind == "team":
        report = team_report(session, scope=scope, team_id=subject_id, period=period)
    else:
        raise ValueError(f"kind: expected agent or team, got {kind!r}")
    filename = f"rapport-{_slug(report.subject)}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    audit.record(session, action="export_workbook", user_id=by.id, username=by.username,
                 target=f"{kind}:{subject_id}",
                 detail={"period": [period.start.isoformat(), period.end.isoformat()],
                         "interactions": len(report.interactions)})
    return Export(filename, workbook_bytes(report), XLSX_MIME)


def export_interactions_csv(session: Session, *, by: AuthUser, period: Period, team_id: int | None = None) -> Export:
    """Build the CSV of scored interactions in the user's scope (optionally one team), recorded in the audit log."""
    _check_role(by)
    scope = scope_for(by)
    data = "".join(interactions_csv(session, scope=scope, period=period, team_id=team_id)).encode("utf-8")
    rows = session.scalar(select(func.count()).select_from(
        _interaction_rows(session, scope, period, *_team_condition(team_id)).subquery()))
    audit.record(session, action="export_csv", user_id=by.id, username=by.username,
                 target=f"team:{team_id}" if team_id is not None else "interactions",
                 detail={"period": [period.start.isoformat(), period.end.isoformat()], "rows": rows})
    return Export(f"rapport-interactions-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv", data, "text/csv")

