"""Rubric versions in the database: the active one, and registering new ones."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scoring.rubric import Rubric, dump_rubric, load_rubric, parse_rubric
from scoring.scorer import Scorer
from store.models import RubricVersion


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
    return ActiveRubric(id=row.id, version=row.version,
                        rubric=parse_rubric(row.content, source=f"rubric version {row.version}"))
