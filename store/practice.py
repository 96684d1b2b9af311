"""Practice sessions, trainees' history, assignments, the cohort grid and scenarios stored in the app.

Reads take a `scope` (an employee's practice is visible where the employee is); a user without an employee
record (a trainer trying a scenario) reads their own sessions by `user_id`. Writes take the signed-in user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from practice.certification import passes
from practice.scenarios import Scenario, parse_scenario
from scoring.result import CRITERIA, ScoreResult
from store import audit
from store.models import (DailyRollup, Employee, PracticeAssignment, PracticeSession, StoredScenario, Team,
                          User, utcnow)
from store.permissions import Scope
from store.rollups import mean_of, rolled
from store.review import REVIEWER_ROLES, assign_practice, employee_scope
from store.users import AuthUser

HISTORY_COLUMNS = ["id", "scenario", "started_at", "ended_at", "outcome", "overall", "auto_fail", *CRITERIA]


def save_session(session: Session, *, by: AuthUser, scenario_key: str, seed: int, started_at: datetime,
                 ended_at: datetime, outcome: str, transcript: Sequence[Mapping[str, Any]],
                 result: ScoreResult) -> int:
    """Store one finished practice conversation with its rubric score; return its id."""
    row = PracticeSession(
        user_id=by.id, employee_id=by.employee_id, scenario_key=scenario_key, seed=seed, started_at=started_at,
        ended_at=ended_at, outcome=outcome, transcript=[dict(turn) for turn in transcript], overall=result.overall,
        auto_fail=result.auto_fail,
        criteria={name: criterion.score for name, criterion in result.criteria.items()},
    )
    session.add(row)
    session.flush()
    audit.record(session, action="practice_session", user_id=by.id, username=by.username,
                 target=f"practice_session:{row.id}",
                 detail={"scenario_key": scenario_key, "overall": result.overall, "outcome": outcome})
    return row.id


def _trainee(scope: Scope, employee_id: int | None, user_id: int | None) -> ColumnElement[bool]:
    if employee_id is not None:
        in_scope = select(Employee.id).where(Employee.id == employee_id, employee_scope(scope)).exists()
        return and_(PracticeSession.employee_id == employee_id, in_scope)
    if user_id is None:
        raise ValueError("employee_id or user_id: name the trainee")
    return and_(PracticeSession.user_id == user_id, PracticeSession.employee_id.is_(None))


def history(session: Session, *, scope: Scope, employee_id: int | None, user_id: int | None = None) -> pd.DataFrame:
    """Return a trainee's finished attempts, oldest first, with each criterion's score."""
    rows = session.execute(
        select(PracticeSession.id, PracticeSession.scenario_key, PracticeSession.started_at, PracticeSession.ended_at,
               PracticeSession.outcome, PracticeSession.overall, PracticeSession.auto_fail, PracticeSession.criteria)
        .where(_trainee(scope, employee_id, user_id), PracticeSession.ended_at.is_not(None))
        .order_by(PracticeSession.started_at, PracticeSession.id)
    ).all()
    frame = pd.DataFrame([(*row[:7], *((row.criteria or {}).get(name) for name in CRITERIA)) for row in rows],
                         columns=HISTORY_COLUMNS)
    for column in ("started_at", "ended_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["auto_fail"] = frame["auto_fail"].astype(bool)
    frame["attempt"] = frame.groupby("scenario").cumcount() + 1
    return frame


def best_by_scenario(session: Session, *, scope: Scope, employee_id: int | None,
                     user_id: int | None = None) -> pd.DataFrame:
    """Return per scenario practised: attempts, best overall, best without a critical fail, last try, passed."""
    clean = case((PracticeSession.auto_fail.is_(False), PracticeSession.overall))
    rows = session.execute(
        select(PracticeSession.scenario_key, func.count(), func.max(PracticeSession.overall), func.max(clean),
               func.max(PracticeSession.ended_at))
        .where(_trainee(scope, employee_id, user_id), PracticeSession.ended_at.is_not(None))
        .group_by(PracticeSession.scenario_key)
        .order_by(PracticeSession.scenario_key)
    ).all()
    frame = pd.DataFrame(rows, columns=["scenario", "attempts", "best", "best_clean", "last_at"])
    frame["last_at"] = pd.to_datetime(frame["last_at"], utc=True)
    frame["passed"] = pd.Series([passes(None if pd.isna(best) else float(best), False)
                                 for best in frame["best_clean"]], dtype=bool)
    return frame


def weakest_criterion(session: Session, *, scope: Scope, employee_id: int | None,
                      user_id: int | None = None) -> tuple[str, str] | None:
    """Return (criterion, "work" or "practice"): the lowest mean criterion in the trainee's scored real work
    under the active rubric, else in their practice attempts, else None."""
    if employee_id is not None:
        means = session.execute(rolled(session, scope, None, *(mean_of(name) for name in CRITERIA))
                                .where(DailyRollup.employee_id == employee_id)).one()
        scored = {name: mean for name, mean in zip(CRITERIA, means) if mean is not None}
        if scored:
            return min(scored, key=scored.get), "work"
    attempts = history(session, scope=scope, employee_id=employee_id, user_id=user_id)
    practised = attempts[list(CRITERIA)].mean(numeric_only=True).dropna()
    if practised.empty:
        return None
    return str(practised.idxmin()), "practice"


def assign(session: Session, *, by: AuthUser, employee_ids: Sequence[int], scenario_key: str,
           due_date: date | None, known_keys: Sequence[str]) -> int:
    """Assign one scenario to several trainees in scope (one transaction); return how many were assigned."""
    if scenario_key not in known_keys:
        raise ValueError(f"scenario_key: no scenario {scenario_key!r}")
    if not employee_ids:
        raise ValueError("employee_ids: pick at least one trainee")
    for employee_id in employee_ids:
        assign_practice(session, by=by, employee_id=employee_id, scenario_key=scenario_key, due_date=due_date)
    return len(employee_ids)


def open_assignments(session: Session, *, scope: Scope, employee_id: int) -> pd.DataFrame:
    """Return an agent's assignments not yet completed by a practice session after they were given."""
    done = (select(PracticeSession.id)
            .where(PracticeSession.employee_id == PracticeAssignment.employee_id,
                   PracticeSession.scenario_key == PracticeAssignment.scenario_key,
                   PracticeSession.ended_at >= PracticeAssignment.created_at).exists())
    rows = session.execute(
        select(PracticeAssignment.scenario_key, PracticeAssignment.due_date, User.display_name)
        .join(Employee, Employee.id == PracticeAssignment.employee_id)
        .join(User, User.id == PracticeAssignment.assigned_by)
        .where(PracticeAssignment.employee_id == employee_id, employee_scope(scope), ~done)
        .order_by(PracticeAssignment.due_date.asc().nulls_last(), PracticeAssignment.id)
    ).all()
    return pd.DataFrame(rows, columns=["scenario", "due", "assigned_by"])


