"""`python -m store` migrate, demo, users add and rescore, run in-process against temporary SQLite files."""

from __future__ import annotations

from sqlalchemy import func, select

from store.__main__ import main
from store.db import make_engine, make_session_factory
from store.models import AuditEntry, Interaction, User, UserTeam
from store.users import sign_in


def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def test_migrate_creates_the_schema(tmp_path, capsys):
    assert main(["migrate", "--database-url", url(tmp_path)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_users_add_creates_the_first_admin_who_can_sign_in(tmp_path, capsys):
    assert main(["users", "add", "boss", "--role", "admin", "--password", "s3cret!", "--database-url",
                 url(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "created admin 'boss'"
    with make_session_factory(make_engine(url(tmp_path))).begin() as session:
        assert sign_in(session, username="boss", password="s3cret!").user.role == "admin"
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.target == "boss")) == "user_created"


def test_users_add_names_what_is_wrong(tmp_path, capsys):
    base = ["users", "add", "t", "--role", "trainer", "--password", "abcd", "--database-url", url(tmp_path)]
    assert main([*base, "--team", "Nope"]) == 1
    assert "--team: no team named 'Nope'" in capsys.readouterr().err
    assert main(base) == 0
    assert main(base) == 1
    assert "username: 't' is already taken" in capsys.readouterr().err


def test_demo_loads_only_into_an_empty_database(tmp_path, capsys):
    assert main(["demo", "--interactions", "200", "--database-url", url(tmp_path)]) == 0
    with make_session_factory(make_engine(url(tmp_path))).begin() as session:
        assert session.scalar(select(func.count()).select_from(Interaction)) == 200
        trainer_teams = session.scalar(select(func.count()).select_from(UserTeam).join(User).where(
            User.username == "trainer"))
        assert trainer_teams == 2
    assert main(["demo", "--database-url", url(tmp_path)]) == 1
    assert "only into an empty database" in capsys.readouterr().err


def test_rescore_scores_the_waiting_version_and_activates_it(tmp_path, capsys):
    import dataclasses

    from scoring.rubric import load_rubric
    from store.models import DailyRollup, RubricVersion
    from store.rubrics import active_rubric, register_rubric

    assert main(["demo", "--interactions", "120", "--database-url", url(tmp_path)]) == 0
    assert main(["rescore", "--by", "trainer", "--database-url", url(tmp_path)]) == 1
    assert "no saved version is waiting to be rescored" in capsys.readouterr().err
    factory = make_session_factory(make_engine(url(tmp_path)))
    with factory.begin() as session:
        register_rubric(session, rubric=dataclasses.replace(load_rubric(), version="cli-test"), activate=False)
    assert main(["rescore", "--by", "nobody", "--database-url", url(tmp_path)]) == 1
    assert "--by: no active admin or trainer named 'nobody'" in capsys.readouterr().err
    assert main(["rescore", "--by", "trainer", "--database-url", url(tmp_path)]) == 0
    assert "rescored 120 interactions" in capsys.readouterr().out
    with factory.begin() as session:
        active = active_rubric(session)
        assert active.version == "cli-test"
        assert session.scalar(select(func.sum(DailyRollup.interactions)).where(
            DailyRollup.rubric_version_id == active.id)) == 120
        assert session.scalar(select(AuditEntry.username).where(AuditEntry.action == "rubric_activated")) == "trainer"
        assert session.scalar(select(func.count()).select_from(RubricVersion).where(RubricVersion.active)) == 1
