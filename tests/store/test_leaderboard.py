"""The leaderboard: shrinkage, k, ranking, rank change, most improved and badges by hand; then the SQL on both
backends."""

from __future__ import annotations

import pandas as pd
import pytest

from store.leaderboard import (
    BETWEEN_VARIANCE_FLOOR,
    DEFAULT_K,
    AgentScopeRefused,
    BadgeStats,
    badges_earned,
    estimate_k,
    leaderboard,
    method_sentence,
    most_improved,
    rank_board,
    rank_change,
    shrink,
    team_means,
)
from store.permissions import Scope
from tests.store.executive_data import WEEK_TWO, Row, scores, seed

EVERYTHING = Scope(everything=True)


def agents(*rows: tuple[int, str, int, list[float]]) -> pd.DataFrame:
    """Build the agents frame from (employee_id, agent, team_id, raw scores) as the SQL would return it."""
    return pd.DataFrame([
        {"employee_id": employee_id, "agent": agent, "team_id": team_id, "team": f"Team {team_id}",
         "interactions": len(values), "mean": sum(values) / len(values), "sum_squares": sum(v * v for v in values)}
        for employee_id, agent, team_id, values in rows
    ])


# Team 1: X scores 80 and 90 (mean 85), Y scores 60, 70, 80, 70 (mean 70): team mean (170 + 280) / 6 = 75.
TWO_AGENTS = agents((1, "X", 1, [80, 90]), (2, "Y", 1, [60, 70, 80, 70]))


def test_shrinkage_pulls_each_mean_toward_the_team_by_volume():
    assert team_means(TWO_AGENTS).tolist() == [75.0, 75.0]
    # X: (2·85 + 2·75) / (2 + 2) = 80; Y: (4·70 + 2·75) / (4 + 2) = 430 / 6.
    assert shrink(TWO_AGENTS, 2.0).tolist() == pytest.approx([80.0, 430 / 6])
    assert shrink(TWO_AGENTS, 0.0).tolist() == pytest.approx([85.0, 70.0])


def test_k_is_within_over_between_variance_by_the_method_of_moments():
    shrinkage = estimate_k(TWO_AGENTS)
    # Within: ((80-85)² + (90-85)² + (60-70)² + 0 + (80-70)² + 0) / (6 - 2) = 250 / 4 = 62.5.
    # Between: MSB = (2·10² + 4·5²) / (2 - 1) = 300; n0 = (6 - (2² + 4²) / 6) / 1 = 8/3;
    # (300 - 62.5) / (8/3) = 89.0625; k = 62.5 / 89.0625 = 40/57.
    assert shrinkage.estimated
    assert shrinkage.within_variance == pytest.approx(62.5)
    assert shrinkage.between_variance == pytest.approx(89.0625)
    assert shrinkage.k == pytest.approx(40 / 57)


def test_k_uses_the_floor_when_agents_do_not_differ():
    same = agents((1, "X", 1, [70, 80]), (2, "Y", 1, [70, 80]))
    # Within (50 + 50) / 2 = 50; MSB = 0 gives a negative estimate, so the floor of 1 point² applies.
    shrinkage = estimate_k(same)
    assert shrinkage.between_variance == BETWEEN_VARIANCE_FLOOR
    assert shrinkage.k == pytest.approx(50.0)


def test_k_falls_back_to_the_default_without_enough_data():
    one_agent_per_team = agents((1, "X", 1, [80, 90]), (2, "Y", 2, [60, 70]))
    single_scores = agents((1, "X", 1, [80]), (2, "Y", 1, [60]))
    for frame in (one_agent_per_team, single_scores):
        assert estimate_k(frame).k == DEFAULT_K and not estimate_k(frame).estimated


# Team 1 pooled mean: (10·92 + 20·80 + 2·100 + 8·60) / 40 = 3200 / 40 = 80.
BOARD = agents((1, "A", 1, [92] * 10), (2, "B", 1, [80] * 20), (3, "C", 1, [100] * 2), (4, "D", 1, [60] * 8))


def test_ranking_uses_shrunk_scores_and_lists_low_volume_separately():
    ranked, too_few = rank_board(BOARD, k=10.0, min_interactions=5)
    # A: (920 + 800) / 20 = 86; B: (1600 + 800) / 30 = 80; D: (480 + 800) / 18 = 71.1.
    # C's raw mean of 100 would top a raw-average board, but two interactions are below the minimum.
    assert ranked["agent"].tolist() == ["A", "B", "D"]
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert ranked["shrunk"].tolist() == pytest.approx([86.0, 80.0, 1280 / 18])
    assert too_few["agent"].tolist() == ["C"]
    assert too_few["shrunk"].tolist() == pytest.approx([1000 / 12])  # still counted in the team mean


