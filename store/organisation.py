"""Organisation trends and business impact: quality over time, response-time compliance, first-contact
resolution, CSAT against the rubric score, and the word-of-mouth figures executives ask about.

Response targets come from the active rubric (social within 1 hour, email within 24 hours in rubric 2026.1).
Impact assumptions live as JSON in app_meta under IMPACT_KEY; their defaults and sources are the fields of
ImpactAssumptions, and every change goes to the audit log.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from scoring.model import CHANNELS
from scoring.result import CRITERIA
from store import audit
from store.models import AppMeta, DailyCsat, DailyScoreBucket, Team
from store.permissions import Scope
from store.queries import CRITERION_LABELS, Period
from store.rollups import mean_of, rolled, rollup_for
from store.rubrics import active_rubric
from store.users import AuthUser

OVERALL = "Overall"
IMPACT_KEY = "impact_assumptions"


def _sums(rollup, *names: str) -> list[ColumnElement[int]]:
    return [func.sum(getattr(rollup, name)) for name in names]


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).astype("float64")


def weekly_quality(session: Session, *, scope: Scope, period: Period) -> pd.DataFrame:
    """Return week, measure and score: the mean overall score ("Overall") and each criterion's, long format."""
    rollup = rollup_for(scope)
    stmt = rolled(session, scope, period, rollup.week, mean_of("overall", rollup),
                  *(mean_of(name, rollup) for name in CRITERIA), table=rollup
                  ).group_by(rollup.week).order_by(rollup.week)
    labels = [OVERALL, *(CRITERION_LABELS[name] for name in CRITERIA)]
    wide = pd.DataFrame(session.execute(stmt).all(), columns=["week", *labels])
    frame = wide.melt(id_vars="week", var_name="measure", value_name="score").dropna(subset=["score"])
    frame["week"] = pd.to_datetime(frame["week"])
    frame["score"] = frame["score"].astype("float64")
    return frame.reset_index(drop=True)


def weekly_by_channel(session: Session, *, scope: Scope, period: Period) -> pd.DataFrame:
    """Return week, channel, interactions, resolved_first, first_contact_resolution, replies (timed replies),
    within_target and compliance (share of timed replies within the channel's target)."""
    rollup = rollup_for(scope)
    stmt = rolled(session, scope, period, rollup.week, rollup.channel, *_sums(
        rollup, "interactions", "first_contact_resolved", "replies", "within_target"), table=rollup
                  ).group_by(rollup.week, rollup.channel).order_by(rollup.week, rollup.channel)
    frame = pd.DataFrame(session.execute(stmt).all(),
                         columns=["week", "channel", "interactions", "resolved_first", "replies", "within_target"])
    frame["week"] = pd.to_datetime(frame["week"])
    frame["first_contact_resolution"] = _share(frame["resolved_first"], frame["interactions"])
    frame["compliance"] = _share(frame["within_target"], frame["replies"])
    return frame[["week", "channel", "interactions", "resolved_first", "first_contact_resolution", "replies",
                  "within_target", "compliance"]]


def channel_compliance(session: Session, *, scope: Scope, period: Period) -> pd.DataFrame:
    """Return every channel with its target, interactions, replies (timed), within_target and compliance."""
    targets = active_rubric(session).rubric.response_targets
    rollup = rollup_for(scope)
    stmt = rolled(session, scope, period, rollup.channel, *_sums(rollup, "interactions", "replies", "within_target"),
                  table=rollup).group_by(rollup.channel)
    counted = pd.DataFrame(session.execute(stmt).all(),
                           columns=["channel", "interactions", "replies", "within_target"]).set_index("channel")
    frame = counted.reindex(list(CHANNELS), fill_value=0).astype("int64").reset_index()
    frame.insert(1, "target_seconds", frame["channel"].map(lambda channel: float(targets[channel])))
    frame.insert(2, "target", frame["target_seconds"].map(target_label))
    frame["compliance"] = _share(frame["within_target"], frame["replies"])
    return frame


