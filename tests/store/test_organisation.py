"""Organisation trends and business impact: SQL aggregates on both backends, impact figures by hand."""

from __future__ import annotations

import json
from dataclasses import asdict

import pandas as pd
import pytest
from sqlalchemy import select

from store import organisation
from store.models import AppMeta, AuditEntry
from store.organisation import (
    IMPACT_KEY,
    OVERALL,
    ImpactAssumptions,
    ImpactCounts,
    impact_assumptions,
    impact_counts,
    impact_figures,
    save_impact_assumptions,
    target_label,
)
from store.permissions import Scope
from store.queries import Period
from store.users import create_user
from tests.store.executive_data import DAY0, WEEK_ONE, WEEK_TWO, Row, seed

EVERYTHING = Scope(everything=True)
BOTH_WEEKS = Period(WEEK_ONE.start, WEEK_TWO.end)


def seed_org(session):
    """Alpha: week one chat 60, 80 (one passed on); week two email 90 (CSAT 5), social 40 auto-failed (CSAT 1).
    Beta: week one phone 70 (not resolved), social 30 (CSAT 1)."""
    return seed(session, [
        Row("Ann", "Alpha", 1, 60, first_response_seconds=100),
        Row("Ann", "Alpha", 1, 80, transfer=True, first_response_seconds=200),
        Row("Ann", "Alpha", 8, 90, channel="email", first_response_seconds=3600, csat=5),
        Row("Ann", "Alpha", 9, 40, channel="social", auto_fail=True, first_response_seconds=7200, csat=1),
        Row("Bob", "Beta", 2, 70, channel="phone", resolved=False, first_response_seconds=None),
        Row("Bob", "Beta", 3, 30, channel="social", first_response_seconds=1800, csat=1),
    ])


def test_weekly_quality_has_the_overall_and_each_criterion(session):
    seed_org(session)
    frame = organisation.weekly_quality(session, scope=EVERYTHING, period=BOTH_WEEKS)
    overall = frame[frame["measure"] == OVERALL].set_index("week")["score"]
    assert overall.to_dict() == pytest.approx({pd.Timestamp(DAY0): 60.0, pd.Timestamp(WEEK_TWO.start): 65.0})
    assert frame[frame["measure"] == "Empathize"]["score"].tolist() == pytest.approx([50.0, 50.0])


def test_weekly_by_channel_counts_resolution_and_response_times(session):
    seed_org(session)
    frame = organisation.weekly_by_channel(session, scope=EVERYTHING, period=BOTH_WEEKS)
    frame = frame.set_index(["week", "channel"])
    chat = frame.loc[(pd.Timestamp(DAY0), "chat")]
    # Both chats resolved, one passed on; targets: chat 2 minutes (100 s in, 200 s late).
    assert (chat["interactions"], chat["resolved_first"], chat["replies"], chat["within_target"]) == (2, 1, 2, 1)
    assert chat["first_contact_resolution"] == 0.5 and chat["compliance"] == 0.5
    phone = frame.loc[(pd.Timestamp(DAY0), "phone")]
    assert phone["resolved_first"] == 0 and phone["replies"] == 0 and pd.isna(phone["compliance"])
    social = frame.loc[(pd.Timestamp(WEEK_TWO.start), "social")]
    assert social["within_target"] == 0  # two hours against one


def test_channel_compliance_lists_every_channel_with_its_target(session):
    seed_org(session)
    frame = organisation.channel_compliance(session, scope=EVERYTHING, period=BOTH_WEEKS).set_index("channel")
    assert frame["target"].to_dict() == {"phone": "1 minute", "chat": "2 minutes", "email": "24 hours",
                                         "social": "1 hour"}
    assert frame.loc["social", ["replies", "within_target"]].tolist() == [2, 1]
    assert frame.loc["social", "compliance"] == 0.5
    assert frame.loc["email", "compliance"] == 1.0
    assert frame.loc["phone", "replies"] == 0 and pd.isna(frame.loc["phone", "compliance"])


def test_team_comparison_and_scope(session):
    seeded = seed_org(session)
    frame = organisation.team_comparison(session, scope=EVERYTHING, period=BOTH_WEEKS).set_index("team")
    alpha = frame.loc["Alpha"]
    assert alpha["interactions"] == 4 and alpha["overall"] == pytest.approx(67.5)
    assert alpha["first_contact_resolution"] == 0.75 and alpha["auto_fail_rate"] == 0.25
    assert alpha["compliance"] == 0.5 and alpha["csat"] == 3.0
    assert frame.loc["Beta", "first_contact_resolution"] == 0.5
    beta_only = organisation.team_comparison(session, scope=Scope(team_ids=(seeded.teams["Beta"],)),
                                             period=BOTH_WEEKS)
    assert beta_only["team"].tolist() == ["Beta"]


def test_csat_against_score(session):
    seed_org(session)
    frame = organisation.csat_against_score(session, scope=EVERYTHING, period=BOTH_WEEKS)
    assert frame.values.tolist() == [[1, 2, 35.0], [5, 1, 90.0]]


