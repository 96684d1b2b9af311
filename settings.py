"""Rapport's one typed settings object, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# Sent to PostgreSQL with each new connection (libpq `options`); why these, see store.db.make_engine.
POSTGRES_OPTIONS = "-c random_page_cost=1.1 -c work_mem=32MB"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}: expected 1/0, true/false, yes/no or on/off, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo: bool
    session_idle_minutes: int
    postgres_options: str  # empty: the server's own settings

    @classmethod
    def from_environment(cls) -> Settings:
        """Read RAPPORT_* variables, falling back to an embedded SQLite file with demo data."""
        default_url = f"sqlite:///{ROOT / 'data' / 'rapport.sqlite3'}"
        idle = os.environ.get("RAPPORT_SESSION_IDLE_MINUTES", "60")
        if not idle.isdigit() or int(idle) < 1:
            raise ValueError(f"RAPPORT_SESSION_IDLE_MINUTES: expected a positive whole number, got {idle!r}")
        return cls(
            database_url=os.environ.get("RAPPORT_DATABASE_URL") or default_url,
            demo=_flag("RAPPORT_DEMO", True),
            session_idle_minutes=int(idle),
            postgres_options=os.environ.get("RAPPORT_POSTGRES_OPTIONS", POSTGRES_OPTIONS).strip(),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings.from_environment()