def target_label(seconds: float) -> str:
    """Return a response target in words: "1 hour", "24 hours", "2 minutes"."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


def team_comparison(session: Session, *, scope: Scope, period: Period) -> pd.DataFrame:
    """Return team_id, team, interactions, overall, first_contact_resolution, compliance, csat and auto_fail_rate."""
    rollup = rollup_for(scope)
    stmt = rolled(session, scope, period, rollup.team_id, Team.name, func.sum(rollup.interactions),
                  mean_of("overall", rollup), *_sums(rollup, "first_contact_resolved", "replies", "within_target"),
                  mean_of("csat", rollup), func.sum(rollup.auto_fails), table=rollup,
                  ).join(Team, Team.id == rollup.team_id).group_by(rollup.team_id, Team.name).order_by(Team.name)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=[
        "team_id", "team", "interactions", "overall", "resolved_first", "replies", "within_target", "csat", "fails"])
    frame = frame.astype({"overall": "float64", "csat": "float64"})
    frame["first_contact_resolution"] = _share(frame["resolved_first"], frame["interactions"])
    frame["compliance"] = _share(frame["within_target"], frame["replies"])
    frame["auto_fail_rate"] = _share(frame["fails"], frame["interactions"])
    return frame[["team_id", "team", "interactions", "overall", "first_contact_resolution", "compliance", "csat",
                  "auto_fail_rate"]]


def csat_against_score(session: Session, *, scope: Scope, period: Period) -> pd.DataFrame:
    """Return csat (1-5), interactions and mean overall score, for the interactions that have a CSAT."""
    stmt = rolled(session, scope, period, DailyCsat.csat, func.sum(DailyCsat.interactions),
                  mean_of("overall", DailyCsat), table=DailyCsat).group_by(DailyCsat.csat).order_by(DailyCsat.csat)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["csat", "interactions", "overall"])
    return frame.astype({"csat": "int64", "interactions": "int64", "overall": "float64"})


def weekly_summary(quality: pd.DataFrame, by_channel: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Return one row per week: interactions, overall, first_contact_resolution, compliance per channel and days.

    Built from weekly_quality and weekly_by_channel; the week's resolution share is recombined from counts.
    `days` is how many of the week's seven days the period holds: a period rarely starts on a Monday, and a
    week it holds one day of says little (a handful of phone calls can read as 0% within target).
    """
    weekly = by_channel.groupby("week")[["interactions", "resolved_first"]].sum()
    weekly["first_contact_resolution"] = _share(weekly["resolved_first"], weekly["interactions"])
    overall = quality[quality["measure"] == OVERALL].set_index("week")["score"].rename("overall")
    # A week's channel has one row; groupby-first-unstack gives what pivot_table did, in a third of the time.
    compliance = by_channel.groupby(["week", "channel"])["compliance"].first().unstack()
    compliance = compliance.reindex(columns=list(CHANNELS)).add_prefix("compliance_")
    summary = weekly[["interactions"]].join(overall).join(weekly["first_contact_resolution"]).join(compliance)
    summary = summary.reset_index().astype({"interactions": "int64"})
    summary["days"] = [period.days_of_week(monday.date()) for monday in summary["week"]]
    return summary.astype({"days": "int64"})


# -- business impact -----------------------------------------------------------------------------------------


def _assumption(default: float, label: str, source: str, *, low: float, high: float, unit: str,
                whole: bool = False) -> Any:
    return field(default=default, metadata={"label": label, "source": source, "low": low, "high": high, "unit": unit,
                                            "whole": whole})


@dataclass(frozen=True)
class ImpactAssumptions:
    """The figures behind the business-impact estimates; these defaults are the one place they are set."""

    poor_score_below: float = _assumption(
        50.0, "Poorly handled: overall score below", "Rapport's choice; auto-failed interactions always count.",
        low=0, high=100, unit="points", whole=True)  # whole points: the rollups count scores per point
    silent_share: float = _assumption(
        0.8, "Unhappy customers who never complain", "Seed 001: 70–90% of customers never complain.",
        low=0, high=1, unit="share")
    people_told: float = _assumption(
        3.0, "People each of them tells", "Seed 001: they tell an average of 3 people bad things.",
        low=0, high=100, unit="people")
    slow_negative_share: float = _assumption(
        0.38, "Slow social reply: customers who then feel negative",
        "Seed 000: 38% experience negative feelings when a tweet is not answered within an hour.",
        low=0, high=1, unit="share")
    negative_public_share: float = _assumption(
        0.60, "…of those, who say so publicly", "Seed 000: 60% of those voice their displeasure online.",
        low=0, high=1, unit="share")
    fast_buy_share: float = _assumption(
        0.34, "Fast social reply: customers who buy", "Seed 000: 34% make purchases after a quick response.",
        low=0, high=1, unit="share")
    fast_promote_share: float = _assumption(
        0.43, "Fast social reply: customers who promote the company",
        "Seed 000: 43% promote the company to family and friends.", low=0, high=1, unit="share")
    fast_recommend_share: float = _assumption(
        0.42, "Fast social reply: customers who recommend on social media",
        "Seed 000: 42% use social media to recommend the organisation.", low=0, high=1, unit="share")


ASSUMPTION_FIELDS = fields(ImpactAssumptions)


def checked_assumptions(values: dict[str, Any]) -> ImpactAssumptions:
    """Return assumptions from `values` (missing ones at their defaults); raise ValueError naming a bad field."""
    checked: dict[str, float] = {}
    for spec in ASSUMPTION_FIELDS:
        if spec.name not in values:
            continue
        value = values[spec.name]
        low, high = spec.metadata["low"], spec.metadata["high"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"{spec.name}: expected a number from {low:g} to {high:g}, got {value!r}")
        if spec.metadata["whole"] and not float(value).is_integer():
            raise ValueError(f"{spec.name}: expected a whole number from {low:g} to {high:g}, got {value!r}")
        checked[spec.name] = float(value)
    return ImpactAssumptions(**checked)