def cohort_grid(session: Session, *, scope: Scope) -> pd.DataFrame:
    """Return one row per (new hire in scope, scenario practised or assigned): attempts, best clean score,
    passed, and the earliest open due date."""
    hires = select(Employee.id, Employee.name, Team.name.label("team")).outerjoin(Team, Team.id == Employee.team_id) \
        .where(Employee.is_new_hire, Employee.active, employee_scope(scope))
    people = {row.id: (row.name, row.team) for row in session.execute(hires)}
    if not people:
        return pd.DataFrame(columns=["employee_id", "agent", "team", "scenario", "attempts", "best", "passed", "due"])
    clean = case((PracticeSession.auto_fail.is_(False), PracticeSession.overall))
    tried = session.execute(
        select(PracticeSession.employee_id, PracticeSession.scenario_key, func.count(), func.max(clean))
        .where(PracticeSession.employee_id.in_(people), PracticeSession.ended_at.is_not(None))
        .group_by(PracticeSession.employee_id, PracticeSession.scenario_key)
    ).all()
    due = session.execute(
        select(PracticeAssignment.employee_id, PracticeAssignment.scenario_key, func.min(PracticeAssignment.due_date))
        .where(PracticeAssignment.employee_id.in_(people))
        .group_by(PracticeAssignment.employee_id, PracticeAssignment.scenario_key)
    ).all()
    cells: dict[tuple[int, str], dict[str, Any]] = {}
    for employee_id, key, attempts, best in tried:
        cells[(employee_id, key)] = {"attempts": attempts, "best": None if best is None else float(best)}
    for employee_id, key, due_date in due:
        cells.setdefault((employee_id, key), {"attempts": 0, "best": None})["due"] = due_date
    rows = [{"employee_id": employee_id, "agent": people[employee_id][0], "team": people[employee_id][1],
             "scenario": key, "attempts": cell["attempts"], "best": cell["best"],
             "passed": passes(cell["best"], False), "due": cell.get("due")}
            for (employee_id, key), cell in sorted(cells.items())]
    rows += [{"employee_id": employee_id, "agent": name, "team": team, "scenario": None, "attempts": 0, "best": None,
              "passed": False, "due": None}
             for employee_id, (name, team) in people.items() if not any(k[0] == employee_id for k in cells)]
    return pd.DataFrame(rows, columns=["employee_id", "agent", "team", "scenario", "attempts", "best", "passed", "due"])


def stored_scenarios(session: Session) -> list[tuple[str, str]]:
    """Return the (key, TOML text) of every scenario written or edited in the app."""
    return [(row.key, row.content) for row in session.execute(
        select(StoredScenario.key, StoredScenario.content).order_by(StoredScenario.key))]


def save_scenario(session: Session, *, by: AuthUser, key: str, content: str) -> Scenario:
    """Validate and store a scenario (adding it, or overriding a shipped or stored one); audit-logged."""
    if by.role not in REVIEWER_ROLES:
        raise PermissionError(f"role: a {by.role} cannot edit scenarios")
    key = key.strip()
    scenario = parse_scenario(content, f"scenario {key}", key=key)
    row = session.get(StoredScenario, key)
    if row is None:
        session.add(StoredScenario(key=key, content=content, updated_by=by.id))
    else:
        row.content, row.updated_by, row.updated_at = content, by.id, utcnow()
    audit.record(session, action="scenario_saved", user_id=by.id, username=by.username, target=f"scenario:{key}",
                 detail={"created": row is None, "title": scenario.title})
    session.flush()
    return scenario

