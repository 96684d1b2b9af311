"""Two trainers override the same interaction at the same moment: one wins, the other is told; nothing is lost."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from store import review
from store.models import AuditEntry, Review
from store.permissions import scope_for
from tests.store.workspace_data import build_org


def test_simultaneous_overrides_one_wins_the_other_gets_a_conflict_and_sees_the_winner(session_factory):
    with session_factory() as setup:
        org = build_org(setup)
        setup.commit()
    row = org.row("ann-w1-0")
    trainers = {"alpha": (org.alpha_trainer, 90, "Asked the right question."),
                "admin": (org.admin, 10, "Did not listen.")}
    with session_factory() as reader:
        seen = review.interaction_detail(reader, scope=scope_for(org.admin), interaction_id=row).review_version
    both_ready = threading.Barrier(len(trainers), timeout=30)
    outcomes: dict[str, object] = {}

    def override(name: str) -> None:
        by, score, comment = trainers[name]
        with session_factory() as session:
            both_ready.wait()  # both start from the same seen version, as two open browser tabs would
            try:
                outcomes[name] = review.override_criterion(session, by=by, interaction_id=row, seen_version=seen,
                                                           criterion="listen", human_score=score, comment=comment)
                session.commit()
            except review.ReviewConflict as conflict:
                session.rollback()
                outcomes[name] = conflict

    threads = [threading.Thread(target=override, args=(name,)) for name in trainers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(o).__name__ for o in outcomes.values()) == ["ReviewConflict", "int"], outcomes
    [winner] = [name for name, o in outcomes.items() if isinstance(o, int)]
    [loser] = [name for name in trainers if name != winner]
    assert outcomes[winner] == seen + 1
    assert "reviewed by someone else" in str(outcomes[loser])

    with session_factory() as check:
        assert check.scalars(select(Review.comment)).all() == [trainers[winner][2]]
        assert check.scalar(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action.like("review_%"))) == 1
        # What the loser is shown next: the new version with the winner's override.
        now = review.interaction_detail(check, scope=scope_for(trainers[loser][0]), interaction_id=row)
        assert now.review_version == seen + 1
        assert now.overrides["listen"].human_score == trainers[winner][1]
