"""The review queue, its sampling modes, one interaction in full, and trainers' writes, on both backends."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from scoring.result import CRITERIA
from store import review
from store.models import (AuditEntry, CoachingNote, Interaction, PracticeAssignment, PracticeSession, Review, Score,
                          as_utc)
from store.permissions import Scope, scope_for
from store.queries import Period
from store.review import QueueFilters, Sampling
from tests.store.workspace_data import WEEK, build_org

EVERYTHING = Scope(everything=True)


def queue(session, scope=EVERYTHING, sampling=Sampling(), **filters):
    return review.review_queue(session, scope=scope, filters=QueueFilters(**filters), sampling=sampling)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_lowest_scores_come_first_with_their_weakest_criterion(session):
    org = build_org(session)
    frame = queue(session)
    assert list(frame.columns) == review.QUEUE_COLUMNS
    assert len(frame) == 11
    assert frame["overall"].is_monotonic_increasing
    assert frame["overall"].iloc[0] == 0  # an auto-fail
    first = org.expected(frame["interaction"].iloc[-1])
    applicable = {name: c.score for name, c in first.criteria.items() if c.score is not None}
    assert frame["weakest"].iloc[-1] == min(applicable, key=applicable.get)
    assert frame["weakest_score"].iloc[-1] == min(applicable.values())
    assert not frame["reviewed"].any() and frame["reviewed_by"].isna().all()


def test_lowest_on_a_criterion_orders_by_that_criterion(session):
    org = build_org(session)
    frame = queue(session, criterion="listen")
    listen = [org.expected(i).criteria["listen"].score for i in frame["interaction"]]
    assert listen == sorted(listen, key=lambda s: (s is None, s))


def test_each_filter_narrows_the_queue(session):
    org = build_org(session)
    ids = lambda frame: set(frame["interaction"])  # noqa: E731
    assert ids(queue(session, team_id=org.teams["Beta"])) == {"bob-w1-0", "bob-w1-1"}
    assert ids(queue(session, employee_id=org.employees["Amy"])) == {"amy-w1-0"}
    assert ids(queue(session, channel="email")) == {"ann-w2-0"}
    week_two = Period(date(2026, 3, 9), date(2026, 3, 15))
    assert ids(queue(session, period=week_two)) == {"ann-w2-0", "ann-w2-1"}
    assert ids(queue(session, auto_fail_only=True)) == {"ann-w2-1", "bob-w1-0"}
    assert ids(queue(session, low_csat=True)) == {"ann-w1-1", "ann-w2-1", "bob-w1-0"}
    threshold = 50
    below = {i for i, d in org.domain.items() if (s := org.expected(i).criteria["empathize"].score) is not None
             and s < threshold}
    assert below and ids(queue(session, criterion="empathize", below=threshold)) == below
    with pytest.raises(ValueError, match="^criterion:"):
        queue(session, criterion="charm")


def test_not_yet_reviewed_leaves_out_reviewed_interactions(session):
    org = build_org(session)
    review.confirm_review(session, by=org.alpha_trainer, interaction_id=org.row("amy-w1-0"), seen_version=0)
    session.commit()
    frame = queue(session)
    reviewed = frame.set_index("interaction").loc["amy-w1-0"]
    assert reviewed["reviewed"] and reviewed["reviewed_by"] == "Tess Trainer"
    assert "amy-w1-0" not in set(queue(session, unreviewed_only=True)["interaction"])
    assert len(queue(session, unreviewed_only=True)) == 10


def test_fair_sample_takes_at_most_n_per_agent_week_and_is_deterministic(session):
    build_org(session)
    fair = Sampling(mode="fair", per_agent_week=2, seed=7)
    frame = queue(session, sampling=fair)
    weeks = Counter((agent, started.to_pydatetime().isocalendar().week)
                    for agent, started in zip(frame["agent"], frame["started_at"]))
    # Ann's busy first week gives 2 of 6; her second week 2 of 2; Amy 1; Bob 2.
    assert sorted(weeks.values()) == [1, 2, 2, 2]
    assert max(weeks.values()) <= 2
    assert frame["interaction"].tolist() == queue(session, sampling=fair)["interaction"].tolist()
    picks = {frozenset(i for i in queue(session, sampling=Sampling(mode="fair", per_agent_week=2, seed=seed))
                       ["interaction"] if i.startswith("ann-w1")) for seed in range(8)}
    assert len(picks) > 1  # other seeds draw other samples from the busy week
    assert len(queue(session, sampling=Sampling(mode="fair", per_agent_week=1, seed=7))) == 4
    with pytest.raises(ValueError, match="^per_agent_week:"):
        queue(session, sampling=Sampling(mode="fair", per_agent_week=0))


def test_critical_mode_lists_the_auto_fails_newest_first(session):
    build_org(session)
    frame = queue(session, sampling=Sampling(mode="critical"))
    assert frame["interaction"].tolist() == ["ann-w2-1", "bob-w1-0"]
    assert frame["auto_fail"].all()


def test_the_queue_keeps_to_the_scope(session):
    org = build_org(session)
    alpha = scope_for(org.alpha_trainer)
    assert set(queue(session, alpha)["team"]) == {"Alpha"}
    assert queue(session, alpha, team_id=org.teams["Beta"]).empty
    assert set(queue(session, scope_for(org.ann))["agent"]) == {"Ann"}
    assert queue(session, Scope()).empty


def test_interaction_detail_shows_turns_evidence_timing_and_scores(session):
    org = build_org(session)
    detail = review.interaction_detail(session, scope=EVERYTHING, interaction_id=org.row("ann-w2-1"))
    expected = org.expected("ann-w2-1")
    assert [t.text for t in detail.turns] == [t.text for t in org.domain["ann-w2-1"].turns]
    assert detail.turns[0].at.tzinfo is not None
    assert detail.overall == expected.overall == 0 and detail.auto_fail
    assert detail.scores == {name: expected.criteria[name].score for name in CRITERIA}
    assert detail.evidence["empathize"] == expected.criteria["empathize"].evidence
    assert detail.critical == expected.critical and detail.critical[0].cue == "critical_dismissive"
    assert [(w.turn, w.seconds, w.target_seconds, w.on_time) for w in detail.waits] == [(1, 45.0, 120.0, True)]
    assert (detail.agent, detail.team, detail.channel, detail.csat) == ("Ann", "Alpha", "chat", 2)
    assert detail.review_version == 0 and not detail.reviewed and detail.reviews == ()
    slow = review.interaction_detail(session, scope=EVERYTHING, interaction_id=org.row("bob-w1-1"))
    assert [w.on_time for w in slow.waits] == [False, False]


def test_out_of_scope_or_unknown_interactions_read_as_not_found(session):
    org = build_org(session)
    anns, bobs = org.row("ann-w1-0"), org.row("bob-w1-0")
    assert review.interaction_detail(session, scope=scope_for(org.ann), interaction_id=anns) is not None
    assert review.interaction_detail(session, scope=scope_for(org.ann), interaction_id=bobs) is None
    assert review.interaction_detail(session, scope=scope_for(org.beta_trainer), interaction_id=anns) is None
    assert review.interaction_detail(session, scope=scope_for(org.executive), interaction_id=anns) is not None
    assert review.interaction_detail(session, scope=EVERYTHING, interaction_id=999_999) is None


def test_override_keeps_the_machine_score_beside_the_human_one_and_audits_it(session):
    org = build_org(session)
    row = org.row("ann-w1-1")
    machine = org.expected("ann-w1-1").criteria["empathize"].score
    version = review.override_criterion(session, by=org.alpha_trainer, interaction_id=row, seen_version=0,
                                        criterion="empathize", human_score=80, comment="  Warm tone throughout. ")
    session.commit()
    assert version == 1
    stored = session.scalars(select(Review)).one()
    assert (stored.criterion, stored.automatic_score, stored.human_score, stored.comment, stored.reviewer_id) == (
        "empathize", machine, 80, "Warm tone throughout.", org.alpha_trainer.id)
    assert stored.score_id == session.scalar(select(Score.id).where(Score.interaction_id == row))
    assert session.scalar(select(Score.empathize).where(Score.interaction_id == row)) == machine
    assert session.scalar(select(Interaction.review_version).where(Interaction.id == row)) == 1
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "review_override")).one()
    assert (entry.user_id, entry.target) == (org.alpha_trainer.id, f"interaction:{row}")
    assert entry.detail == {"criterion": "empathize", "automatic_score": machine, "human_score": 80,
                            "comment": "Warm tone throughout."}
    detail = review.interaction_detail(session, scope=EVERYTHING, interaction_id=row)
    assert detail.reviewed and detail.overrides["empathize"].human_score == 80
    assert detail.overrides["empathize"].reviewer == "Tess Trainer"
    review.override_criterion(session, by=org.admin, interaction_id=row, seen_version=1, criterion="empathize",
                              human_score=None, comment="No feelings to acknowledge here.")
    session.commit()
    latest = review.interaction_detail(session, scope=EVERYTHING, interaction_id=row)
    assert latest.overrides["empathize"].human_score is None and latest.review_version == 2
    assert [e.reviewer for e in latest.reviews] == ["Ada Admin", "Tess Trainer"]


def test_a_stale_review_version_is_refused_and_nothing_is_written(session_factory):
    with session_factory() as setup:
        org = build_org(setup)
    row = org.row("ann-w1-0")
    with session_factory() as first, session_factory() as second:
        # Both trainers loaded the interaction at version 0; the first saves, then the second.
        seen = [s.scalar(select(Interaction.review_version).where(Interaction.id == row)) for s in (first, second)]
        assert seen == [0, 0]
        review.override_criterion(first, by=org.alpha_trainer, interaction_id=row, seen_version=0,
                                  criterion="listen", human_score=90, comment="Asked the right question.")
        first.commit()
        with pytest.raises(review.ReviewConflict):
            review.override_criterion(second, by=org.admin, interaction_id=row, seen_version=0,
                                      criterion="listen", human_score=10, comment="Did not listen.")
        second.commit()
    with session_factory() as check:
        assert check.scalars(select(Review.human_score)).all() == [90]
        assert check.scalar(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action.like("review_%"))) == 1
        assert check.scalar(select(Interaction.review_version).where(Interaction.id == row)) == 1
        with pytest.raises(review.ReviewConflict):
            review.confirm_review(check, by=org.admin, interaction_id=row, seen_version=0)


def test_bad_overrides_name_the_field_and_write_nothing(session):
    org = build_org(session)
    row = org.row("ann-w1-0")
    cases = [
        (dict(by=org.alpha_trainer, criterion="listen", human_score=50, comment="   "), ValueError, "^comment:"),
        (dict(by=org.alpha_trainer, criterion="charm", human_score=50, comment="x"), ValueError, "^criterion:"),
        (dict(by=org.alpha_trainer, criterion="listen", human_score=101, comment="x"), ValueError, "^human_score:"),
        (dict(by=org.ann, criterion="listen", human_score=100, comment="I was great"), PermissionError, "^role:"),
        (dict(by=org.executive, criterion="listen", human_score=50, comment="x"), PermissionError, "^role:"),
        (dict(by=org.beta_trainer, criterion="listen", human_score=50, comment="x"), review.NotFound, None),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message):
            review.override_criterion(session, interaction_id=row, seen_version=0, **kwargs)
    assert count(session, Review) == 0
    assert session.scalar(select(Interaction.review_version).where(Interaction.id == row)) == 0


def test_mark_reviewed_confirms_the_machine_scores(session):
    org = build_org(session)
    row = org.row("bob-w1-1")
    assert review.confirm_review(session, by=org.beta_trainer, interaction_id=row, seen_version=0,
                                 comment="Checked.") == 1
    session.commit()
    stored = session.scalars(select(Review)).one()
    overall = org.expected("bob-w1-1").overall
    assert (stored.criterion, stored.automatic_score, stored.human_score, stored.comment) == (
        review.CONFIRMED, overall, overall, "Checked.")
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("review_%"))).all() == [
        "review_confirm"]
    detail = review.interaction_detail(session, scope=EVERYTHING, interaction_id=row)
    assert detail.reviewed and detail.overrides == {}


def test_coaching_notes_for_agents_in_scope(session):
    org = build_org(session)
    ann = org.employees["Ann"]
    review.add_coaching_note(session, by=org.alpha_trainer, employee_id=ann, text=" Lead with the apology. ",
                             interaction_id=org.row("ann-w1-1"))
    review.add_coaching_note(session, by=org.admin, employee_id=ann, text="Great week.")
    session.commit()
    notes = review.coaching_notes(session, scope=scope_for(org.ann), employee_id=ann)
    assert notes["text"].tolist() == ["Great week.", "Lead with the apology."]
    assert notes["author"].tolist() == ["Ada Admin", "Tess Trainer"]
    assert notes["interaction"].tolist()[1] == "ann-w1-1"
    assert review.coaching_notes(session, scope=scope_for(org.bob), employee_id=ann).empty
    assert review.coaching_notes(session, scope=scope_for(org.beta_trainer), employee_id=ann).empty
    with pytest.raises(review.NotFound):
        review.add_coaching_note(session, by=org.beta_trainer, employee_id=ann, text="Hi")
    with pytest.raises(review.NotFound):  # the interaction must be the agent's own
        review.add_coaching_note(session, by=org.admin, employee_id=ann, text="Hi", interaction_id=org.row("bob-w1-0"))
    with pytest.raises(ValueError, match="^text:"):
        review.add_coaching_note(session, by=org.admin, employee_id=ann, text=" ")
    with pytest.raises(PermissionError):
        review.add_coaching_note(session, by=org.ann, employee_id=ann, text="Note to self")
    assert count(session, CoachingNote) == 2
    assert session.scalars(select(AuditEntry.action).where(AuditEntry.action == "coaching_note")).all() == [
        "coaching_note"] * 2


def test_practice_assignments_and_their_completion(session):
    org = build_org(session)
    ann = org.employees["Ann"]
    review.assign_practice(session, by=org.alpha_trainer, employee_id=ann, scenario_key="late_order",
                           due_date=date(2026, 3, 20), interaction_id=org.row("ann-w1-1"))
    review.assign_practice(session, by=org.alpha_trainer, employee_id=ann, scenario_key="angry_caller", due_date=None)
    session.commit()
    frame = review.practice_assignments(session, scope=scope_for(org.ann), employee_id=ann)
    assert frame["scenario"].tolist() == ["late_order", "angry_caller"]
    assert frame["due"].tolist()[0] == date(2026, 3, 20) and not frame["completed"].any()
    session.add(PracticeSession(user_id=org.ann.id, employee_id=ann, scenario_key="late_order", seed=1,
                                started_at=datetime.now(timezone.utc), ended_at=datetime.now(timezone.utc),
                                outcome="resolved", overall=81))
    session.commit()
    frame = review.practice_assignments(session, scope=scope_for(org.alpha_trainer), employee_id=ann)
    assert frame["completed"].tolist() == [True, False]
    assert review.practice_assignments(session, scope=scope_for(org.beta_trainer), employee_id=ann).empty
    with pytest.raises(ValueError, match="^scenario_key:"):
        review.assign_practice(session, by=org.admin, employee_id=ann, scenario_key=" ", due_date=None)
    with pytest.raises(review.NotFound):
        review.assign_practice(session, by=org.beta_trainer, employee_id=ann, scenario_key="x", due_date=None)
    assert count(session, PracticeAssignment) == 2
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "practice_assigned")).first()
    assert entry.detail["scenario_key"] == "late_order" and entry.detail["due_date"] == "2026-03-20"


def test_weeks_in_the_sample_are_the_stored_weeks(session):
    build_org(session)
    frame = queue(session, sampling=Sampling(mode="fair", per_agent_week=20))
    assert len(frame) == 11  # a generous N keeps everything
    assert frame["started_at"].is_monotonic_decreasing
    assert (frame["started_at"].max() - frame["started_at"].min()) >= WEEK


@pytest.mark.parametrize("filters", [
    QueueFilters(period=Period(date(2026, 1, 1), date(2026, 11, 20))),
    QueueFilters(period=Period(date(2026, 1, 1), date(2026, 11, 20)), channel="email", unreviewed_only=True),
])
def test_the_lowest_queue_is_the_same_with_and_without_the_bucket_bound(session, monkeypatch, filters):
    from seed_data.demo import generate_demo
    from store.ingest import ingest_interactions

    ingest_interactions(session, interactions=generate_demo(interactions=400, end=date(2026, 11, 20)).interactions)
    sampling = Sampling(limit=30)
    assert review._lowest_overall_bound(session, Scope(everything=True), filters, sampling.limit) is not None
    bounded = review.review_queue(session, scope=Scope(everything=True), filters=filters, sampling=sampling)
    monkeypatch.setattr(review, "_lowest_overall_bound", lambda *args: None)
    unbounded = review.review_queue(session, scope=Scope(everything=True), filters=filters, sampling=sampling)
    assert len(bounded) == 30
    assert list(bounded["id"]) == list(unbounded["id"])


@pytest.mark.parametrize("sampling, filters", [
    # The period starts on a Wednesday: its first agent-weeks are partial ones.
    (Sampling(mode="fair", limit=25), QueueFilters(period=Period(date(2026, 8, 5), date(2026, 11, 20)))),
    (Sampling(mode="fair", per_agent_week=1, seed=4, limit=1000),
     QueueFilters(period=Period(date(2026, 8, 5), date(2026, 11, 18)), channel="chat")),
    (Sampling(mode="critical", limit=5), QueueFilters(period=Period(date(2026, 6, 1), date(2026, 11, 20)))),
    (Sampling(mode="critical", limit=1000),
     QueueFilters(period=Period(date(2026, 6, 3), date(2026, 11, 20)), unreviewed_only=True)),
])
def test_the_fair_and_critical_queues_are_the_ones_read_from_every_interaction(session, sampling, filters):
    from seed_data.demo import generate_demo
    from store.ingest import ingest_interactions

    ingest_interactions(session, interactions=generate_demo(interactions=600, end=date(2026, 11, 20)).interactions)
    # Every seventh score and fifth interaction by rank, not by id: on PostgreSQL ids go on from the tests before.
    scores = session.scalars(select(Score.id).order_by(Score.id)).all()
    session.execute(update(Score).where(Score.id.in_(scores[6::7])).values(auto_fail=True))  # several weeks' worth
    ids = session.scalars(select(Interaction.id).order_by(Interaction.id)).all()
    session.execute(update(Interaction).where(Interaction.id.in_(ids[4::5])).values(review_version=1))
    found = review.review_queue(session, scope=EVERYTHING, filters=filters, sampling=sampling)
    assert list(found["id"]) == every_interaction_queue(session, filters, sampling)
    assert len(found) == sampling.limit or sampling.limit == 1000


def every_interaction_queue(session, filters: QueueFilters, sampling: Sampling) -> list[int]:
    """Return the queue's ids worked out in Python from every interaction of the period."""
    start = datetime.combine(filters.period.start, datetime.min.time(), timezone.utc)
    end = datetime.combine(filters.period.end, datetime.min.time(), timezone.utc) + timedelta(days=1)
    rows = [row for row in session.execute(
        select(Interaction.id, Interaction.employee_id, Interaction.started_week, Interaction.started_at,
               Interaction.channel, Interaction.review_version, Score.auto_fail)
        .join(Score, Score.interaction_id == Interaction.id)).all()
        if start <= as_utc(row.started_at) < end and filters.channel in (None, row.channel)
        and not (filters.unreviewed_only and row.review_version)]
    if sampling.mode == "critical":
        rows = [row for row in rows if row.auto_fail]
    else:
        digest = hashlib.sha256(f"rapport-sample-{sampling.seed}".encode()).digest()
        multiplier = int.from_bytes(digest[:8], "big") % (review._HASH_PRIME - 1) + 1
        weeks: dict[tuple, list] = {}
        for row in sorted(rows, key=lambda row: (row.id * multiplier % review._HASH_PRIME, row.id)):
            weeks.setdefault((row.employee_id, row.started_week), []).append(row)
        rows = [row for picks in weeks.values() for row in picks[:sampling.per_agent_week]]
    rows.sort(key=lambda row: (-as_utc(row.started_at).timestamp(), row.id))
    return [row.id for row in rows[:sampling.limit]]


