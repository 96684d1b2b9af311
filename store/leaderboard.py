"""The customer-advocate leaderboard: agents ranked by a volume-shrunk rubric score, rank change, most improved
and badges.

An agent's raw mean rests on however many interactions they happened to handle, so a handful of lucky ones
could top a raw-average board. Each mean is therefore shrunk toward the team's mean in the empirical-Bayes
manner, shrunk = (n·mean + k·team_mean) / (n + k): the fewer interactions, the closer to the team.
k is the within-agent variance of scores divided by the between-agent variance of agents' true means,
both estimated from the same data by the method of moments (one-way ANOVA within teams).

A row is one agent's work in one team (the team at the time of the interaction), so moving an agent between
teams never rewrites history; an agent who moved within the period is ranked once per team.

The functions above the SQL take and return small DataFrames and are tested with hand-made numbers.
Agents never see each other's scores: every query here refuses an agent's scope.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from store.db import read_at_once
from store.models import LEADERBOARD_SUMS, DailyAgentRollup, DailyEmpathyRun, DailyRollup, Employee, Team
from store.permissions import Scope
from store.queries import Period
from store.rollups import EMPATHY_STREAK_SCORE, Runs, in_weeks, mean_of, rolled

MIN_INTERACTIONS = 10  # fewer than this in the period and an agent is listed as "not enough interactions yet"
DEFAULT_K = 20.0  # used when the data cannot support an estimate (no team with two agents, no agent with two scores)
# Floor on the between-agent variance (score points²: agents' true means differ by at least 1 point), so that
# a period in which agents barely differ gives a large but finite k (at most the within-agent variance).
BETWEEN_VARIANCE_FLOOR = 1.0
MOST_IMPROVED = 5

KEY = ["employee_id", "team_id"]
AGENT_COLUMNS = ["employee_id", "agent", "team_id", "team", "interactions", "mean", "sum_squares"]


class AgentScopeRefused(PermissionError):
    """Agents may not see their peers' scores."""


def _refuse_agent_scope(scope: Scope) -> None:
    if not scope.everything and scope.employee_id is not None:
        raise AgentScopeRefused("the leaderboard shows peers' scores and is not available to agents")


# -- shrinkage -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shrinkage:
    """How strongly means are pulled toward the team mean, and where that strength came from."""

    k: float
    estimated: bool  # False when DEFAULT_K was used
    within_variance: float | None = None
    between_variance: float | None = None


def _team_totals(agents: pd.DataFrame, values: pd.Series) -> np.ndarray:
    """Return, for each row, the sum of `values` over the rows of its team (a missing team is a team too).

    A board has a few hundred rows, where a bincount takes a tenth of the time of a pandas groupby transform.
    """
    codes, _ = pd.factorize(agents["team_id"], use_na_sentinel=False)
    return np.bincount(codes, weights=values.to_numpy(dtype="float64"))[codes]


def team_means(agents: pd.DataFrame) -> pd.Series:
    """Return each row's team mean: all the team's interactions pooled (agents weighted by volume)."""
    totals = _team_totals(agents, agents["interactions"] * agents["mean"])
    return pd.Series(totals / _team_totals(agents, agents["interactions"]), index=agents.index)


def estimate_k(agents: pd.DataFrame) -> Shrinkage:
    """Estimate k = within-agent variance / between-agent variance by the method of moments.

    `agents` has one row per agent with team_id, interactions (n), mean and sum_squares (the sum of squared
    scores). Within: pooled variance of scores around each agent's mean, Σ(Σx² − n·mean²) / (N − A).
    Between (one-way ANOVA within teams, unequal sizes): (MSB − MSW) / n0 with
    MSB = Σ n·(mean − team_mean)² / (A − T) and n0 = (N − Σ_teams Σ n² / N_team) / (A − T),
    floored at BETWEEN_VARIANCE_FLOOR.
    """
    n = agents["interactions"].astype("float64")
    total, agent_count = n.sum(), len(agents)
    team_count = agents["team_id"].nunique(dropna=False)
    if total - agent_count <= 0 or agent_count - team_count <= 0:
        return Shrinkage(DEFAULT_K, estimated=False)
    within = float((agents["sum_squares"] - n * agents["mean"] ** 2).sum() / (total - agent_count))
    between_mean_square = float((n * (agents["mean"] - team_means(agents)) ** 2).sum() / (agent_count - team_count))
    n0 = float((total - (n ** 2 / _team_totals(agents, n)).sum()) / (agent_count - team_count))
    between = max((between_mean_square - within) / n0, BETWEEN_VARIANCE_FLOOR)
    return Shrinkage(within / between, estimated=True, within_variance=within, between_variance=between)


