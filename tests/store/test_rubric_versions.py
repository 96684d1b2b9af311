"""Editing the rubric on SQLite and PostgreSQL: validation, preview, new versions, rescoring, activation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scoring.result import CRITERIA
from scoring.rubric import RubricError
from store import rubric_editing
from store.ingest import ingest_interactions
from store.models import AuditEntry, RubricVersion, Score
from store.permissions import Scope
from store.rescore import rescore
from store.rubric_editing import describe_error, edited_rubric, suggest_version
from store.rubrics import activate_rubric, active_rubric
from store.users import create_user
from tests.factories import START, make_interaction

SORRY_ONLY = (("customer", "My parcel is late and I'm upset."), ("agent", "I'm sorry about that."))


@pytest.fixture
def admin(session):
    ingest_interactions(session, interactions=[
        *(make_interaction(f"good{i}", start=START + timedelta(days=7 * i)) for i in range(3)),
        *(make_interaction(f"sorry{i}", turns=SORRY_ONLY, start=START + timedelta(days=7 * i)) for i in range(3)),
    ])
    user = create_user(session, username="root", password="abcd", role="admin")
    session.commit()
    return user


def edit(session, **changes):
    """Return the active rubric with `changes` (version, weights, response_targets, phrases) applied."""
    base = active_rubric(session).rubric
    arguments = {"version": base.version + "-b", "weights": {}, "response_targets": {}, "phrases": {}, **changes}
    return edited_rubric(base, **arguments)


def test_edits_change_weights_targets_and_phrases_and_nothing_else(session, admin):
    base = active_rubric(session).rubric
    edited = edit(session, weights={"fix": 3.0}, response_targets={"chat": 60.0},
                  phrases={"apology": "sorry\n\n  apologies  \n", "critical_insult": "you numpty\nyou nitwit"})
    assert edited.criteria["fix"].weight == 3.0 and edited.criteria["listen"] == base.criteria["listen"]
    assert edited.response_targets["chat"] == 60 and edited.response_targets["email"] == base.response_targets["email"]
    assert edited.cues["apology"] == ("sorry", "apologies")
    assert edited.cues["critical_insult"] == ("you numpty", "you nitwit")
    assert edited.cues["empathy"] == base.cues["empathy"]
    assert rubric_editing.rubric_changes(base, edited) == [
        f"criteria.fix.weight: {base.criteria['fix'].weight:g} → 3",
        f"response_targets.chat: {base.response_targets['chat']:g} → 60 s",
        f"cues.apology: +0 −{len(base.cues['apology']) - 2} phrases",
        f"cues.critical_insult: +2 −{len(base.cues['critical_insult'])} phrases"]


@pytest.mark.parametrize(("changes", "field", "described"), [
    ({"weights": {"listen": -1.0}}, "criteria.listen.weight", "Weight of Listen: expected a number >= 0"),
    ({"weights": {name: 0.0 for name in CRITERIA}}, "criteria", "Weights: at least one criterion"),
    ({"response_targets": {"email": 0.0}}, "response_targets.email",
     "Response target for email: expected a number > 0"),
    ({"phrases": {"apology": "\n \n"}}, "cues.apology.phrases", "Cue phrases 'apology': expected at least one"),
    ({"phrases": {"perk": "coupon\nCoupon"}}, "cues.perk.phrases[1]", "Cue phrases 'perk', phrase 2: "),
    ({"version": "  "}, "version", "Version: must not be empty"),
])
def test_invalid_edits_raise_an_error_naming_the_field(session, admin, changes, field, described):
    with pytest.raises(RubricError) as error:
        edit(session, **changes)
    assert error.value.field == field
    assert describe_error(error.value).startswith(described)


def test_the_suggested_version_is_the_next_free_one():
    assert suggest_version("2026.1", []) == "2026.2"
    assert suggest_version("2026.1", ["2026.2", "2026.3"]) == "2026.4"
    assert suggest_version("v9", ["v10"]) == "v11"
    assert suggest_version("spring", []) == "spring.1"


def test_the_preview_scores_the_same_sample_with_both_rubrics(session, admin):
    no_apology_credit = edit(session, phrases={"apology": "we regret"})
    preview = rubric_editing.preview_rubric(session, scope=Scope(everything=True), edited=no_apology_credit)
    assert preview.sample == 6
    by_criterion = preview.by_criterion.set_index("criterion")
    assert list(by_criterion.index) == ["overall", *CRITERIA]
    assert by_criterion.loc["apologize", "change"] < 0
    assert by_criterion.loc["respond", "change"] == 0
    assert (preview.moves["change"] < 0).all()
    assert set(preview.moves["interaction"]) <= {f"{kind}{i}" for kind in ("good", "sorry") for i in range(3)}
    assert list(preview.moves["change"].abs()) == sorted(preview.moves["change"].abs(), reverse=True)
    again = rubric_editing.preview_rubric(session, scope=Scope(everything=True), edited=no_apology_credit)
    assert again.by_criterion.equals(preview.by_criterion)
    assert rubric_editing.preview_rubric(session, scope=Scope(), edited=no_apology_credit).sample == 0


def test_a_saved_version_stays_inactive_until_rescored_then_activates_with_audit(session, session_factory, admin,
                                                                                 monkeypatch):
    before = active_rubric(session)
    edited = edit(session, weights={"fix": 3.0})
    pending = rubric_editing.save_version(session, rubric=edited, by=admin)
    session.commit()
    assert (pending.version, pending.scored, pending.total) == (edited.version, 0, 6)
    assert active_rubric(session).id == before.id
    assert rubric_editing.pending_version(session) == pending
    with pytest.raises(ValueError, match="6 interactions are not scored"):
        activate_rubric(session, version_id=pending.id, by=admin)
    with pytest.raises(RubricError, match="already exists") as error:
        rubric_editing.save_version(session, rubric=edited, by=admin)
    assert error.value.field == "version"
    with pytest.raises(ValueError, match="still being rescored"):
        rubric_editing.save_version(session, rubric=replace(edited, version="other"), by=admin)
    session.rollback()

    # An interrupted job leaves some scored; running it again carries on and activates.
    rescore(session, rubric_version_id=pending.id, limit=2)
    session.commit()
    assert rubric_editing.pending_version(session).scored == 2
    progress = []
    monkeypatch.setattr(rubric_editing, "RESCORE_SLICE", 3)
    scored = rubric_editing.rescore_then_activate(session_factory, version_id=pending.id, by=admin,
                                                  progress=progress.append)
    session.expire_all()
    assert scored == 4 and progress == [3, 4]
    assert active_rubric(session).id == pending.id and rubric_editing.pending_version(session) is None
    counts = dict(session.execute(select(Score.rubric_version_id, func.count())
                                  .group_by(Score.rubric_version_id)).all())
    assert counts == {before.id: 6, pending.id: 6}
    entries = session.execute(select(AuditEntry.action, AuditEntry.username, AuditEntry.detail)
                              .where(AuditEntry.action.like("rubric_%")).order_by(AuditEntry.id)).all()
    assert [(action, user) for action, user, _ in entries] == [("rubric_version_created", "root"),
                                                                ("rubric_activated", "root")]
    assert entries[0].detail["version"] == edited.version and entries[0].detail["based_on"] == before.version
    assert entries[0].detail["changes"] == [f"criteria.fix.weight: {before.rubric.criteria['fix'].weight:g} → 3"]


def test_versions_and_weekly_trends_per_version(session, session_factory, admin):
    before = active_rubric(session)
    pending = rubric_editing.save_version(session, rubric=edit(session, weights={"fix": 3.0}), by=admin)
    session.commit()
    rubric_editing.rescore_then_activate(session_factory, version_id=pending.id, by=admin)
    session.expire_all()
    listed = rubric_editing.versions(session)
    assert listed[["version", "active", "scored"]].values.tolist() == [[pending.version, True, 6],
                                                                       [before.version, False, 6]]
    weekly = rubric_editing.weekly_overall_by_version(session, scope=Scope(everything=True))
    assert set(weekly["version"]) == {before.version, pending.version}
    assert weekly.groupby("version")["interactions"].sum().tolist() == [6, 6]
    assert weekly["week"].nunique() == 3
    assert rubric_editing.weekly_overall_by_version(session, scope=Scope()).empty
    assert session.scalar(select(func.count()).select_from(RubricVersion).where(RubricVersion.active)) == 1


def test_versions_count_undated_interactions_too(session, admin):
    ingest_interactions(session, interactions=[make_interaction("undated", start=None)])
    session.commit()
    listed = rubric_editing.versions(session)
    total = session.scalar(select(func.count()).select_from(Score))
    assert listed["scored"].tolist() == [7] == [total]