def test_the_lowest_queue_on_a_criterion_is_the_one_sorted_from_every_interaction(session):
    from seed_data.demo import generate_demo
    from store.ingest import ingest_interactions

    ingest_interactions(session, interactions=generate_demo(interactions=400, end=date(2026, 11, 20)).interactions)
    # Every fifth interaction by rank, not by id: on PostgreSQL ids go on from the tests before.
    ids = session.scalars(select(Interaction.id).order_by(Interaction.id)).all()
    session.execute(update(Interaction).where(Interaction.id.in_(ids[4::5])).values(review_version=1))
    filters = QueueFilters(period=Period(date(2026, 3, 4), date(2026, 11, 20)), criterion="fix", below=50,
                           unreviewed_only=True)
    found = review.review_queue(session, scope=EVERYTHING, filters=filters, sampling=Sampling(limit=40))
    start = datetime(2026, 3, 4, tzinfo=timezone.utc)
    rows = [row for row in session.execute(select(Interaction.id, Interaction.started_at, Interaction.review_version,
                                                  Score.fix).join(Score, Score.interaction_id == Interaction.id))
            if as_utc(row.started_at) >= start and row.fix is not None and row.fix < 50 and not row.review_version]
    rows.sort(key=lambda row: (row.fix, -as_utc(row.started_at).timestamp(), row.id))
    assert len(rows) > 40
    assert list(found["id"]) == [row.id for row in rows[:40]]
