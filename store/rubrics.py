"""Rubric versions in the database: the active one, registering new ones, and activating one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import exists, func, select, text, update
from sqlalchemy.orm import Session

from scoring.rubric import Rubric, dump_rubric, load_rubric, parse_rubric
from scoring.scorer import Scorer
from store import audit
from store.models import Interaction, RubricVersion, Score
from store.users import AuthUser


RUBRIC_LOCK_KEY = 0x52415050  # "RAPP": any constant the deployment's other advisory locks do not use


@dataclass(frozen=True)
class ActiveRubric:
    id: int
    version: str
    rubric: Rubric

    @property
    def scorer(self) -> Scorer:
        return scorer_for(dump_rubric(self.rubric))


@lru_cache(maxsize=8)
def scorer_for(rubric_text: str) -> Scorer:
    """Return a compiled scorer for a rubric's text, compiled once per process."""
    return Scorer(parse_rubric(rubric_text, source="stored rubric"))


def register_rubric(session: Session, *, rubric: Rubric, created_by: str | None = None,
                    activate: bool = True) -> ActiveRubric:
    """Store a rubric as a new version, optionally making it the active one."""
    if activate:
        session.execute(update(RubricVersion).values(active=False))
    row = RubricVersion(version=rubric.version, content=dump_rubric(rubric), active=activate,
                        created_by=created_by)
    session.add(row)
    session.flush()
    return ActiveRubric(id=row.id, version=row.version, rubric=rubric)


def active_rubric(session: Session) -> ActiveRubric:
    """Return the active rubric version, registering the shipped rubric on first use."""
    row = session.scalars(select(RubricVersion).where(RubricVersion.active)).first()
    if row is None:
        return register_rubric(session, rubric=load_rubric())
    return ActiveRubric(id=row.id, version=row.version, rubric=parsed_rubric(row.content, row.version))


def rescoring_versions(session: Session) -> list[tuple[int, str]]:
    """Return (id, content) of the versions saved after the active one and not active yet, newest first.

    Such a version is being rescored towards activation (the Rubric page allows one at a time).
    """
    active_created = (select(RubricVersion.created_at).where(RubricVersion.active).scalar_subquery())
    return [tuple(row) for row in session.execute(
        select(RubricVersion.id, RubricVersion.content)
        .where(RubricVersion.active.is_(False), RubricVersion.created_at > active_created)
        .order_by(RubricVersion.created_at.desc(), RubricVersion.id.desc()))]


def rubric_lock(session: Session, *, exclusive: bool) -> None:
    """Hold the rubric lock until the transaction ends: imports share it, activating a version excludes them.

    So an import that began before a version was saved has committed (and is seen as unscored under it)
    before that version can become active. PostgreSQL only: SQLite serialises every writer already.
    """
    if session.get_bind().dialect.name == "postgresql":
        function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        session.execute(text(f"SELECT {function}(:key)"), {"key": RUBRIC_LOCK_KEY})


@lru_cache(maxsize=8)
def parsed_rubric(content: str, version: str) -> Rubric:
    """Parse a stored rubric once per process: validating one takes tens of milliseconds, and queries ask often."""
    return parse_rubric(content, source=f"rubric version {version}")


def activate_rubric(session: Session, *, version_id: int, by: AuthUser) -> ActiveRubric:
    """Make a stored version the active one, recorded in the audit log.

    Refused (ValueError) while any interaction lacks a score under it, so dashboards never show a
    half-scored version: rescore first.
    """
    row = session.get(RubricVersion, version_id)
    if row is None:
        raise ValueError(f"version_id: no rubric version {version_id}")
    unscored = session.scalar(select(func.count()).select_from(Interaction).where(~exists().where(
        Score.interaction_id == Interaction.id, Score.rubric_version_id == version_id)))
    if unscored:
        raise ValueError(f"version {row.version}: {unscored} interactions are not scored under it yet; rescore first")
    session.execute(update(RubricVersion).where(RubricVersion.id != version_id).values(active=False))
    row.active = True
    audit.record(session, action="rubric_activated", user_id=by.id, username=by.username,
                 target=f"rubric_version:{version_id}", detail={"version": row.version})
    session.flush()
    return ActiveRubric(id=row.id, version=row.version, rubric=parsed_rubric(row.content, row.version))
