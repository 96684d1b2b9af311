"""Agent profiles, team trends and customer histories on small hand-made data, on both backends."""

from __future__ import annotations

from datetime import date, datetime, timezone
from statistics import mean

import pandas as pd
import pytest
from sqlalchemy import update

from scoring.result import CRITERIA
from store import profiles, review
from store.models import Employee, PracticeSession
from store.permissions import Scope, scope_for
from store.queries import CRITERION_LABELS, Period
from tests.store.workspace_data import build_org

EVERYTHING = Scope(everything=True)
WEEK_ONE, WEEK_TWO = date(2026, 3, 2), date(2026, 3, 9)


def means(org, external_ids, criterion):
    scores = [s for i in external_ids if (s := org.expected(i).criteria[criterion].score) is not None]
    return mean(scores) if scores else None


def pd_week(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)


def of(org, prefix):
    return [i for i in org.domain if i.startswith(prefix)]


def test_within_team_never_widens_the_scope():
    assert profiles.within_team(EVERYTHING, 3) == Scope(team_ids=(3,))
    assert profiles.within_team(Scope(team_ids=(1, 2)), 2) == Scope(team_ids=(2,))
    assert profiles.within_team(Scope(team_ids=(1, 2)), 3) == Scope()
    assert profiles.within_team(Scope(employee_id=5), 1) == Scope()


def test_teams_and_agents_in_scope(session):
    org = build_org(session)
    assert profiles.teams_in_scope(session, scope=EVERYTHING)["name"].tolist() == ["Alpha", "Beta"]
    assert profiles.agents_in_scope(session, scope=EVERYTHING)["name"].tolist() == ["Amy", "Ann", "Bob"]
    alpha = scope_for(org.alpha_trainer)
    assert profiles.agents_in_scope(session, scope=alpha)["name"].tolist() == ["Amy", "Ann"]
    assert profiles.agents_in_scope(session, scope=scope_for(org.bob))["name"].tolist() == ["Bob"]
    assert profiles.teams_in_scope(session, scope=scope_for(org.bob))["name"].tolist() == ["Beta"]


def test_agent_summary_and_scope(session):
    org = build_org(session)
    ann = org.employees["Ann"]
    review.confirm_review(session, by=org.admin, interaction_id=org.row("ann-w1-0"), seen_version=0)
    session.commit()
    summary = profiles.agent_summary(session, scope=EVERYTHING, employee_id=ann)
    anns = of(org, "ann-")
    assert (summary.name, summary.team, summary.interactions, summary.reviewed) == ("Ann", "Alpha", 8, 1)
    assert summary.average_overall == pytest.approx(mean(org.expected(i).overall for i in anns))
    assert summary.auto_fail_rate == pytest.approx(1 / 8)
    week_two = profiles.agent_summary(session, scope=EVERYTHING, employee_id=ann, period=Period(WEEK_TWO, WEEK_TWO))
    assert week_two.interactions == 2
    assert profiles.agent_summary(session, scope=scope_for(org.beta_trainer), employee_id=ann) is None
    assert profiles.agent_summary(session, scope=scope_for(org.bob), employee_id=ann) is None
    assert profiles.agent_summary(session, scope=scope_for(org.ann), employee_id=ann).name == "Ann"


def test_weekly_criteria_against_the_team_average(session):
    org = build_org(session)
    frame = profiles.weekly_criteria_against_team(session, scope=EVERYTHING, employee_id=org.employees["Ann"])
    assert set(frame["series"]) == {profiles.AGENT_SERIES, profiles.TEAM_SERIES}
    rows = frame.set_index(["week", "criterion", "series"])["score"]
    week = pd_week(WEEK_ONE)
    assert rows[(week, "listen", profiles.AGENT_SERIES)] == pytest.approx(means(org, of(org, "ann-w1"), "listen"))
    team_week_one = of(org, "ann-w1") + of(org, "amy-w1")
    assert rows[(week, "listen", profiles.TEAM_SERIES)] == pytest.approx(means(org, team_week_one, "listen"))
    assert set(frame["label"]) <= set(CRITERION_LABELS.values())
    assert profiles.weekly_criteria_against_team(session, scope=scope_for(org.bob),
                                                 employee_id=org.employees["Ann"]).empty


