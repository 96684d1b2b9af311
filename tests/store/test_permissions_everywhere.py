"""Every store query that takes a `scope` shows nothing outside it: found by inspection, so new ones are covered.

All data belongs to a peer agent in a peer team. The scopes under test are empty, the agent "me" (no data of
their own) and a trainer of my team: each call must refuse or return nothing that names or counts the peer's data.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pytest

import store
from store.models import (
    CoachingNote,
    Customer,
    Employee,
    Interaction,
    PracticeAssignment,
    PracticeSession,
    Review,
    Team,
)
from store.permissions import Scope
from store.queries import Period
from store.users import create_user
from tests.factories import START, make_interaction

PEER_MARKERS = ("Peer", "peer-", "Zed Customer", "Z-1")  # text only the peer's data contains
PERIOD = Period(date(2026, 1, 1), date(2026, 12, 31))
REFUSALS = (PermissionError, LookupError)


def scoped_queries() -> list[tuple[str, Callable]]:
    """Return every public function in store/*.py whose `scope` is keyword-only."""
    found = []
    for module_info in pkgutil.iter_modules(store.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"store.{module_info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            parameter = inspect.signature(function).parameters.get("scope")
            if (function.__module__ == module.__name__ and not name.startswith("_") and parameter is not None
                    and parameter.kind is inspect.Parameter.KEYWORD_ONLY):
                found.append((f"{module_info.name}.{name}", function))
    return found


QUERIES = scoped_queries()


@pytest.fixture
def peer_world(session) -> dict[str, Any]:
    """A peer agent's scored interactions, review, coaching note and practice, and an agent "me" with nothing."""
    from store.ingest import ingest_interactions
    from store.rubrics import active_rubric

    ingest_interactions(session, interactions=[
        make_interaction(f"peer-{n}", agent="Peer Agent", team="Peer Team", customer_id="Z-1",
                         customer_name="Zed Customer", start=START + timedelta(days=n)) for n in range(4)])
    my_team = Team(name="My Team")
    session.add(my_team)
    session.flush()
    me = Employee(name="Me Myself", team_id=my_team.id)
    session.add(me)
    session.flush()
    peer_id = session.query(Employee.id).filter_by(name="Peer Agent").scalar()
    peer_team = session.query(Team.id).filter_by(name="Peer Team").scalar()
    interaction_id = session.query(Interaction.id).filter_by(external_id="peer-0").scalar()
    trainer = create_user(session, username="peer-trainer", password="abcd", role="trainer", team_ids=(peer_team,))
    peer_user = create_user(session, username="peer-user", password="abcd", role="agent", employee_id=peer_id)
    session.add_all([
        Review(interaction_id=interaction_id, reviewer_id=trainer.id, criterion="listen", automatic_score=50,
               human_score=90, comment="Peer review"),
        CoachingNote(employee_id=peer_id, author_id=trainer.id, interaction_id=interaction_id, text="Peer note"),
        PracticeAssignment(employee_id=peer_id, scenario_key="double_charge", assigned_by=trainer.id),
        PracticeSession(user_id=peer_user.id, employee_id=peer_id, scenario_key="double_charge", seed=1,
                        started_at=START, ended_at=START + timedelta(minutes=5), outcome="resolved", overall=80,
                        criteria={"listen": 80}, transcript=[{"speaker": "agent", "text": "Peer practice"}]),
    ])
    session.commit()  # seen by the queries that read in sessions of their own (store.db.read_at_once)
    return {"me": me.id, "my_team": my_team.id, "peer": peer_id, "peer_team": peer_team,
            "interaction": interaction_id, "customer": session.query(Customer.id).filter_by(external_id="Z-1").scalar(),
            "rubric": active_rubric(session).rubric}


def arguments(session, world: Mapping[str, Any]) -> dict[str, Callable[[], Any]]:
    """Values for the other required arguments, by parameter name: always the peer's things."""
    from store.organisation import impact_assumptions
    from store.review import QueueFilters, Sampling

    return {
        "period": lambda: PERIOD,
        "generated_at": lambda: datetime(2026, 11, 22, tzinfo=timezone.utc),
        "employee_id": lambda: world["peer"],
        "team_id": lambda: world["peer_team"],
        "interaction_id": lambda: world["interaction"],
        "customer_id": lambda: world["customer"],
        "text": lambda: "Zed",
        "filters": lambda: QueueFilters(),
        "sampling": lambda: Sampling(),
        "assumptions": lambda: impact_assumptions(session),
        "edited": lambda: world["rubric"],
        "size": lambda: 10,
        "seed": lambda: 1,
    }


def leaks(value: Any) -> list[str]:
    """Return what in a result shows or counts the peer's data."""
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [] if value == 0 or math.isnan(value) else [f"number {value}"]
    if isinstance(value, str):
        return [f"text {value[:80]!r}"] if any(marker in value for marker in PEER_MARKERS) else []
    if isinstance(value, Period):  # the period asked about, or the one before it
        return []
    if isinstance(value, (date, datetime)):
        return [f"date {value}"]
    if isinstance(value, pd.DataFrame):  # a row per criterion or channel may stay, with nothing counted in it
        # Ids alone say nothing: a row of the peer's would show their name or counts too.
        cells = value.drop(columns=[c for c in value.columns if c in NOT_DATA or c in ("id", "team_id")]).astype(object)
        return [f"row {index} {column}: {leak}" for index, row in cells.iterrows()
                for column, cell in row.items() for leak in leaks(None if pd.isna(cell) else cell)]
    if isinstance(value, pd.Series):
        return leaks(value.to_frame())
    if dataclasses.is_dataclass(value):
        return [f"{field.name}: {leak}" for field in dataclasses.fields(value)
                for leak in leaks(getattr(value, field.name))]
    if isinstance(value, Mapping):
        return [f"{key}: {leak}" for key, item in value.items() for leak in leaks(item)]
    if isinstance(value, Iterable):
        return [leak for item in value for leak in leaks(item)]
    return [f"unexpected {type(value).__name__}"]


# Fields that describe the question or the method, not the data (the period asked about, the rubric used).
NOT_DATA = {"period", "generated_at", "rubric_version", "method", "min_interactions", "k", "assumptions",
            "target_seconds", "target", "previous", "social_target_seconds", "bucket", "label"}


def without_descriptions(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: without_descriptions(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in NOT_DATA}
    return value


def database(query: Callable, session, session_factory) -> Any:
    """Return what the query reads through: the session, or a factory for those that open sessions of their own."""
    return session_factory if next(iter(inspect.signature(query).parameters)) == "sessions" else session


@pytest.mark.parametrize(("name", "query"), QUERIES, ids=[name for name, _ in QUERIES])
def test_a_scope_never_sees_data_outside_it(session, session_factory, peer_world, name, query):
    factories = arguments(session, peer_world)
    parameters = inspect.signature(query).parameters
    missing = [p for p, v in parameters.items() if v.default is inspect.Parameter.empty
               and p not in ("session", "sessions", "scope") and p not in factories]
    assert not missing, f"{name}: add an argument factory for {missing} in this test"
    kwargs = {p: factories[p]() for p, v in parameters.items()
              if p in factories and v.default is inspect.Parameter.empty}
    scopes = {"nobody": Scope(), "agent me": Scope(employee_id=peer_world["me"]),
              "trainer of my team": Scope(team_ids=(peer_world["my_team"],))}
    seen = {}
    for scope_name, scope in scopes.items():
        try:
            result = query(database(query, session, session_factory), scope=scope, **kwargs)
            if inspect.isgenerator(result):
                result = list(result)
        except REFUSALS:
            continue
        seen[scope_name] = leaks(without_descriptions(result))
    assert seen == {scope_name: [] for scope_name in seen}


SHOWN_TO_THE_PEER = ["queries.headline", "queries.weekly_quality_by_team", "review.interaction_detail",
                     "review.review_queue", "review.coaching_notes", "review.practice_assignments",
                     "profiles.customer_history", "profiles.find_customers", "profiles.agent_reviews",
                     "profiles.recent_interactions", "practice.history", "exports.interactions_csv"]


@pytest.mark.parametrize("name", SHOWN_TO_THE_PEER)
def test_the_check_finds_the_data_in_the_peers_own_scope(session, session_factory, peer_world, name):
    query = dict(QUERIES)[name]
    factories = arguments(session, peer_world)
    kwargs = {p: factories[p]() for p, v in inspect.signature(query).parameters.items()
              if p in factories and v.default is inspect.Parameter.empty}
    result = query(database(query, session, session_factory), scope=Scope(employee_id=peer_world["peer"]), **kwargs)
    assert leaks(without_descriptions(list(result) if inspect.isgenerator(result) else result))

def test_the_queries_are_found():
    names = {name for name, _ in QUERIES}
    assert {"queries.headline", "review.interaction_detail", "profiles.customer_history"} <= names


@pytest.mark.parametrize("name", ["leaderboard.leaderboard", "board_pack.gather_board_pack"])
def test_the_check_finds_the_data_through_sessions_of_their_own(session, session_factory, peer_world, name):
    query = dict(QUERIES)[name]
    factories = arguments(session, peer_world)
    kwargs = {p: factories[p]() for p, v in inspect.signature(query).parameters.items()
              if p in factories and v.default is inspect.Parameter.empty}
    result = query(session_factory, scope=Scope(team_ids=(peer_world["peer_team"],)), **kwargs)
    assert leaks(without_descriptions(result))
