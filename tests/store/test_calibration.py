"""Calibration on SQLite and PostgreSQL: machine vs trainer agreement, blind rounds, their results."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from scoring.agreement import band, quadratic_kappa
from scoring.result import CRITERIA
from store import calibration
from store.calibration import RoundNotFound
from store.ingest import ingest_interactions
from store.models import AuditEntry, Employee, Interaction, Review, Score, Team
from store.permissions import Scope
from store.review import CONFIRMED
from store.users import create_user
from tests.factories import START, make_interaction


@pytest.fixture
def org(session):
    """Eight interactions in team Alpha, two in Beta; trainers for each, and an admin."""
    ingest_interactions(session, interactions=[
        *(make_interaction(f"a{i}", agent="Ann", team="Alpha", start=START + timedelta(hours=i)) for i in range(8)),
        *(make_interaction(f"b{i}", agent="Bob", team="Beta", start=START + timedelta(hours=i)) for i in range(2)),
    ])
    teams = dict(session.execute(select(Team.name, Team.id)).all())
    users = {
        "tess": create_user(session, username="tess", password="abcd", role="trainer", display_name="Tess",
                            team_ids=(teams["Alpha"],)),
        "uma": create_user(session, username="uma", password="abcd", role="trainer", display_name="Uma",
                           team_ids=(teams["Alpha"],)),
        "beta": create_user(session, username="beta", password="abcd", role="trainer", display_name="Bea",
                            team_ids=(teams["Beta"],)),
        "admin": create_user(session, username="root", password="abcd", role="admin", display_name="Root"),
        "agent": create_user(session, username="ann", password="abcd", role="agent",
                             employee_id=session.scalar(select(Employee.id).where(Employee.name == "Ann"))),
    }
    session.commit()
    return teams, users


def ids_by_external(session) -> dict[str, int]:
    return dict(session.execute(select(Interaction.external_id, Interaction.id)).all())


def review(session, interaction_id: int, reviewer_id: int, criterion: str, machine: float | None,
           trainer: float | None) -> None:
    session.add(Review(interaction_id=interaction_id, reviewer_id=reviewer_id, criterion=criterion,
                       automatic_score=machine, human_score=trainer, comment="test"))
    session.flush()


# -- machine vs trainers ---------------------------------------------------------------------------------


def test_machine_agreement_uses_the_latest_override_and_counts_confirmations_as_agreement(session, org):
    teams, users = org
    ids = ids_by_external(session)
    tess = users["tess"].id
    review(session, ids["a0"], tess, "listen", 70, 10)  # replaced by the later override below
    review(session, ids["a0"], tess, "listen", 70, 75)  # same band: agreement
    review(session, ids["a1"], tess, "listen", 90, 30)  # band 4 vs 1
    review(session, ids["a2"], tess, "listen", 50, None)  # not applicable: pairs nothing
    score = session.scalars(select(Score).where(Score.interaction_id == ids["a3"])).one()
    session.add(Review(interaction_id=ids["a3"], score_id=score.id, reviewer_id=tess, criterion=CONFIRMED,
                       automatic_score=score.overall, human_score=score.overall, comment=""))
    review(session, ids["a3"], tess, "fix", score.fix, 0)  # the override wins over the confirmation for fix
    review(session, ids["b0"], users["beta"].id, "listen", 10, 90)
    session.flush()

    alpha = calibration.machine_agreement(session, scope=Scope(team_ids=(teams["Alpha"],)))
    listen = alpha.set_index("criterion").loc["listen"]
    # (machine, trainer): (70, 75) and (90, 30) from overrides, (s, s) from the confirmation of a3.
    pairs = [(70, 75), (90, 30), (score.listen, score.listen)]
    assert listen["pairs"] == 3
    assert listen["exact"] == pytest.approx(2 / 3)
    assert listen["mean_difference"] == pytest.approx((5 - 60 + 0) / 3)
    assert listen["kappa"] == pytest.approx(quadratic_kappa([(band(a), band(b)) for a, b in pairs]))
    fix = alpha.set_index("criterion").loc["fix"]
    assert fix["pairs"] == 1 and fix["mean_difference"] == pytest.approx(-score.fix)

    everything = calibration.machine_agreement(session, scope=Scope(everything=True)).set_index("criterion")
    assert everything.loc["listen", "pairs"] == 4
    beta = calibration.machine_agreement(session, scope=Scope(team_ids=(teams["Beta"],))).set_index("criterion")
    assert beta.loc["listen", "pairs"] == 1 and beta.loc["listen", "mean_difference"] == 80


def test_largest_disagreements_are_latest_overrides_in_scope_largest_first(session, org):
    teams, users = org
    ids = ids_by_external(session)
    review(session, ids["a0"], users["tess"].id, "listen", 70, 10)
    review(session, ids["a0"], users["tess"].id, "listen", 70, 75)
    review(session, ids["a1"], users["uma"].id, "empathize", 90, 30)
    review(session, ids["a2"], users["uma"].id, "fix", 40, 40)  # no difference: not a disagreement
    review(session, ids["b0"], users["beta"].id, "listen", 0, 100)
    frame = calibration.largest_disagreements(session, scope=Scope(team_ids=(teams["Alpha"],)))
    assert list(frame.columns) == calibration.DISAGREEMENT_COLUMNS
    assert frame[["interaction", "criterion", "difference", "reviewer"]].values.tolist() == [
        ["a1", "empathize", -60, "Uma"], ["a0", "listen", 5, "Tess"]]
    assert frame["agent"].tolist() == ["Ann", "Ann"]


def test_no_reviews_give_no_pairs_and_no_statistics(session, org):
    frame = calibration.machine_agreement(session, scope=Scope(everything=True))
    assert frame["criterion"].tolist() == list(CRITERIA)
    assert (frame["pairs"] == 0).all() and frame["kappa"].isna().all()


# -- rounds ----------------------------------------------------------------------------------------------


def rate_all(session, round_id: int, user, score_of) -> None:
    """Rate every item of a round: score_of(interaction_id, criterion) -> 0-100 or None."""
    for item in calibration.rater_view(session, round_id=round_id, rater=user).items:
        calibration.save_ratings(session, round_id=round_id, interaction_id=item.interaction_id, by=user,
                                 ratings={c: score_of(item.interaction_id, c) for c in CRITERIA})


def test_a_round_draws_a_reproducible_sample_in_the_creators_scope(session, org):
    teams, users = org
    ids = ids_by_external(session)
    first = calibration.create_round(session, name="March", size=5, by=users["tess"])
    again = calibration.create_round(session, name="March", size=5, by=users["uma"])
    other = calibration.create_round(session, name="April", size=5, by=users["tess"])
    items = {r.id: [i.interaction_id for i in calibration.rater_view(session, round_id=r.id, rater=users["tess"]).items]
             for r in (first, again, other)}
    alpha_ids = {v for k, v in ids.items() if k.startswith("a")}
    assert len(items[first.id]) == 5 and set(items[first.id]) <= alpha_ids
    assert items[first.id] == items[again.id]
    assert items[first.id] != items[other.id]
    assert (first.name, first.items, first.created_by, first.is_open) == ("March", 5, "Tess", True)
    created = session.scalars(select(AuditEntry).where(AuditEntry.action == "calibration_round_created")).all()
    assert len(created) == 3 and created[0].detail["interactions"] == items[first.id]


def test_a_round_needs_a_name_a_size_in_range_and_a_calibrating_role(session, org):
    _, users = org
    with pytest.raises(ValueError, match="^name:"):
        calibration.create_round(session, name="  ", size=5, by=users["tess"])
    with pytest.raises(ValueError, match="^size: expected 2 to 50"):
        calibration.create_round(session, name="x", size=51, by=users["tess"])
    with pytest.raises(PermissionError, match="^role:"):
        calibration.create_round(session, name="x", size=5, by=users["agent"])
    # Beta has two interactions: a round of five takes both.
    assert calibration.create_round(session, name="small", size=5, by=users["beta"]).items == 2


def test_rounds_are_visible_only_to_those_who_can_see_all_their_interactions(session, org):
    _, users = org
    alpha_round = calibration.create_round(session, name="A", size=4, by=users["tess"])
    admin_round = calibration.create_round(session, name="All", size=10, by=users["admin"])
    assert [r.name for r in calibration.list_rounds(session, scope=Scope(everything=True))] == ["All", "A"]
    assert [r.name for r in calibration.list_rounds(session, scope=Scope(team_ids=users["uma"].team_ids))] == ["A"]
    assert calibration.list_rounds(session, scope=Scope(team_ids=users["beta"].team_ids)) == ()
    with pytest.raises(RoundNotFound):
        calibration.rater_view(session, round_id=alpha_round.id, rater=users["beta"])
    with pytest.raises(RoundNotFound):
        calibration.rater_view(session, round_id=admin_round.id, rater=users["tess"])
    first = calibration.rater_view(session, round_id=alpha_round.id, rater=users["tess"]).items[0].interaction_id
    with pytest.raises(RoundNotFound):
        calibration.item_turns(session, round_id=alpha_round.id, interaction_id=first, rater=users["beta"])


def test_a_raters_view_holds_only_their_own_ratings_and_never_the_machines(session, org):
    _, users = org
    round_ = calibration.create_round(session, name="Blind", size=3, by=users["tess"])
    rate_all(session, round_.id, users["tess"], lambda i, c: 10.0)
    uma = calibration.rater_view(session, round_id=round_.id, rater=users["uma"])
    assert all(item.my_ratings == {} for item in uma.items)
    assert not uma.results_visible and not uma.can_close
    assert calibration.round_results(session, round_id=round_.id, viewer=users["uma"]) is None
    # Tess has finished, but nobody else has: her results stay hidden too.
    tess = calibration.rater_view(session, round_id=round_.id, rater=users["tess"])
    assert tess.finished and not tess.results_visible and tess.can_close
    assert calibration.round_results(session, round_id=round_.id, viewer=users["tess"]) is None
    # What a rater is given has no field for anyone else's scores or the machine's.
    assert {f.name for f in fields(calibration.RaterItem)} == {"interaction_id", "channel", "my_ratings"}
    assert {f.name for f in fields(calibration.RaterView)} == {"round", "items", "results_visible", "can_close"}
    turns = calibration.item_turns(session, round_id=round_.id, interaction_id=uma.items[0].interaction_id,
                                   rater=users["uma"])
    assert [t.speaker for t in turns] == ["customer", "agent", "customer", "agent", "customer"]
    calibration.save_ratings(session, round_id=round_.id, interaction_id=uma.items[0].interaction_id, by=users["uma"],
                             ratings={c: 60.0 for c in CRITERIA})
    uma = calibration.rater_view(session, round_id=round_.id, rater=users["uma"])
    assert uma.items[0].my_ratings == {c: 60.0 for c in CRITERIA} and uma.items[0].rated
    assert not uma.items[1].rated


def test_saving_ratings_checks_every_criterion_the_range_and_the_round(session, org):
    _, users = org
    round_ = calibration.create_round(session, name="Checks", size=2, by=users["tess"])
    item = calibration.rater_view(session, round_id=round_.id, rater=users["uma"]).items[0].interaction_id
    full = {c: 50.0 for c in CRITERIA}
    with pytest.raises(ValueError, match="^respond: give a score"):
        calibration.save_ratings(session, round_id=round_.id, interaction_id=item, by=users["uma"],
                                 ratings={c: 50.0 for c in CRITERIA[:-1]})
    with pytest.raises(ValueError, match="^fix: expected a score from 0 to 100, got 120"):
        calibration.save_ratings(session, round_id=round_.id, interaction_id=item, by=users["uma"],
                                 ratings={**full, "fix": 120.0})
    with pytest.raises(ValueError, match="^speed: not a criterion"):
        calibration.save_ratings(session, round_id=round_.id, interaction_id=item, by=users["uma"],
                                 ratings={**full, "speed": 1.0})
    outside = ids_by_external(session)["b0"]
    with pytest.raises(RoundNotFound):
        calibration.save_ratings(session, round_id=round_.id, interaction_id=outside, by=users["uma"], ratings=full)
    calibration.save_ratings(session, round_id=round_.id, interaction_id=item, by=users["uma"],
                             ratings={**full, "respond": None})
    calibration.save_ratings(session, round_id=round_.id, interaction_id=item, by=users["uma"], ratings=full)
    assert calibration.rater_view(session, round_id=round_.id, rater=users["uma"]).items[0].my_ratings == full
    with pytest.raises(PermissionError, match="creator or an admin"):
        calibration.close_round(session, round_id=round_.id, by=users["uma"])
    calibration.close_round(session, round_id=round_.id, by=users["tess"])
    with pytest.raises(ValueError, match="^round: 'Checks' is closed"):
        calibration.save_ratings(session, round_id=round_.id, interaction_id=item, by=users["uma"], ratings=full)
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("calibration_rated") == 2 and actions[-1] == "calibration_round_closed"


def test_results_open_to_finished_raters_once_two_have_finished_and_to_everyone_after_closing(session, org):
    _, users = org
    round_ = calibration.create_round(session, name="Results", size=4, by=users["tess"])
    items = [i.interaction_id for i in calibration.rater_view(session, round_id=round_.id, rater=users["tess"]).items]
    machine = {row.interaction_id: row for row in session.execute(
        select(Score).where(Score.interaction_id.in_(items))).scalars()}
    # Tess: 10, 30, 50, 70 by item on every criterion. Uma: the same but one band higher on the last two items.
    tess_scores = dict(zip(items, (10.0, 30.0, 50.0, 70.0)))
    uma_scores = dict(zip(items, (10.0, 30.0, 70.0, 90.0)))
    rate_all(session, round_.id, users["tess"], lambda i, c: tess_scores[i])
    rate_all(session, round_.id, users["uma"], lambda i, c: None if c == "respond" else uma_scores[i])
    assert calibration.round_results(session, round_id=round_.id, viewer=users["admin"]) is None

    results = calibration.round_results(session, round_id=round_.id, viewer=users["uma"])
    assert results is not None and results.raters == ("Tess", "Uma")
    expected = quadratic_kappa([(0, 0), (1, 1), (2, 3), (3, 4)])
    pair = results.rater_pairs.iloc[0]
    assert (pair["rater_a"], pair["rater_b"], pair["pairs"]) == ("Tess", "Uma", 4 * (len(CRITERIA) - 1))
    assert pair["kappa"] == pytest.approx(expected) and pair["exact"] == 0.5
    by_criterion = results.by_criterion.set_index("criterion")
    assert by_criterion.loc["listen", "raters_kappa"] == pytest.approx(expected)
    assert by_criterion.loc["listen", "raters_exact"] == 0.5
    assert 0 < by_criterion.loc["listen", "alpha"] < 1
    assert pd.isna(by_criterion.loc["respond", "raters_kappa"])  # Uma judged it not applicable throughout
    machine_pairs = [(getattr(machine[i], c), tess_scores[i]) for i in items for c in CRITERIA
                     if getattr(machine[i], c) is not None]
    tess_vs_machine = results.vs_machine.set_index("rater").loc["Tess"]
    assert tess_vs_machine["pairs"] == len(machine_pairs)
    assert tess_vs_machine["mean_difference"] == pytest.approx(
        sum(t - m for m, t in machine_pairs) / len(machine_pairs))
    widest = results.spread.iloc[0]
    assert widest["bands_apart"] == 1 and widest["lowest"] in (50.0, 70.0)

    calibration.close_round(session, round_id=round_.id, by=users["admin"])
    assert calibration.round_results(session, round_id=round_.id, viewer=users["admin"]) is not None



def test_agreement_of_counted_pairs_is_the_agreement_of_the_pairs():
    import random
    from collections import Counter

    from scoring.agreement import agreement

    rng = random.Random(5)
    pairs = [(round(rng.uniform(0, 100), 1), float(rng.randint(0, 100))) for _ in range(300)]
    pairs += [(score, score) for score, _ in pairs[:120]]
    counted = calibration._counted_agreement(Counter(pairs))
    expected = agreement(pairs)
    assert (counted.pairs, counted.kappa, counted.exact) == (expected.pairs, expected.kappa, expected.exact)
    assert counted.mean_difference == pytest.approx(expected.mean_difference, abs=1e-12)