def test_strengths_and_weaknesses_against_the_team(session):
    org = build_org(session)
    frame = profiles.criteria_against_team(session, scope=EVERYTHING, employee_id=org.employees["Amy"])
    assert frame["difference"].is_monotonic_decreasing
    amy = frame.set_index("criterion")
    team = of(org, "ann-") + of(org, "amy-")
    for criterion in ("listen", "empathize", "fix"):
        assert amy.loc[criterion, "agent"] == pytest.approx(means(org, ["amy-w1-0"], criterion))
        assert amy.loc[criterion, "team"] == pytest.approx(means(org, team, criterion))
        assert amy.loc[criterion, "difference"] == pytest.approx(amy.loc[criterion, "agent"]
                                                                 - amy.loc[criterion, "team"])


def test_score_distribution_buckets_every_scored_interaction(session):
    org = build_org(session)
    frame = profiles.score_distribution(session, scope=EVERYTHING, employee_id=org.employees["Ann"])
    assert frame["bucket"].tolist() == list(range(0, 100, 10))
    assert frame["label"].iloc[0] == "0-9" and frame["label"].iloc[-1] == "90-100"
    assert frame["interactions"].sum() == 8
    expected = [min(int(org.expected(i).overall // 10) * 10, 90) for i in of(org, "ann-")]
    assert frame.set_index("bucket")["interactions"].to_dict() == {b: expected.count(b) for b in range(0, 100, 10)}


def test_response_compliance_per_channel_against_the_rubric_target(session):
    org = build_org(session)
    frame = profiles.response_compliance(session, scope=EVERYTHING).set_index("channel")
    assert frame.loc["chat", "target_seconds"] == 120 and frame.loc["email", "target_seconds"] == 86_400
    # Every chat replies after 45 s except bob-w1-1, whose first reply came after 600 s.
    assert frame.loc["chat", "interactions"] == 10 and frame.loc["chat", "timed"] == 10
    assert frame.loc["chat", "within_target"] == pytest.approx(9 / 10)
    assert frame.loc["chat", "mean_first_response_seconds"] == pytest.approx((9 * 45 + 600) / 10)
    bob = profiles.response_compliance(session, scope=EVERYTHING, employee_id=org.employees["Bob"])
    assert bob.set_index("channel").loc["chat", "within_target"] == pytest.approx(0.5)
    assert profiles.response_compliance(session, scope=scope_for(org.alpha_trainer)).set_index(
        "channel").loc["chat", "within_target"] == 1.0


def test_recent_interactions_reviews_and_practice_of_one_agent(session):
    org = build_org(session)
    ann = org.employees["Ann"]
    recent = profiles.recent_interactions(session, scope=EVERYTHING, employee_id=ann, limit=3)
    assert recent["interaction"].tolist() == ["ann-w2-1", "ann-w2-0", "ann-w1-5"]
    review.override_criterion(session, by=org.alpha_trainer, interaction_id=org.row("ann-w2-1"), seen_version=0,
                              criterion="fix", human_score=40, comment="Pointed to the website at least.")
    session.add(PracticeSession(user_id=org.ann.id, employee_id=ann, scenario_key="late_order", seed=3,
                                started_at=datetime(2026, 3, 20, 9, tzinfo=timezone.utc), overall=72.5))
    session.commit()
    reviews = profiles.agent_reviews(session, scope=scope_for(org.ann), employee_id=ann)
    assert reviews[["interaction", "criterion", "human_score", "reviewer"]].values.tolist() == [
        ["ann-w2-1", "fix", 40.0, "Tess Trainer"]]
    assert reviews["automatic_score"].iloc[0] == org.expected("ann-w2-1").criteria["fix"].score
    assert profiles.agent_reviews(session, scope=scope_for(org.bob), employee_id=ann).empty
    assert profiles.recent_interactions(session, scope=scope_for(org.bob), employee_id=ann).empty
    assert bool(profiles.recent_interactions(session, scope=EVERYTHING, employee_id=ann)["reviewed"].iloc[0])
    practice = profiles.practice_sessions(session, scope=scope_for(org.alpha_trainer), employee_id=ann)
    assert practice[["scenario", "overall"]].values.tolist() == [["late_order", 72.5]]
    assert profiles.practice_sessions(session, scope=scope_for(org.beta_trainer), employee_id=ann).empty


def test_heatmap_has_one_cell_per_agent_and_applicable_criterion(session):
    org = build_org(session)
    frame = profiles.criterion_heatmap(session, scope=EVERYTHING)
    cells = frame.set_index(["agent", "criterion"])
    assert set(frame["agent"]) == {"Amy", "Ann", "Bob"}
    assert cells.loc[("Ann", "empathize"), "score"] == pytest.approx(means(org, of(org, "ann-"), "empathize"))
    assert cells.loc[("Ann", "empathize"), "interactions"] == 8
    assert cells.loc[("Bob", "listen"), "employee_id"] == org.employees["Bob"]
    assert not frame.duplicated(["agent", "criterion"]).any()
    assert set(frame["criterion"]) <= set(CRITERIA)
    alpha = profiles.criterion_heatmap(session, scope=profiles.within_team(EVERYTHING, org.teams["Alpha"]))
    assert set(alpha["agent"]) == {"Amy", "Ann"}


def test_heatmap_rows_follow_the_agents_current_team(session):
    org = build_org(session)
    session.execute(update(Employee).where(Employee.id == org.employees["Amy"]).values(team_id=org.teams["Beta"]))
    session.commit()
    frame = profiles.criterion_heatmap(session, scope=EVERYTHING)
    assert set(frame.loc[frame["agent"] == "Amy", "team"]) == {"Beta"}


def test_weekly_channel_mix_and_transfer_rate(session):
    org = build_org(session)
    mix = profiles.weekly_channel_mix(session, scope=EVERYTHING)
    assert mix.set_index(["week", "channel"])["interactions"].to_dict() == {
        (pd_week(WEEK_ONE), "chat"): 9, (pd_week(WEEK_TWO), "chat"): 1, (pd_week(WEEK_TWO), "email"): 1}
    rates = profiles.weekly_transfer_rate(session, scope=EVERYTHING).set_index(["week", "team"])
    alpha_week_one = of(org, "ann-w1") + of(org, "amy-w1")
    assert rates.loc[(pd_week(WEEK_ONE), "Alpha"), "interactions"] == len(alpha_week_one)
    assert rates.loc[(pd_week(WEEK_ONE), "Alpha"), "transfer_rate"] == pytest.approx(
        mean(org.expected(i).signals.transfer for i in alpha_week_one))
    assert set(profiles.weekly_transfer_rate(session, scope=scope_for(org.beta_trainer))["team"]) == {"Beta"}


def test_find_customers_by_name_or_id_within_scope(session):
    org = build_org(session)
    found = profiles.find_customers(session, scope=EVERYTHING, text="customer 1")
    assert found["customer"].tolist() == ["C-1"] and found["interactions"].tolist() == [5]
    assert profiles.find_customers(session, scope=EVERYTHING, text="B-7")["name"].tolist() == ["Mr 100% Sure_Thing"]
    assert profiles.find_customers(session, scope=EVERYTHING, text="100%")["customer"].tolist() == ["B-7"]
    assert profiles.find_customers(session, scope=EVERYTHING, text="1_0").empty  # _ is a character, not a wildcard
    assert profiles.find_customers(session, scope=EVERYTHING, text="  ").empty
    assert profiles.find_customers(session, scope=scope_for(org.alpha_trainer), text="B-7").empty
    alpha_c1 = profiles.find_customers(session, scope=scope_for(org.alpha_trainer), text="C-1")
    assert alpha_c1["interactions"].tolist() == [4]


def test_customer_history_is_in_time_order_across_agents_and_scoped(session):
    org = build_org(session)
    found = profiles.find_customers(session, scope=EVERYTHING, text="C-1")
    customer = int(found["id"].iloc[0])
    history = profiles.customer_history(session, scope=EVERYTHING, customer_id=customer)
    assert (history.external_id, history.name) == ("C-1", "Customer 1")
    frame = history.interactions
    assert frame["interaction"].tolist() == ["ann-w1-1", "bob-w1-0", "amy-w1-0", "ann-w2-0", "ann-w2-1"]
    assert frame["started_at"].is_monotonic_increasing
    assert frame["agent"].tolist() == ["Ann", "Bob", "Amy", "Ann", "Ann"]
    assert frame["overall"].tolist() == [org.expected(i).overall for i in frame["interaction"]]
    alpha = profiles.customer_history(session, scope=scope_for(org.alpha_trainer), customer_id=customer)
    assert alpha.interactions["interaction"].tolist() == ["ann-w1-1", "amy-w1-0", "ann-w2-0", "ann-w2-1"]
    bob_only = profiles.find_customers(session, scope=EVERYTHING, text="B-7")["id"].iloc[0]
    assert profiles.customer_history(session, scope=scope_for(org.alpha_trainer), customer_id=int(bob_only)) is None
    assert profiles.customer_history(session, scope=EVERYTHING, customer_id=999_999) is None
