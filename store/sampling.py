"""Reproducible random samples of interactions in scope."""

from __future__ import annotations

import random

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from store.models import Interaction, Score
from store.permissions import Scope
from store.rubrics import active_rubric


def sample_interaction_ids(session: Session, *, scope: Scope, size: int, seed: int) -> list[int]:
    """Return up to `size` ids of scored interactions in scope, in id order; the same seed and data give the same ids.

    Only ids reach Python (a few bytes each), and the draw uses Python's random with the seed,
    which is the same on every backend, unlike SQL's random functions.
    """
    rubric_id = active_rubric(session).id
    ids = session.scalars(
        select(Interaction.id)
        .join(Score, and_(Score.interaction_id == Interaction.id, Score.rubric_version_id == rubric_id))
        .where(scope.condition(team_column=Interaction.team_id, employee_column=Interaction.employee_id),
               Interaction.turn_count > 0)
        .order_by(Interaction.id)
    ).all()
    return sorted(random.Random(seed).sample(ids, min(size, len(ids))))
