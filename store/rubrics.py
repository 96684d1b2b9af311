"""Rubric versions in the database: the active one, registering new ones, and activating one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from scoring.rubric import Rubric, dump_rubric, load_rubric, parse_rubric
from scoring.scorer import Scorer
from store import audit
from store.models import Interaction, RubricVersion, Score
from store.users import AuthUser


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
    return ActiveRubric(id=row.id, version=row.version, rubric=_parsed(row.content, row.version))


@lru_cache(maxsize=8)
def _parsed(content: str, version: str) -> Rubric:
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
    return ActiveRubric(id=row.id, version=row.version, rubric=_parsed(row.content, row.version))