def test_ties_share_the_better_rank():
    ranked, _ = rank_board(agents((1, "A", 1, [80, 80]), (2, "B", 1, [80, 80]), (3, "C", 1, [70, 70])),
                           k=0.0, min_interactions=1)
    assert ranked["rank"].tolist() == [1, 1, 3]


def test_rank_change_and_most_improved_against_the_previous_board():
    now, _ = rank_board(BOARD, k=10.0, min_interactions=5)  # A 86, B 80, D 71.1
    before = pd.DataFrame({"employee_id": [2, 1, 5], "team_id": [1, 1, 1], "rank": [1, 2, 3],
                           "shrunk": [81.0, 84.0, 75.0]})
    change = rank_change(now, before)
    assert change.iloc[:2].tolist() == [1, -1] and pd.isna(change.iloc[2])  # A up from 2, B down from 1, D new
    improved = most_improved(now, before)
    assert improved["agent"].tolist() == ["A"]  # B fell; D was not ranked before
    assert improved["change"].tolist() == pytest.approx([2.0])


STATS = BadgeStats(interactions=40, empathy_streak=0, apology_applied=0, owned_apologies=0, social_replies=0,
                   social_within_target=0, first_contact_resolved=0)


@pytest.mark.parametrize(("stats", "expected"), [
    (dict(empathy_streak=7), ("Empathy streak",)),
    (dict(empathy_streak=6), ()),
    (dict(apology_applied=12, owned_apologies=9), ("Owns it",)),  # 75%
    (dict(apology_applied=12, owned_apologies=8), ()),  # 67%
    (dict(apology_applied=8, owned_apologies=8), ()),  # fewer than 10 apologies
    (dict(social_replies=20, social_within_target=19), ("Fast on social",)),  # 95%
    (dict(social_replies=20, social_within_target=18), ()),  # 90%
    (dict(social_replies=9, social_within_target=9), ()),  # fewer than 10 replies
    (dict(interactions=20, first_contact_resolved=18), ("First-contact fixer",)),  # 90%
    (dict(interactions=20, first_contact_resolved=17), ()),  # 85%
    (dict(interactions=19, first_contact_resolved=19), ()),  # fewer than 20 interactions
    (dict(empathy_streak=9, interactions=30, first_contact_resolved=30), ("Empathy streak", "First-contact fixer")),
], ids=lambda value: str(value))
def test_each_badge_rule(stats, expected):
    assert badges_earned(BadgeStats(**{**STATS.__dict__, **stats})) == expected


# -- on the database ------------------------------------------------------------------------------------------


def seed_board(session):
    """Week one: Ann 70, 70; Amy 80 ×3; Bob 85, 85. Week two: Ann 80, 90; Amy 60, 70, 80, 70; Bob 90 ×3."""
    return seed(session, [
        *scores("Ann", "Alpha", 1, [70, 70]), *scores("Amy", "Alpha", 2, [80, 80, 80]),
        *scores("Bob", "Beta", 3, [85, 85]),
        *scores("Ann", "Alpha", 8, [80, 90]), *scores("Amy", "Alpha", 9, [60, 70, 80, 70]),
        *scores("Bob", "Beta", 10, [90, 90, 90]),
    ])


def test_leaderboard_on_the_database(session, session_factory):
    seed_board(session)
    board = leaderboard(session_factory, scope=EVERYTHING, period=WEEK_TWO, min_interactions=2)
    # Within (50 + 200 + 0) / (9 - 3); MSB = (2·10² + 4·5² + 0) / (3 - 2) = 300;
    # n0 = (9 - (20/6 + 9/3)) / 1 = 8/3; between = (300 - 250/6) / (8/3) = 96.875.
    k = (250 / 6) / 96.875
    assert board.shrinkage.k == pytest.approx(k)
    rows = board.ranked.set_index("agent")
    assert rows["interactions"].to_dict() == {"Bob": 3, "Ann": 2, "Amy": 4}
    assert rows["mean"].to_dict() == pytest.approx({"Bob": 90.0, "Ann": 85.0, "Amy": 70.0})
    assert rows["team_mean"].to_dict() == pytest.approx({"Bob": 90.0, "Ann": 75.0, "Amy": 75.0})
    ann, amy = (2 * 85 + k * 75) / (2 + k), (4 * 70 + k * 75) / (4 + k)
    assert rows["shrunk"].to_dict() == pytest.approx({"Bob": 90.0, "Ann": ann, "Amy": amy})
    # Week one had no spread within agents, so k = 0 and raw means ranked Bob 85, Amy 80, Ann 70.
    assert board.ranked["agent"].tolist() == ["Bob", "Ann", "Amy"]
    assert board.ranked["rank_change"].tolist() == [0, 1, -1]
    assert board.most_improved["agent"].tolist() == ["Ann", "Bob"]
    assert board.most_improved["change"].tolist() == pytest.approx([ann - 70, 5.0])
    assert "k = 0.4" in method_sentence(board) and "fewer than 2 interactions" in method_sentence(board)