def impact_assumptions(session: Session) -> ImpactAssumptions:
    """Return the stored assumptions over the defaults (keys no longer known are ignored)."""
    stored = session.scalar(select(AppMeta.value).where(AppMeta.key == IMPACT_KEY))
    known = {spec.name for spec in ASSUMPTION_FIELDS}
    values = {key: value for key, value in json.loads(stored).items() if key in known} if stored else {}
    return checked_assumptions(values)


def save_impact_assumptions(session: Session, *, by: AuthUser, values: dict[str, Any]) -> ImpactAssumptions:
    """Store edited assumptions and audit the change in the same transaction; unchanged values write nothing."""
    before = impact_assumptions(session)
    after = checked_assumptions({**asdict(before), **values})
    if after == before:
        return before
    row = session.get(AppMeta, IMPACT_KEY)
    if row is None:
        session.add(AppMeta(key=IMPACT_KEY, value=json.dumps(asdict(after))))
    else:
        row.value = json.dumps(asdict(after))
    audit.record(session, action="impact_assumptions_changed", user_id=by.id, username=by.username,
                 target=IMPACT_KEY, detail={"before": asdict(before), "after": asdict(after)})
    session.flush()
    return after


@dataclass(frozen=True)
class ImpactCounts:
    interactions: int
    poorly_handled: int  # overall below the threshold, or auto-failed
    social_slow: int  # social first replies slower than the target
    social_fast: int  # social first replies within the target
    social_target_seconds: float


def impact_counts(session: Session, *, scope: Scope, period: Period,
                  assumptions: ImpactAssumptions) -> ImpactCounts:
    """Count what the impact figures multiply, in one SQL pass."""
    target = float(active_rubric(session).rubric.response_targets["social"])
    rollup = rollup_for(scope)
    social = rollup.channel == "social"
    n, replies, fast = session.execute(rolled(
        session, scope, period, func.sum(rollup.interactions),
        func.sum(case((social, rollup.replies), else_=0)),
        func.sum(case((social, rollup.within_target), else_=0)), table=rollup,
    )).one()
    poor = session.scalar(rolled(session, scope, period, func.sum(DailyScoreBucket.interactions),
                                 table=DailyScoreBucket)
                          # A whole number (checked_assumptions), compared as one so the index on buckets serves.
                          .where(DailyScoreBucket.bucket < int(assumptions.poor_score_below)))
    return ImpactCounts(int(n or 0), int(poor or 0), int((replies or 0) - (fast or 0)), int(fast or 0), target)


@dataclass(frozen=True)
class ImpactFigure:
    key: str
    title: str
    value: float
    unit: str
    formula: str  # the calculation with the numbers plugged in


def _percent(share: float) -> str:
    return f"{round(share * 100, 1):g}%"


def impact_figures(counts: ImpactCounts, assumptions: ImpactAssumptions) -> tuple[ImpactFigure, ...]:
    """Return the word-of-mouth estimates, each with its formula written out."""
    a = assumptions
    target = target_label(counts.social_target_seconds)
    reach = counts.poorly_handled * a.silent_share * a.people_told
    public = counts.social_slow * a.slow_negative_share * a.negative_public_share
    fast = f"{counts.social_fast:,} social replies within {target}"
    figures = [
        ImpactFigure(
            "negative_reach", "Reach of negative word of mouth", reach, "people",
            f"{counts.poorly_handled:,} poorly handled interactions (overall below {a.poor_score_below:g} or "
            f"auto-failed) × {_percent(a.silent_share)} who never complain × {a.people_told:g} people told each "
            f"= {reach:,.0f} people"),
        ImpactFigure(
            "public_complaints", "Public complaints after slow social replies", public, "customers",
            f"{counts.social_slow:,} social replies slower than {target} × {_percent(a.slow_negative_share)} "
            f"who then feel negative × {_percent(a.negative_public_share)} of those who say so publicly "
            f"= {public:,.0f} customers"),
    ]
    for key, title, share, verb in (
        ("fast_buyers", "Purchases after fast social replies", a.fast_buy_share, "who buy"),
        ("fast_promoters", "Promoters after fast social replies", a.fast_promote_share, "who promote the company"),
        ("fast_recommenders", "Recommendations after fast social replies", a.fast_recommend_share,
         "who recommend it on social media"),
    ):
        value = counts.social_fast * share
        figures.append(ImpactFigure(key, title, value, "customers",
                                    f"{fast} × {_percent(share)} {verb} = {value:,.0f} customers"))
    return tuple(figures)
