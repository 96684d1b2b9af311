"""`python -m store` migrate, demo and users add, run in-process against temporary SQLite files."""

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