def test_minimum_volume_lists_agents_separately(session, session_factory):
    seed_board(session)
    board = leaderboard(session_factory, scope=EVERYTHING, period=WEEK_TWO, min_interactions=3)
    assert board.ranked["agent"].tolist() == ["Bob", "Amy"]
    assert board.too_few[["agent", "interactions"]].values.tolist() == [["Ann", 2]]


def test_a_trainer_sees_only_their_teams_and_an_agent_is_refused(session, session_factory):
    seeded = seed_board(session)
    alpha = Scope(team_ids=(seeded.teams["Alpha"],))
    board = leaderboard(session_factory, scope=alpha, period=WEEK_TWO, min_interactions=2)
    assert sorted(board.ranked["agent"]) == ["Amy", "Ann"]
    assert board.ranked["team_mean"].tolist() == pytest.approx([75.0, 75.0])
    outside = leaderboard(session_factory, scope=alpha, period=WEEK_TWO, team_id=seeded.teams["Beta"], min_interactions=2)
    assert outside.ranked.empty and outside.too_few.empty
    with pytest.raises(AgentScopeRefused):
        leaderboard(session_factory, scope=Scope(employee_id=seeded.employees["Ann"]), period=WEEK_TWO)


def test_team_and_channel_filters(session, session_factory):
    seeded = seed(session, [*scores("Ann", "Alpha", 8, [80, 90]), *scores("Bob", "Beta", 8, [70, 70]),
                            *scores("Bob", "Beta", 9, [40], channel="email")])
    beta = leaderboard(session_factory, scope=EVERYTHING, period=WEEK_TWO, team_id=seeded.teams["Beta"], min_interactions=1)
    assert beta.ranked["agent"].tolist() == ["Bob"] and beta.ranked["interactions"].tolist() == [3]
    chat = leaderboard(session_factory, scope=EVERYTHING, period=WEEK_TWO, channel="chat", min_interactions=1)
    assert chat.ranked.set_index("agent")["mean"].to_dict() == pytest.approx({"Ann": 85.0, "Bob": 70.0})


def test_badges_are_counted_in_sql(session, session_factory):
    cy = [Row("Cy", "Gamma", 8, 80, empathize=90 if i < 7 else 50, apologize=95 if i < 8 else 45)
          for i in range(10)]  # seven high-empathy interactions in a row; 8 of 10 apologies owned
    dee = [Row("Dee", "Gamma", 9, 80, channel="social", empathize=50 if i == 6 else 90,
               apologize=95 if i < 7 else 45, first_response_seconds=600)
           for i in range(13)]  # 6 + 6 high empathy split by one; 7 of 13 owned; every social reply in 10 minutes
    ed = [Row("Ed", "Gamma", 10, 80, channel="social", first_response_seconds=4000 if i else 600) for i in range(10)]
    seed(session, [*cy, *dee, *ed])
    badges = leaderboard(session_factory, scope=EVERYTHING, period=WEEK_TWO, min_interactions=1).ranked.set_index(
        "agent")["badges"].to_dict()
    assert badges == {"Cy": "Empathy streak · Owns it", "Dee": "Fast on social", "Ed": ""}


def test_an_empathy_streak_carries_over_midnight_for_each_agent_alone(session, session_factory):
    # Gil's and Hal's days interleave; Gil's run of 4 + 3 crosses midnight, Hal's is cut by a miss on day 9.
    gil = [Row("Gil", "Delta", 8, 80, empathize=90) for _ in range(4)] + [
        Row("Gil", "Delta", 9, 80, empathize=90) for _ in range(3)]
    hal = [Row("Hal", "Delta", 8, 80, empathize=90) for _ in range(4)] + [
        Row("Hal", "Delta", 9, 80, empathize=50)] + [Row("Hal", "Delta", 9, 80, empathize=90) for _ in range(2)]
    seed(session, [*gil, *hal])
    badges = leaderboard(session_factory, scope=EVERYTHING, period=WEEK_TWO, min_interactions=1).ranked.set_index(
        "agent")["badges"].to_dict()
    assert badges == {"Gil": "Empathy streak", "Hal": ""}
