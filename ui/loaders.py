"""Cached query results for pages; arguments are the cache key, so scope is always part of it."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from practice.scenarios import SCENARIO_DIR, Scenario, load_scenarios
from scoring.rubric import dump_rubric
from store import board_pack as board_packs
from store import leaderboard as leaderboards
from store import calibration, organisation, profiles, queries, review, rubric_editing
from store import practice as practice_store
from store.permissions import Scope
from store.rubrics import active_rubric
from ui import data

TTL_SECONDS = 300


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def data_range(scope: Scope) -> queries.Period | None:
    with data.session() as db:
        return queries.data_range(db, scope=scope)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_quality_by_team(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return queries.weekly_quality_by_team(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_quality_by_criterion(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return queries.weekly_quality_by_criterion(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def headline(scope: Scope, period: queries.Period) -> queries.Headline:
    with data.session() as db:
        return queries.headline(db, scope=scope, period=period)


# -- trainer workspace: review queue, interaction, agent profile, team trends, customer history ----------


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def teams_in_scope(scope: Scope) -> pd.DataFrame:
    with data.session() as db:
        return profiles.teams_in_scope(db, scope=scope)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def agents_in_scope(scope: Scope) -> pd.DataFrame:
    with data.session() as db:
        return profiles.agents_in_scope(db, scope=scope)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def review_queue(scope: Scope, filters: review.QueueFilters, sampling: review.Sampling) -> pd.DataFrame:
    with data.session() as db:
        return review.review_queue(db, scope=scope, filters=filters, sampling=sampling)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def interaction_detail(scope: Scope, interaction_id: int) -> review.InteractionDetail | None:
    with data.session() as db:
        return review.interaction_detail(db, scope=scope, interaction_id=interaction_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def coaching_notes(scope: Scope, employee_id: int) -> pd.DataFrame:
    with data.session() as db:
        return review.coaching_notes(db, scope=scope, employee_id=employee_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def practice_assignments(scope: Scope, employee_id: int) -> pd.DataFrame:
    with data.session() as db:
        return review.practice_assignments(db, scope=scope, employee_id=employee_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def agent_summary(scope: Scope, employee_id: int, period: queries.Period | None) -> profiles.AgentSummary | None:
    with data.session() as db:
        return profiles.agent_summary(db, scope=scope, employee_id=employee_id, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_criteria_against_team(scope: Scope, employee_id: int, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return profiles.weekly_criteria_against_team(db, scope=scope, employee_id=employee_id, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def criteria_against_team(scope: Scope, employee_id: int, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return profiles.criteria_against_team(db, scope=scope, employee_id=employee_id, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def score_distribution(scope: Scope, employee_id: int, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return profiles.score_distribution(db, scope=scope, employee_id=employee_id, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def response_compliance(scope: Scope, period: queries.Period, employee_id: int | None = None) -> pd.DataFrame:
    with data.session() as db:
        return profiles.response_compliance(db, scope=scope, period=period, employee_id=employee_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def recent_interactions(scope: Scope, employee_id: int) -> pd.DataFrame:
    with data.session() as db:
        return profiles.recent_interactions(db, scope=scope, employee_id=employee_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def agent_reviews(scope: Scope, employee_id: int) -> pd.DataFrame:
    with data.session() as db:
        return profiles.agent_reviews(db, scope=scope, employee_id=employee_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def practice_sessions(scope: Scope, employee_id: int) -> pd.DataFrame:
    with data.session() as db:
        return profiles.practice_sessions(db, scope=scope, employee_id=employee_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def criterion_heatmap(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return profiles.criterion_heatmap(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_channel_mix(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return profiles.weekly_channel_mix(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_transfer_rate(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return profiles.weekly_transfer_rate(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def find_customers(scope: Scope, text: str) -> pd.DataFrame:
    with data.session() as db:
        return profiles.find_customers(db, scope=scope, text=text)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def customer_history(scope: Scope, customer_id: int) -> profiles.CustomerHistory | None:
    with data.session() as db:
        return profiles.customer_history(db, scope=scope, customer_id=customer_id)


def forget_reviews() -> None:
    """Drop cached results that show review state, notes or assignments, after a trainer changed them."""
    for loader in (review_queue, interaction_detail, coaching_notes, practice_assignments, agent_summary,
                   recent_interactions, agent_reviews, customer_history):
        loader.clear()


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def leaderboard(scope: Scope, period: queries.Period, channel: str | None,
                team_id: int | None) -> leaderboards.Leaderboard:
    return leaderboards.leaderboard(data.sessions(), scope=scope, period=period, channel=channel, team_id=team_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_quality(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return organisation.weekly_quality(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_by_channel(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return organisation.weekly_by_channel(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def channel_compliance(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return organisation.channel_compliance(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def team_comparison(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return organisation.team_comparison(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def csat_against_score(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return organisation.csat_against_score(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def impact_assumptions() -> organisation.ImpactAssumptions:
    with data.session() as db:
        return organisation.impact_assumptions(db)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def impact_counts(scope: Scope, period: queries.Period,
                  assumptions: organisation.ImpactAssumptions) -> organisation.ImpactCounts:
    with data.session() as db:
        return organisation.impact_counts(db, scope=scope, period=period, assumptions=assumptions)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def board_pack(scope: Scope, period: queries.Period) -> board_packs.BoardPack:
    return board_packs.gather_board_pack(data.sessions(), scope=scope, period=period,
                                         generated_at=datetime.now(timezone.utc))


def forget_impact_assumptions() -> None:
    """Drop cached results that include the impact assumptions, after someone edited them."""
    for loader in (impact_assumptions, board_pack):
        loader.clear()


# -- trainer workspace: calibration and rubric ----------------------------------------------------------


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def machine_agreement(scope: Scope) -> pd.DataFrame:
    with data.session() as db:
        return calibration.machine_agreement(db, scope=scope)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def largest_disagreements(scope: Scope) -> pd.DataFrame:
    with data.session() as db:
        return calibration.largest_disagreements(db, scope=scope)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_overall_by_version(scope: Scope) -> pd.DataFrame:
    with data.session() as db:
        return rubric_editing.weekly_overall_by_version(db, scope=scope)


# -- practice: scenarios, trainees' attempts, the cohort ----------------------------------------------------


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def practice_scenarios() -> dict[str, Scenario]:
    with data.session() as db:
        return load_scenarios(stored=practice_store.stored_scenarios(db))


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def active_rubric_text() -> str:
    """Return the active rubric as TOML text; store.rubrics.scorer_for compiles it once per process."""
    with data.session() as db:
        return dump_rubric(active_rubric(db).rubric)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def scenario_texts() -> dict[str, str]:
    """Return each scenario's TOML text by key: the stored text where one exists, else the shipped file."""
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(SCENARIO_DIR.glob("*.toml"))}
    with data.session() as db:
        texts.update(practice_store.stored_scenarios(db))
    return texts


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def practice_history(scope: Scope, employee_id: int | None, user_id: int | None) -> pd.DataFrame:
    with data.session() as db:
        return practice_store.history(db, scope=scope, employee_id=employee_id, user_id=user_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def practice_best(scope: Scope, employee_id: int | None, user_id: int | None) -> pd.DataFrame:
    with data.session() as db:
        return practice_store.best_by_scenario(db, scope=scope, employee_id=employee_id, user_id=user_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def practice_weakest(scope: Scope, employee_id: int | None, user_id: int | None) -> tuple[str, str] | None:
    with data.session() as db:
        return practice_store.weakest_criterion(db, scope=scope, employee_id=employee_id, user_id=user_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def practice_open_assignments(scope: Scope, employee_id: int) -> pd.DataFrame:
    with data.session() as db:
        return practice_store.open_assignments(db, scope=scope, employee_id=employee_id)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def cohort_grid(scope: Scope) -> pd.DataFrame:
    with data.session() as db:
        return practice_store.cohort_grid(db, scope=scope)


def forget_practice() -> None:
    """Drop cached practice results after a session was saved, a scenario assigned or edited."""
    for loader in (practice_scenarios, scenario_texts, practice_history, practice_best, practice_weakest,
                   practice_open_assignments, cohort_grid, practice_sessions, practice_assignments):
        loader.clear()
