"""The store on SQLite and PostgreSQL: ingest, dedup, rescoring, users, scope, queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from scoring.rubric import load_rubric
from settings import get_settings
from store import queries
from store.db import alembic_config, create_schema, make_engine
from store.ingest import ingest_interactions, week_of
from store.models import AuditEntry, Customer, Employee, Interaction, Score, ScoreEvidence, Team, Turn
from store.permissions import Scope, scope_for
from store.rescore import domain_interactions, rescore
from store.rubrics import active_rubric, register_rubric
from store.users import create_user, sign_in
from tests.conftest import IN_CI, POSTGRES_URL
from tests.factories import START, make_interaction


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_ingest_stores_interactions_turns_scores_and_evidence(session):
    counts = ingest_interactions(session, interactions=[make_interaction("a"), make_interaction("b", channel="email")])
    session.commit()
    assert (counts.added, counts.duplicates) == (2, 0)
    assert count(session, Interaction) == 2
    assert count(session, Turn) == 10
    assert count(session, Score) == 2 and count(session, ScoreEvidence) == 2
    assert count(session, Team) == 1 and count(session, Employee) == 1 and count(session, Customer) == 1
    score = session.scalars(select(Score)).first()
    assert score.overall is not None and 0 <= score.overall <= 100
    evidence = session.scalar(select(ScoreEvidence.payload).where(ScoreEvidence.score_id == score.id))
    assert set(evidence["criteria"]) >= {"listen", "empathize", "apologize", "fix", "overcommunicate", "respond"}


def test_ingesting_the_same_ids_again_never_duplicates(session):
    ingest_interactions(session, interactions=[make_interaction("a"), make_interaction("b")])
    counts = ingest_interactions(session, interactions=[make_interaction("b"), make_interaction("c"),
                                                         make_interaction("c")])
    session.commit()
    assert (counts.added, counts.duplicates) == (1, 2)
    assert sorted(session.scalars(select(Interaction.external_id))) == ["a", "b", "c"]


def test_stored_interaction_reads_back_as_the_same_domain_object(session):
    original = make_interaction("a")
    ingest_interactions(session, interactions=[original])
    row_id = session.scalar(select(Interaction.id))
    [(read_id, restored)] = domain_interactions(session, [row_id])
    assert read_id == row_id
    assert restored == original


def test_rescoring_with_a_new_rubric_version_keeps_the_older_scores(session):
    ingest_interactions(session, interactions=[make_interaction("a"), make_interaction("b")])
    first = active_rubric(session)
    rubric = load_rubric()
    from dataclasses import replace

    newer = register_rubric(session, rubric=replace(rubric, version=rubric.version + "-b"))
    progress = []
    assert rescore(session, rubric_version_id=newer.id, progress=lambda done, total: progress.append((done, total))) == 2
    session.commit()
    assert progress[-1] == (2, 2)
    versions = session.execute(select(Score.rubric_version_id, func.count()).group_by(Score.rubric_version_id)).all()
    assert sorted(versions) == sorted([(first.id, 2), (newer.id, 2)])
    assert active_rubric(session).id == newer.id
    assert rescore(session, rubric_version_id=newer.id) == 0


def test_week_of_is_the_monday_in_utc():
    assert week_of(datetime(2026, 3, 4, 23, 30, tzinfo=timezone.utc)) == date(2026, 3, 2)
    assert week_of(None) is None


def test_sign_in_checks_the_password_and_locks_after_repeated_failures(session):
    create_user(session, username="dana", password="s3cret!", role="trainer")
    assert sign_in(session, username="dana", password="s3cret!").user.role == "trainer"
    for _ in range(5):
        assert sign_in(session, username="dana", password="nope").user is None
    locked = sign_in(session, username="dana", password="s3cret!")
    assert locked.user is None and "locked" in locked.message
    later = datetime.now(timezone.utc) + timedelta(minutes=16)
    assert sign_in(session, username="dana", password="s3cret!", now=later).user is not None
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("sign_in_failed") == 5 and "sign_in_locked" in actions


def test_create_user_names_the_bad_field(session):
    import pytest

    with pytest.raises(ValueError, match="^role:"):
        create_user(session, username="x", password="abcd", role="wizard")
    create_user(session, username="x", password="abcd", role="agent")
    with pytest.raises(ValueError, match="^username: 'x' is already taken"):
        create_user(session, username="x", password="abcd", role="agent")


def _two_teams(session):
    ingest_interactions(session, interactions=[
        make_interaction("a1", agent="Ann", team="Alpha"),
        make_interaction("a2", agent="Ann", team="Alpha", start=START + timedelta(days=7)),
        make_interaction("b1", agent="Bob", team="Beta"),
    ])
    teams = dict(session.execute(select(Team.name, Team.id)).all())
    employees = dict(session.execute(select(Employee.name, Employee.id)).all())
    return teams, employees


def test_scope_limits_every_query(session):
    teams, employees = _two_teams(session)
    everything = Scope(everything=True)
    alpha = Scope(team_ids=(teams["Alpha"],))
    bob = Scope(employee_id=employees["Bob"])
    assert queries.headline(session, scope=everything).interactions == 3
    assert queries.headline(session, scope=alpha).interactions == 2
    assert queries.headline(session, scope=bob).interactions == 1
    assert queries.headline(session, scope=Scope()).interactions == 0
    assert set(queries.weekly_quality_by_team(session, scope=alpha)["team"]) == {"Alpha"}


def test_scope_for_each_role(session):
    teams, employees = _two_teams(session)
    trainer = create_user(session, username="t", password="abcd", role="trainer", team_ids=(teams["Beta"],))
    agent = create_user(session, username="a", password="abcd", role="agent", employee_id=employees["Ann"])
    executive = create_user(session, username="e", password="abcd", role="executive")
    assert scope_for(trainer) == Scope(team_ids=(teams["Beta"],))
    assert scope_for(agent) == Scope(employee_id=employees["Ann"])
    assert scope_for(executive).everything


def test_weekly_trends_and_period(session):
    _two_teams(session)
    scope = Scope(everything=True)
    by_team = queries.weekly_quality_by_team(session, scope=scope)
    assert list(by_team.columns) == ["week", "team", "interactions", "overall"]
    assert by_team["interactions"].sum() == 3
    assert by_team["week"].dt.date.min() == date(2026, 3, 2)
    by_criterion = queries.weekly_quality_by_criterion(session, scope=scope)
    assert set(by_criterion["criterion"]) <= set(queries.CRITERION_LABELS.values())
    assert by_criterion["score"].between(0, 100).all()
    first_week = queries.Period(date(2026, 3, 2), date(2026, 3, 8))
    assert queries.headline(session, scope=scope, period=first_week).interactions == 2
    assert first_week.previous() == queries.Period(date(2026, 2, 23), date(2026, 3, 1))
    assert queries.data_range(session, scope=scope) == queries.Period(date(2026, 3, 2), date(2026, 3, 9))


@pytest.mark.parametrize("monday, days", [
    (date(2026, 3, 2), 4), (date(2026, 3, 9), 7), (date(2026, 3, 16), 2), (date(2026, 2, 23), 0), (date(2026, 3, 23), 0)])
def test_a_period_counts_the_days_it_holds_of_a_week(monday, days):
    assert queries.Period(date(2026, 3, 5), date(2026, 3, 17)).days_of_week(monday) == days


def test_headline_with_no_data_is_empty(session):
    figures = queries.headline(session, scope=Scope(everything=True))
    assert figures.interactions == 0 and figures.average_overall is None


def test_migrations_upgrade_from_nothing_and_downgrade(tmp_path):
    from alembic import command

    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    create_schema(engine)
    command.downgrade(alembic_config(engine), "base")
    create_schema(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("select count(*) from interactions").scalar() == 0


def test_models_match_the_migrations(engine):
    from alembic import command

    command.check(alembic_config(engine))


@pytest.mark.skipif(not POSTGRES_URL and not IN_CI, reason=(
    "set RAPPORT_TEST_DATABASE_URL to a PostgreSQL URL to run the PostgreSQL store tests"))
def test_postgresql_connections_start_with_the_planner_settings(monkeypatch):
    """settings.POSTGRES_OPTIONS by default, a URL's options over them, RAPPORT_POSTGRES_OPTIONS instead."""
    url = make_url(POSTGRES_URL)

    def shown(url, options: str | None = None) -> tuple[str, str]:
        if options is None:
            monkeypatch.delenv("RAPPORT_POSTGRES_OPTIONS", raising=False)
        else:
            monkeypatch.setenv("RAPPORT_POSTGRES_OPTIONS", options)
        get_settings.cache_clear()
        engine = make_engine(url.render_as_string(hide_password=False))
        try:
            with engine.connect() as connection:
                return (connection.exec_driver_sql("SHOW random_page_cost").scalar(),
                        connection.exec_driver_sql("SHOW work_mem").scalar())
        finally:
            engine.dispose()
            get_settings.cache_clear()

    assert shown(url) == ("1.1", "32MB")
    assert shown(url.update_query_dict({"options": "-c work_mem=8MB"})) == ("1.1", "8MB")
    server = shown(url, "")
    assert server != ("1.1", "32MB")  # this server's own settings are PostgreSQL's defaults
    assert shown(url, "-c work_mem=16MB") == (server[0], "16MB")