def test_weekly_summary_recombines_counts(session):
    seed_org(session)
    summary = organisation.weekly_summary(organisation.weekly_quality(session, scope=EVERYTHING, period=BOTH_WEEKS),
                                          organisation.weekly_by_channel(session, scope=EVERYTHING,
                                                                         period=BOTH_WEEKS), BOTH_WEEKS)
    first = summary.iloc[0]
    # Week one: four interactions, two resolved first time (one chat was passed on, the phone call unresolved).
    assert (first["interactions"], first["overall"], first["first_contact_resolution"]) == (4, 60.0, 0.5)
    assert first["compliance_chat"] == 0.5 and first["compliance_social"] == 1.0
    assert list(summary.columns) == ["week", "interactions", "overall", "first_contact_resolution",
                                     "compliance_phone", "compliance_chat", "compliance_email", "compliance_social",
                                     "days"]
    assert summary["days"].tolist() == [7, 7]


def test_weekly_summary_counts_the_days_a_period_holds_of_each_week(session):
    seed_org(session)
    late_start = Period(WEEK_ONE.end, WEEK_TWO.end)  # the first week's Sunday, then the whole second week
    summary = organisation.weekly_summary(organisation.weekly_quality(session, scope=EVERYTHING, period=late_start),
                                          organisation.weekly_by_channel(session, scope=EVERYTHING,
                                                                         period=late_start), late_start)
    assert summary["days"].tolist()[-1] == 7
    assert all(days == 1 for days in summary["days"].tolist()[:-1])


def test_impact_counts(session):
    seed_org(session)
    counts = impact_counts(session, scope=EVERYTHING, period=BOTH_WEEKS, assumptions=ImpactAssumptions())
    # Below 50 or auto-failed: 40 (auto-failed too) and 30. Social: 7200 s slow, 1800 s fast.
    assert (counts.interactions, counts.poorly_handled, counts.social_slow, counts.social_fast) == (6, 2, 1, 1)
    stricter = impact_counts(session, scope=EVERYTHING, period=BOTH_WEEKS,
                             assumptions=ImpactAssumptions(poor_score_below=75))
    assert stricter.poorly_handled == 4


def test_default_assumptions_are_the_seed_figures():
    assert asdict(ImpactAssumptions()) == {
        "poor_score_below": 50.0, "silent_share": 0.8, "people_told": 3.0, "slow_negative_share": 0.38,
        "negative_public_share": 0.60, "fast_buy_share": 0.34, "fast_promote_share": 0.43,
        "fast_recommend_share": 0.42,
    }


COUNTS = ImpactCounts(interactions=1000, poorly_handled=10, social_slow=50, social_fast=200,
                      social_target_seconds=3600)


def test_impact_figures_with_the_numbers_plugged_in():
    figures = {figure.key: figure for figure in impact_figures(COUNTS, ImpactAssumptions())}
    assert {key: f.value for key, f in figures.items()} == pytest.approx({
        "negative_reach": 10 * 0.8 * 3, "public_complaints": 50 * 0.38 * 0.6, "fast_buyers": 200 * 0.34,
        "fast_promoters": 200 * 0.43, "fast_recommenders": 200 * 0.42})
    assert figures["negative_reach"].formula == (
        "10 poorly handled interactions (overall below 50 or auto-failed) × 80% who never complain "
        "× 3 people told each = 24 people")
    assert figures["public_complaints"].formula == (
        "50 social replies slower than 1 hour × 38% who then feel negative × 60% of those who say so publicly "
        "= 11 customers")
    assert figures["fast_buyers"].formula == "200 social replies within 1 hour × 34% who buy = 68 customers"


def test_edited_assumptions_are_stored_audited_and_change_the_figures(session):
    exec_user = create_user(session, username="ceo", password="secret", role="executive")
    stored = save_impact_assumptions(session, by=exec_user, values={"silent_share": 0.9, "people_told": 5})
    session.commit()
    assert impact_assumptions(session) == stored == ImpactAssumptions(silent_share=0.9, people_told=5.0)
    assert json.loads(session.get(AppMeta, IMPACT_KEY).value)["people_told"] == 5.0
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "impact_assumptions_changed")).one()
    assert (entry.username, entry.target) == ("ceo", IMPACT_KEY)
    assert entry.detail["before"]["silent_share"] == 0.8 and entry.detail["after"]["silent_share"] == 0.9
    reach = next(f for f in impact_figures(COUNTS, impact_assumptions(session)) if f.key == "negative_reach")
    assert reach.value == pytest.approx(10 * 0.9 * 5)
    assert "× 90% who never complain × 5 people told each = 45 people" in reach.formula
    save_impact_assumptions(session, by=exec_user, values={"people_told": 5})  # unchanged: nothing written
    session.commit()
    changes = select(AuditEntry).where(AuditEntry.action == "impact_assumptions_changed")
    assert session.scalars(changes).all() == [entry]


def test_a_bad_assumption_names_the_field_and_writes_nothing(session):
    exec_user = create_user(session, username="ceo", password="secret", role="executive")
    with pytest.raises(ValueError, match="^silent_share: expected a number from 0 to 1"):
        save_impact_assumptions(session, by=exec_user, values={"silent_share": 1.5})
    assert session.get(AppMeta, IMPACT_KEY) is None
    assert impact_assumptions(session) == ImpactAssumptions()


def test_target_label():
    assert [target_label(s) for s in (60, 120, 3600, 86400, 45, 90)] == [
        "1 minute", "2 minutes", "1 hour", "24 hours", "45 seconds", "90 seconds"]
