"""Replicas each cache query results; a change made by any other process shows at the next page run."""

from __future__ import annotations

from datetime import datetime, timezone

from store import audit
from store.ingest import ingest_interactions
from store.users import sign_in
from tests.app.conftest import DEMO_END, open_app
from tests.factories import make_interaction


def interactions_shown(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "Interactions").replace(",", ""))


def test_an_import_by_another_process_shows_at_the_next_run(writable_database):
    with writable_database.begin() as db:
        user = sign_in(db, username="exec", password="demo").user
    at = open_app(user)
    before = interactions_shown(at)
    at.run()
    assert interactions_shown(at) == before  # served from this process's cache

    late = datetime(DEMO_END.year, DEMO_END.month, DEMO_END.day - 1, 12, tzinfo=timezone.utc)
    with writable_database.begin() as db:  # as another replica, or `python -m store import`, would
        ingest_interactions(db, interactions=[make_interaction("elsewhere-1", start=late, agent=None, team=None)])
        ingest_interactions(db, interactions=[make_interaction("elsewhere-2", start=late, agent=None, team=None)])
        audit.record(db, action="import", username="elsewhere")
    at.run()
    assert not at.exception
    assert interactions_shown(at) == before + 2


def test_a_sign_in_elsewhere_keeps_the_cache(writable_database):
    with writable_database.begin() as db:
        user = sign_in(db, username="exec", password="demo").user
    at = open_app(user)
    before = interactions_shown(at)
    with writable_database.begin() as db:
        ingest_interactions(db, interactions=[make_interaction("unannounced", agent=None, team=None,
                                                               start=datetime(2026, 11, 19, tzinfo=timezone.utc))])
        sign_in(db, username="trainer", password="demo")  # audited, but changes nothing a page shows
    at.run()
    assert interactions_shown(at) == before  # still cached: only audited changes to data invalidate
