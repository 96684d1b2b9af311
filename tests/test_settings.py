"""The typed settings object reads RAPPORT_* variables and names a bad one."""

import pytest

from settings import POSTGRES_OPTIONS, ROOT, Settings


def test_defaults_are_an_embedded_sqlite_file_with_demo_data(monkeypatch):
    for name in ("RAPPORT_DATABASE_URL", "RAPPORT_DEMO", "RAPPORT_SESSION_IDLE_MINUTES",
                 "RAPPORT_POSTGRES_OPTIONS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_environment()
    assert settings.database_url == f"sqlite:///{ROOT / 'data' / 'rapport.sqlite3'}"
    assert settings.demo is True and settings.session_idle_minutes == 60
    assert settings.postgres_options == POSTGRES_OPTIONS


def test_variables_override_the_defaults(monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("RAPPORT_DEMO", "off")
    monkeypatch.setenv("RAPPORT_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("RAPPORT_POSTGRES_OPTIONS", " -c work_mem=64MB ")
    settings = Settings.from_environment()
    assert (settings.database_url, settings.demo, settings.session_idle_minutes) == ("postgresql+psycopg://u@h/db",
                                                                                     False, 15)
    assert settings.postgres_options == "-c work_mem=64MB"


def test_an_empty_postgres_options_leaves_the_servers_settings(monkeypatch):
    monkeypatch.setenv("RAPPORT_POSTGRES_OPTIONS", "")
    assert Settings.from_environment().postgres_options == ""


@pytest.mark.parametrize(("name", "value"), [("RAPPORT_DEMO", "maybe"), ("RAPPORT_SESSION_IDLE_MINUTES", "0"),
                                             ("RAPPORT_SESSION_IDLE_MINUTES", "ten")])
def test_a_bad_value_is_named(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"^{name}: "):
        Settings.from_environment()
