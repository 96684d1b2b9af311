"""SQLAlchemy 2 typed models.

Timestamps are stored in UTC. Human reviews live apart from automatic scores so that
an override never rewrites what the machine said. Scores are kept per rubric version,
so rescoring with a new version keeps the older scores.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("admin", "trainer", "executive", "agent")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """Return the moment as aware UTC; SQLite hands back naive datetimes of stored UTC values."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


class Base(DeclarativeBase):
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    hire_date: Mapped[date | None] = mapped_column(Date)
    is_new_hire: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    team: Mapped[Team | None] = relationship()


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserTeam(Base):
    """The teams a trainer looks after."""

    __tablename__ = "user_teams"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str | None] = mapped_column(String(200), index=True)


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(20))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(120))


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_week_team", "started_week", "team_id"),
        Index("ix_interactions_employee_started", "employee_id", "started_at"),
        Index("ix_interactions_customer_started", "customer_id", "started_at"),
        # Period filters: a trainer's teams, and everything (admins, executives).
        Index("ix_interactions_team_started", "team_id", "started_at"),
        Index("ix_interactions_started", "started_at"),
        Index("ix_interactions_started_day", "started_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(10), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    # The team at the time of the interaction, so moving an agent does not rewrite history.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime | None]
    # Monday of the start week, precomputed so weekly trends group portably and use an index.
    started_week: Mapped[date | None] = mapped_column(Date)
    # The UTC day of the start, precomputed so the daily rollups group portably.
    started_day: Mapped[date | None] = mapped_column(Date)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    transferred: Mapped[bool | None] = mapped_column(Boolean)
    csat: Mapped[int | None] = mapped_column(Integer)
    turn_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every human review, so two trainers editing at once cannot overwrite each other unseen.
    review_version: Mapped[int] = mapped_column(Integer, default=0)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"), index=True)

    turns: Mapped[list[Turn]] = relationship(order_by="Turn.position", cascade="all, delete-orphan")


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("interaction_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime | None]


class RubricVersion(Base):
    __tablename__ = "rubric_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(50), unique=True)
    content: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(120))


class Score(Base):
    """One automatic score of one interaction under one rubric version.

    Criterion scores are columns (None = not applicable) so that trends aggregate
    without unpacking JSON; the evidence lives in ScoreEvidence to keep this table narrow.
    """

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("interaction_id", "rubric_version_id"),
        Index("ix_scores_rubric_overall", "rubric_version_id", "overall"),
        # The critical queue starts from the few auto-fails (a fraction of a percent) instead of the period.
        Index("ix_scores_rubric_auto_failed", "rubric_version_id", "interaction_id",
              sqlite_where=text("auto_fail = 1"), postgresql_where=text("auto_fail")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    overall: Mapped[float | None] = mapped_column(Float)
    auto_fail: Mapped[bool] = mapped_column(Boolean, default=False)
    listen: Mapped[float | None] = mapped_column(Float)
    empathize: Mapped[float | None] = mapped_column(Float)
    apologize: Mapped[float | None] = mapped_column(Float)
    fix: Mapped[float | None] = mapped_column(Float)
    overcommunicate: Mapped[float | None] = mapped_column(Float)
    respond: Mapped[float | None] = mapped_column(Float)
    apology: Mapped[bool] = mapped_column(Boolean, default=False)
    transfer: Mapped[bool] = mapped_column(Boolean, default=False)
    timeline: Mapped[bool] = mapped_column(Boolean, default=False)
    question: Mapped[bool] = mapped_column(Boolean, default=False)
    perk: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_name_used: Mapped[bool] = mapped_column(Boolean, default=False)
    courtesy: Mapped[float | None] = mapped_column(Float)
    sentiment_start: Mapped[float | None] = mapped_column(Float)
    sentiment_end: Mapped[float | None] = mapped_column(Float)
    first_response_seconds: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoreEvidence(Base):
    __tablename__ = "score_evidence"

    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id", ondelete="CASCADE"), primary_key=True)
    # {"criteria": {name: [evidence...]}, "critical": [evidence...]}
    payload: Mapped[dict[str, Any]]


class Review(Base):
    """A trainer's judgement of one criterion of one interaction, kept beside the machine's."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_interaction", "interaction_id"),
                      # Each interaction's latest review of each criterion (calibration), from the index alone.
                      Index("ix_reviews_interaction_criterion", "interaction_id", "criterion", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    score_id: Mapped[int | None] = mapped_column(ForeignKey("scores.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    criterion: Mapped[str] = mapped_column(String(30))
    automatic_score: Mapped[float | None] = mapped_column(Float)
    human_score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoachingNote(Base):
    __tablename__ = "coaching_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticeAssignment(Base):
    __tablename__ = "practice_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    scenario_key: Mapped[str] = mapped_column(String(100))
    due_date: Mapped[date | None] = mapped_column(Date)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticeSession(Base):
    __tablename__ = "practice_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    scenario_key: Mapped[str] = mapped_column(String(100))
    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    transcript: Mapped[list[Any]] = mapped_column(default=list)
    overall: Mapped[float | None] = mapped_column(Float)
    auto_fail: Mapped[bool] = mapped_column(Boolean, default=False)
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CalibrationRound(Base):
    """A blind round: several trainers score the same interactions without seeing each other's scores."""

    __tablename__ = "calibration_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class CalibrationItem(Base):
    __tablename__ = "calibration_items"

    round_id: Mapped[int] = mapped_column(ForeignKey("calibration_rounds.id", ondelete="CASCADE"), primary_key=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True)


class CalibrationRating(Base):
    __tablename__ = "calibration_ratings"
    __table_args__ = (UniqueConstraint("round_id", "interaction_id", "rater_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("calibration_rounds.id", ondelete="CASCADE"), index=True)
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    criterion: Mapped[str] = mapped_column(String(30))
    score: Mapped[float | None] = mapped_column(Float)  # None = the rater judged it not applicable
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StoredScenario(Base):
    """A practice scenario written or edited in the app; shipped ones live in seed_data/scenarios/."""

    __tablename__ = "scenarios"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AuditEntry(Base):
    """An append-only record of who did what; the app never edits or deletes these."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(50), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AppMeta(Base):
    """Key/value facts about this install, e.g. whether it holds demo data."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RollupMeasures:
    """What every rollup of scores keeps (store.rollups).

    Every `<measure>_n` counts the rows where the measure applies and `<measure>_sum` adds them up, so any
    mean over a period is sum / n.
    """

    interactions: Mapped[int] = mapped_column(Integer)
    overall_n: Mapped[int] = mapped_column(Integer)
    overall_sum: Mapped[float] = mapped_column(Float)
    overall_sum_squares: Mapped[float] = mapped_column(Float)
    listen_n: Mapped[int] = mapped_column(Integer)
    listen_sum: Mapped[float] = mapped_column(Float)
    empathize_n: Mapped[int] = mapped_column(Integer)
    empathize_sum: Mapped[float] = mapped_column(Float)
    apologize_n: Mapped[int] = mapped_column(Integer)
    apologize_sum: Mapped[float] = mapped_column(Float)
    fix_n: Mapped[int] = mapped_column(Integer)
    fix_sum: Mapped[float] = mapped_column(Float)
    overcommunicate_n: Mapped[int] = mapped_column(Integer)
    overcommunicate_sum: Mapped[float] = mapped_column(Float)
    respond_n: Mapped[int] = mapped_column(Integer)
    respond_sum: Mapped[float] = mapped_column(Float)
    auto_fails: Mapped[int] = mapped_column(Integer)
    transfers: Mapped[int] = mapped_column(Integer)
    first_contact_resolved: Mapped[int] = mapped_column(Integer)
    owned_apologies: Mapped[int] = mapped_column(Integer)
    csat_n: Mapped[int] = mapped_column(Integer)
    csat_sum: Mapped[float] = mapped_column(Float)
    replies: Mapped[int] = mapped_column(Integer)  # interactions with a measured first reply
    first_response_sum: Mapped[float] = mapped_column(Float)
    within_target: Mapped[int] = mapped_column(Integer)  # first reply within the channel's target


class WeeklyKey:
    """What every weekly rollup is kept by: a rubric version, a week (its Monday) and a team."""

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    week: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))


class RollupKey(WeeklyKey):
    """What every daily rollup of scores is kept by: a rubric version, a day (and its week) and a team."""

    day: Mapped[date] = mapped_column(Date)


class DailyRollup(RollupKey, RollupMeasures, Base):
    """Sums of one day's scores under one rubric version, per team, agent and channel (store.rollups).

    Refreshed whenever scores are written; dashboards read these and the rollups summed from them, not scores.
    """

    __tablename__ = "daily_rollups"
    __table_args__ = (Index("ix_daily_rollups_rubric_day", "rubric_version_id", "day"),
                      Index("ix_daily_rollups_rubric_employee_day", "rubric_version_id", "employee_id", "day"),
                      # An agent against their team reads the team's rows, a tenth of a trainer's.
                      Index("ix_daily_rollups_rubric_team_day", "rubric_version_id", "team_id", "day"))

    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    channel: Mapped[str] = mapped_column(String(10))


class DailyScoreBucket(Base):
    """How many of one day's interactions per team scored each whole point of overall (store.rollups).

    Kept for thresholds chosen at read time ("poorly handled: below 50"). Bucket is floor(overall), -1 for an
    auto-fail, so "below X or auto-failed" is bucket < X.
    """

    __tablename__ = "daily_score_buckets"
    __table_args__ = (Index("ix_daily_score_buckets_rubric_day", "rubric_version_id", "day"),
                      # "Below X" over a period: the few low buckets, read from the index alone.
                      Index("ix_daily_score_buckets_rubric_bucket_day", "rubric_version_id", "bucket", "day",
                            "interactions"))

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    day: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    bucket: Mapped[int] = mapped_column(Integer)
    interactions: Mapped[int] = mapped_column(Integer)


class DailyCsat(Base):
    """One day's interactions per team and customer rating (1-5), with their overall scores (store.rollups)."""

    __tablename__ = "daily_csat"
    __table_args__ = (Index("ix_daily_csat_rubric_day", "rubric_version_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    day: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    csat: Mapped[int] = mapped_column(Integer)
    interactions: Mapped[int] = mapped_column(Integer)
    overall_n: Mapped[int] = mapped_column(Integer)
    overall_sum: Mapped[float] = mapped_column(Float)


class EmpathyRuns:
    """Runs of consecutive high-empathy interactions over a stretch of one agent's time (store.rollups).

    In start order, each interaction with an Empathize score either hits (at least the streak score) or misses.
    `head` counts the hits before the first miss, `tail` those after the last miss, `best` the longest run, and
    `misses` the misses, so runs join across stretches without reading scores (store.rollups.join_runs).
    """

    scored: Mapped[int] = mapped_column(Integer)
    head: Mapped[int] = mapped_column(Integer)
    tail: Mapped[int] = mapped_column(Integer)
    best: Mapped[int] = mapped_column(Integer)
    misses: Mapped[int] = mapped_column(Integer)


class DailyEmpathyRun(EmpathyRuns, Base):
    """The runs within one agent's day. Channel NULL: all channels together."""

    __tablename__ = "daily_empathy_runs"
    __table_args__ = (Index("ix_daily_empathy_runs_rubric_day", "rubric_version_id", "day"),
                      # The leaderboard's streaks: one channel's runs (or all channels'), read from the index alone.
                      Index("ix_daily_empathy_runs_rubric_channel_day", "rubric_version_id", "channel", "day",
                            "employee_id", "team_id", "scored", "head", "tail", "best", "misses"))

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    day: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    channel: Mapped[str | None] = mapped_column(String(10))


class DailyTeamRollup(RollupKey, RollupMeasures, Base):
    """DailyRollup summed over the agents of each team (store.rollups): what views of teams and of the
    organisation read, a few rows per team and day instead of a few per agent."""

    __tablename__ = "daily_team_rollups"
    __table_args__ = (Index("ix_daily_team_rollups_rubric_day", "rubric_version_id", "day"),
                      Index("ix_daily_team_rollups_rubric_team_day", "rubric_version_id", "team_id", "day"))

    channel: Mapped[str] = mapped_column(String(10))


LEADERBOARD_SUMS = ("employee_id", "team_id", "overall_n", "overall_sum", "overall_sum_squares", "apologize_n",
                    "owned_apologies", "social_replies", "social_within_target", "first_contact_resolved")


class DailyAgentRollup(RollupKey, RollupMeasures, Base):
    """DailyRollup summed over the channels of each agent's day (store.rollups), with the social channel's
    replies apart for the leaderboard's badge: one row per agent and day."""

    __tablename__ = "daily_agent_rollups"
    __table_args__ = (Index("ix_daily_agent_rollups_rubric_day", "rubric_version_id", "day"),
                      # Holds every column the leaderboard sums, so its periods are read from the index alone.
                      Index("ix_daily_agent_rollups_leaderboard", "rubric_version_id", "day", *LEADERBOARD_SUMS))

    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    social_replies: Mapped[int] = mapped_column(Integer)
    social_within_target: Mapped[int] = mapped_column(Integer)


class WeeklyAgentRollup(WeeklyKey, RollupMeasures, Base):
    """DailyAgentRollup summed over each week (store.rollups): one row per agent and week, which the
    leaderboard reads for the weeks its period holds whole."""

    __tablename__ = "weekly_agent_rollups"
    # As on the daily rows: the leaderboard's sums, read from the index alone.
    __table_args__ = (Index("ix_weekly_agent_rollups_leaderboard", "rubric_version_id", "week", *LEADERBOARD_SUMS),)

    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    social_replies: Mapped[int] = mapped_column(Integer)
    social_within_target: Mapped[int] = mapped_column(Integer)


class WeeklyEmpathyRun(EmpathyRuns, Base):
    """DailyEmpathyRun joined over the days of each week, in day order (store.rollups.join_runs)."""

    __tablename__ = "weekly_empathy_runs"
    __table_args__ = (Index("ix_weekly_empathy_runs_rubric_channel_week", "rubric_version_id", "channel", "week",
                            "employee_id", "team_id", "scored", "head", "tail", "best", "misses"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    week: Mapped[date] = mapped_column(Date)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    channel: Mapped[str | None] = mapped_column(String(10))