def shrink(agents: pd.DataFrame, k: float) -> pd.Series:
    """Return (n·mean + k·team_mean) / (n + k) for each row."""
    n = agents["interactions"]
    return (n * agents["mean"] + k * team_means(agents)) / (n + k)


def rank_board(agents: pd.DataFrame, *, k: float, min_interactions: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (ranked, too_few): rows with at least `min_interactions` ranked by shrunk score, and the others.

    Shrinkage uses every row, so an agent below the minimum still counts toward their team's mean.
    Ties share the better rank.
    """
    board = agents.assign(team_mean=team_means(agents), shrunk=shrink(agents, k))
    enough = board["interactions"] >= min_interactions
    ranked = board[enough].sort_values(["shrunk", "interactions"], ascending=[False, False], ignore_index=True)
    ranked.insert(0, "rank", ranked["shrunk"].rank(method="min", ascending=False).astype("int64"))
    too_few = board[~enough].sort_values(["interactions", "agent"], ascending=[False, True], ignore_index=True)
    return ranked, too_few


def _keys(frame: pd.DataFrame) -> list[tuple]:
    """Return each row's (employee_id, team_id); a board has a few hundred rows, which a dict joins faster than
    a merge on a nullable key (pd.NA, the one missing team, matches itself as a merge would)."""
    return list(zip(frame["employee_id"], frame["team_id"]))


def rank_change(current: pd.DataFrame, previous: pd.DataFrame) -> pd.Series:
    """Return places gained since the previous board (positive = moved up); missing when not ranked then."""
    ranks = dict(zip(_keys(previous), previous["rank"]))
    before = pd.Series([ranks.get(key) for key in _keys(current)], index=current.index, dtype="Int64")
    return (before - current["rank"]).astype("Int64")


def most_improved(current: pd.DataFrame, previous: pd.DataFrame, *, top: int = MOST_IMPROVED) -> pd.DataFrame:
    """Return the rows ranked in both boards whose shrunk score rose most, best first (rises only)."""
    shrunk_before = dict(zip(_keys(previous), previous["shrunk"]))
    keys = _keys(current)
    ranked_before = [key in shrunk_before for key in keys]
    both = current[pd.Series(ranked_before, index=current.index, dtype=bool)].assign(
        shrunk_before=[shrunk_before[key] for key, found in zip(keys, ranked_before) if found])
    both["change"] = both["shrunk"] - both["shrunk_before"]
    rising = both[both["change"] > 0].sort_values("change", ascending=False, ignore_index=True).head(top)
    return rising[["employee_id", "agent", "team_id", "team", "shrunk_before", "shrunk", "change"]]


# -- badges -----------------------------------------------------------------------------------------------

EMPATHY_STREAK_LENGTH = 7
OWNS_IT_PERCENT = 75
OWNS_IT_MIN_APOLOGIES = 10
FAST_SOCIAL_PERCENT = 95
FAST_SOCIAL_MIN_REPLIES = 10
FIRST_CONTACT_PERCENT = 90
FIRST_CONTACT_MIN_INTERACTIONS = 20


@dataclass(frozen=True)
class BadgeStats:
    """What the badge rules look at, for one agent in one period (counts come from SQL)."""

    interactions: int
    empathy_streak: int  # longest run of consecutive interactions with empathize >= EMPATHY_STREAK_SCORE
    apology_applied: int  # interactions where the customer reported a problem, so an apology applied
    owned_apologies: int  # of those, how many had an owned apology (see store.rollups.owned_apology_score)
    social_replies: int  # social interactions with a measured first reply
    social_within_target: int
    first_contact_resolved: int  # resolved without passing the customer on


@dataclass(frozen=True)
class Badge:
    name: str
    rule: str  # shown next to the board, so recognition is never a mystery
    earned: Callable[[BadgeStats], bool]


def _share_at_least(part: int, whole: int, percent: int, minimum: int) -> bool:
    return whole >= minimum and 100 * part >= percent * whole  # whole numbers: 19 of 20 is exactly 95%


BADGES: tuple[Badge, ...] = (
    Badge("Empathy streak",
          f"Empathize scored {EMPATHY_STREAK_SCORE:.0f} or more on {EMPATHY_STREAK_LENGTH} consecutive interactions.",
          lambda s: s.empathy_streak >= EMPATHY_STREAK_LENGTH),
    Badge("Owns it",
          f"An owned apology (an apology that takes ownership, e.g. \"that's our mistake\") in at least "
          f"{OWNS_IT_PERCENT}% of the interactions that called for an apology (at least {OWNS_IT_MIN_APOLOGIES}).",
          lambda s: _share_at_least(s.owned_apologies, s.apology_applied, OWNS_IT_PERCENT, OWNS_IT_MIN_APOLOGIES)),
    Badge("Fast on social",
          f"At least {FAST_SOCIAL_PERCENT}% of social replies within the rubric's social target (1 hour) "
          f"(at least {FAST_SOCIAL_MIN_REPLIES} replies).",
          lambda s: _share_at_least(s.social_within_target, s.social_replies, FAST_SOCIAL_PERCENT,
                                    FAST_SOCIAL_MIN_REPLIES)),
    Badge("First-contact fixer",
          f"At least {FIRST_CONTACT_PERCENT}% of interactions resolved without passing the customer on "
          f"(at least {FIRST_CONTACT_MIN_INTERACTIONS} interactions).",
          lambda s: _share_at_least(s.first_contact_resolved, s.interactions, FIRST_CONTACT_PERCENT,
                                    FIRST_CONTACT_MIN_INTERACTIONS)),
)
BADGE_STAT_COLUMNS = [f.name for f in fields(BadgeStats)]


def badges_earned(stats: BadgeStats) -> tuple[str, ...]:
    """Return the names of the badges the stats earn, in BADGES order."""
    return tuple(badge.name for badge in BADGES if badge.earned(stats))


# -- queries ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaderboard:
    """A ranked board and what it was computed from; DataFrames, never ORM objects."""

    period: Period
    previous: Period
    min_interactions: int
    shrinkage: Shrinkage
    # rank, rank_change, employee_id, agent, team_id, team, interactions, mean, team_mean, shrunk, badges
    ranked: pd.DataFrame
    too_few: pd.DataFrame  # employee_id, agent, team_id, team, interactions
    most_improved: pd.DataFrame  # employee_id, agent, team_id, team, shrunk_before, shrunk, change


def method_sentence(board: Leaderboard) -> str:
    """Return one sentence saying how the board is computed, so nobody mistakes it for raw averages."""
    source = ("estimated from this period's data" if board.shrinkage.estimated
              else "a default, as this selection is too small to estimate it")
    return (f"Not a raw average: each agent's mean overall rubric score is shrunk toward their team's mean by "
            f"volume — score = (n × mean + k × team mean) / (n + k), with k = {board.shrinkage.k:.1f} "
            f"({source}) — so a few lucky interactions cannot top the board; agents with fewer than "
            f"{board.min_interactions} interactions are listed separately.")


def leaderboard(sessions: sessionmaker[Session], *, scope: Scope, period: Period, channel: str | None = None,
                team_id: int | None = None, min_interactions: int = MIN_INTERACTIONS) -> Leaderboard:
    """Return the board for the period with rank change and most improved against the previous period.

    Its three reads run at once (store.db.read_at_once).
    """
    reads = board_reads(scope, period, channel, team_id)
    return assemble_board(read_at_once(sessions, reads), period=period, min_interactions=min_interactions)


def board_reads(scope: Scope, period: Period, channel: str | None = None,
                team_id: int | None = None) -> dict[str, Callable[[Session], pd.DataFrame]]:
    """Return the board's reads by name, for store.db.read_at_once: alone, or among a larger figure's reads."""
    _refuse_agent_scope(scope)
    return {
        "board_streaks": lambda session: _empathy_streaks(session, scope, period, channel, team_id),  # the longest
        "board_current": lambda session: _agent_stats(session, scope, period, channel, team_id),
        "board_before": lambda session: _agent_stats(session, scope, period.previous(), channel, team_id),
    }


def assemble_board(read: Mapping[str, pd.DataFrame], *, period: Period, min_interactions: int) -> Leaderboard:
    """Return the board from the results of board_reads."""
    current = read["board_current"].merge(read["board_streaks"], on=KEY, how="left").fillna({"empathy_streak": 0})
    current["empathy_streak"] = current["empathy_streak"].astype("int64")
    before = read["board_before"]

    shrinkage = estimate_k(current)
    ranked, too_few = rank_board(current, k=shrinkage.k, min_interactions=min_interactions)
    ranked_before, _ = rank_board(before, k=estimate_k(before).k, min_interactions=min_interactions)
    ranked.insert(1, "rank_change", rank_change(ranked, ranked_before))
    ranked["badges"] = [
        " · ".join(badges_earned(BadgeStats(**{name: int(row[name]) for name in BADGE_STAT_COLUMNS})))
        for row in ranked[BADGE_STAT_COLUMNS].to_dict("records")
    ]
    return Leaderboard(
        period=period, previous=period.previous(), min_interactions=min_interactions, shrinkage=shrinkage,
        ranked=ranked[["rank", "rank_change", "employee_id", "agent", "team_id", "team", "interactions", "mean",
                       "team_mean", "shrunk", "badges"]],
        too_few=too_few[["employee_id", "agent", "team_id", "team", "interactions"]],
        most_improved=most_improved(ranked, ranked_before),
    )


def _filtered(stmt, table, channel: str | None, team_id: int | None):
    stmt = stmt.where(table.employee_id.is_not(None))
    if channel is not None:
        stmt = stmt.where(table.channel == channel)
    if team_id is not None:
        stmt = stmt.where(table.team_id == team_id)
    return stmt


def _agent_stats(session: Session, scope: Scope, period: Period, channel: str | None,
                 team_id: int | None) -> pd.DataFrame:
    """Return one row per agent and team with volume, mean, sum of squares and the badge counts.

    Only interactions with an overall score count (those with none applicable have nothing to rank).
    """
    stat_columns = [name for name in BADGE_STAT_COLUMNS if name not in ("interactions", "empathy_streak")]
    if channel is None:  # the per-agent rows: a quarter of the per-channel ones, and kept per week
        rollup = in_weeks(session, period, DailyAgentRollup,
                          columns=("rubric_version_id", "day", *LEADERBOARD_SUMS))
        social_replies, social_within_target = rollup.social_replies, rollup.social_within_target
    else:
        rollup = DailyRollup
        social = rollup.channel == "social"
        social_replies = case((social, rollup.replies), else_=0)
        social_within_target = case((social, rollup.within_target), else_=0)
    sums = _filtered(rolled(
        session, scope, period,
        rollup.employee_id.label("employee_id"), rollup.team_id.label("team_id"),
        func.sum(rollup.overall_n).label("interactions"), mean_of("overall", rollup).label("mean"),
        func.sum(rollup.overall_sum_squares).label("sum_squares"),
        func.sum(rollup.apologize_n).label("apology_applied"),
        func.sum(rollup.owned_apologies).label("owned_apologies"),
        func.sum(social_replies).label("social_replies"),
        func.sum(social_within_target).label("social_within_target"),
        func.sum(rollup.first_contact_resolved).label("first_contact_resolved"),
        table=rollup,
    ), rollup, channel, team_id).group_by(rollup.employee_id, rollup.team_id).having(
        func.sum(rollup.overall_n) > 0).subquery()
    # Names are joined to the few aggregated rows, not to every interaction.
    stmt = (select(sums.c.employee_id, Employee.name, sums.c.team_id, Team.name,
                   *(sums.c[name] for name in AGENT_COLUMNS[4:] + stat_columns))
            .join(Employee, Employee.id == sums.c.employee_id).outerjoin(Team, Team.id == sums.c.team_id))
    frame = pd.DataFrame(session.execute(stmt).all(), columns=[*AGENT_COLUMNS, *stat_columns])
    frame = frame.astype({"employee_id": "int64", "team_id": "Int64", "interactions": "int64", "mean": "float64",
                          "sum_squares": "float64", **{name: "int64" for name in stat_columns}})
    return frame.sort_values(KEY, ignore_index=True)


def _empathy_streaks(session: Session, scope: Scope, period: Period, channel: str | None,
                     team_id: int | None) -> pd.DataFrame:
    """Return employee_id, team_id and the longest run of consecutive high-empathy interactions.

    Joins each agent's runs in time order (store.rollups.join_runs), of whole weeks and of the days at the
    period's edges: a run carries over midnight while whole days are hits. The rows come in day order, every
    agent's interleaved: each agent's fold only needs its own days in order, and sorting tens of thousands of
    rows by agent first took longer than the fold.
    """
    runs = in_weeks(session, period, DailyEmpathyRun)
    stmt = _filtered(rolled(session, scope, period, runs.employee_id, runs.team_id,
                            *(getattr(runs, name) for name in Runs._fields), table=runs), runs, None, team_id)
    stmt = stmt.where(runs.channel.is_(None) if channel is None else runs.channel == channel)
    # join_runs reduced to the two numbers a longest run needs, the best so far and the run still open (the
    # joined tail): building a Runs per row took five times as long as this arithmetic (11 ms against 2 ms
    # over 180 days of a million interactions), on the board's longest read.
    longest: dict[tuple[int, int | None], int] = {}
    running: dict[tuple[int, int | None], int] = {}
    # Through Core and fetched at once: the ORM's row handling, or a fetch per row, cost more than the fold.
    for employee_id, team, scored, head, tail, best, misses in session.connection().execute(
            stmt.order_by(runs.day)).all():
        key = (employee_id, team)
        open_run = running.get(key, 0)
        longest[key] = max(longest.get(key, 0), best, open_run + head)
        running[key] = tail if misses else open_run + scored
    return pd.DataFrame([(*key, run) for key, run in longest.items()], columns=[*KEY, "empathy_streak"]).astype(
        {"employee_id": "int64", "team_id": "Int64", "empathy_streak": "int64"})
