"""Rapport at scale on this machine (issue 7): every figure beside its target, printed and in JSON.

    .venv/bin/python bench/scale.py [--interactions N | --quick] [--workers W] [--repeat R] [--cache DIR]
                                    [--database-url URL [--fresh | --reuse]] [--json FILE] [--skip-browser]

1. Data: N interactions (default a million) from the demo generator, seed_data.demo, in slices of at most
   SLICE. Each slice is a year of one site of the company: five teams of its own like the demo's, with 40
   agents (about one agent per 5,000 interactions a year), customers and ids, in the generator's phrases.
2. Scoring throughput on a sample of the first slice: Rapport's scorer in this process against VADER polarity
   of every turn of the same interactions (CPU time, best of R interleaved passes after a warm-up), and
   scoring as an import does (scoring.parallel) in W processes against one (wall time, same passes).
3. Import: every slice imported, scored (in W processes) and stored by store.ingest.ingest_interactions in
   time order, a transaction per IMPORT_BATCH; then one interaction in a hundred reviewed through
   store.review, as trainers would (timed, no target).
4. Queries: every store query a page runs when it opens, called directly without Streamlit's cache, for each
   scope that opens the page: admins and executives (everything), the demo trainer (two teams), the demo agent
   (themself); median of R runs, each in a session of its own, after freezing what this process has loaded out
   of the garbage collector's full collections, as the server does once loaded (ui.data.settle_heap). Peer:
   DuckDB in this process over copies of the same interactions and scores, running the same aggregates in SQL.
   The board pack's workbook is timed as a click on its download builds it: from the pack the page shows.
5. Browser: `streamlit run app.py` over the bench database; Chromium signs in as each demo account and opens
   every page in its menu, once per scope, so that every view is a first, uncached one. Time from the click to
   the page settled: its heading shown, the script not running, no stale element, every visible chart drawn.
   The server's resident memory (with any children) is sampled throughout.

The database is a new SQLite file in a temporary folder unless --database-url names an empty database (e.g.
after `createdb -h 127.0.0.1 -U postgres rapport_bench`); --fresh empties it first (PostgreSQL: drops and
recreates the public schema, as the store tests do); --reuse runs stages 4 and 5 on a database an earlier run
loaded, after migrating it and rebuilding its rollups if the code has moved on. The targets are issue 7's at a million interactions; at
another N the import time is projected linearly to a million.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import pickle
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from inspect import getsource
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import Engine, func, insert, inspect, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from scoring import native  # noqa: E402
from scoring.model import CHANNELS, Interaction  # noqa: E402
from scoring.parallel import ScoringPool  # noqa: E402
from scoring.result import CRITERIA  # noqa: E402
from scoring.rubric import load_rubric  # noqa: E402
from scoring.scorer import Scorer  # noqa: E402
import seed_data.demo  # noqa: E402
from seed_data.demo import DemoAccount, generate_demo  # noqa: E402
from store import (  # noqa: E402
    board_pack,
    calibration,
    leaderboard,
    organisation,
    profiles,
    queries,
    review,
    rollups,
    rubric_editing,
)
from store.bootstrap import prepare_database  # noqa: E402
from store.db import make_engine, make_session_factory  # noqa: E402
from store.demo import DEMO_FLAG, DEMO_PASSWORD  # noqa: E402
from store.ingest import ingest_interactions, stored_form  # noqa: E402
from store.models import (  # noqa: E402
    AppMeta,
    Customer,
    Employee,
    Interaction as InteractionRow,
    RubricVersion,
    Score,
    Team,
    Turn,
)
from store.permissions import Scope, scope_for  # noqa: E402
from store.queries import Period  # noqa: E402
from store.rubrics import active_rubric  # noqa: E402
from store.users import AuthUser, create_user, sign_in  # noqa: E402
from ui.controls import recent  # noqa: E402
from ui.registry import pages_for  # noqa: E402

SLICE = 200_000  # interactions per site: a year of 40 agents
SEED = 2026
END = date(2026, 12, 1)  # the generated year ends the day before
QUICK = {"interactions": 2_000, "sample": 300, "repeat": 3}
FULL_SAMPLE = 2_000
IMPORT_BATCH = 20_000  # interactions a transaction
REVIEW_EVERY = 100
TARGETS = {"vader_ratio": 2.0, "import_seconds_1m": 600.0, "query_ms": 250.0, "duckdb_ratio": 5.0,
           "settle_seconds": 2.5, "rss_mb": 600.0}
EVERYTHING, TRAINER, AGENT = "admin/exec", "trainer", "agent"
SCOPE_OF_ROLE = {"admin": EVERYTHING, "executive": EVERYTHING, "trainer": TRAINER, "agent": AGENT}
ACCOUNTS = (("exec", "executive"), ("admin", "admin"), ("trainer", "trainer"), ("newhire", "agent"))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SETTLE_TIMEOUT_MS = 300_000
REVIEW_COMMENTS = ("Promised a fix but gave no time for it.", "Solved it, yet never said sorry for the wait.",
                   "Good ownership; the machine missed the perk.", "Passed the customer on without a note.")


def log(message: str) -> None:
    """Print progress to stderr, so a long run in the background shows where it is."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- 1. data -------------------------------------------------------------------------------------------


def slice_sizes(total: int) -> list[int]:
    """Split `total` into the fewest near-equal slices of at most SLICE."""
    count = math.ceil(total / SLICE)
    return [total // count + (1 if k < total % count else 0) for k in range(count)]


@dataclass(frozen=True)
class Agent:
    """An agent of a site, as the employees table holds them."""

    name: str
    team: str
    hire_date: date
    is_new_hire: bool


@dataclass
class Site:
    """One generated slice with teams, agents, customer and interaction ids of its own (the first site keeps
    the demo's team names, so the demo accounts coach and are who the demo says)."""

    number: int
    teams: list[str]
    agents: list[Agent]
    accounts: list[DemoAccount]  # the demo accounts, with the first site only
    customers: int
    interactions: list[Interaction]


def generate_site(number: int, size: int) -> Site:
    """Generate one site's year (in a worker process: everything here pickles)."""
    org = generate_demo(seed=SEED + number, interactions=size, end=END)
    teams = {team.name: team.name if number == 0 else f"{team.name}, site {number + 1}" for team in org.teams}
    interactions = [replace(i, id=f"I-{number + 1}{i.id.removeprefix('demo-')}", team=teams[i.team],
                            customer_id=f"C-{number + 1}{i.customer_id.removeprefix('C-')}")
                    for i in org.interactions]
    accounts = [replace(account, teams=tuple(teams[team] for team in account.teams))
                for account in org.accounts if number == 0]
    return Site(number=number, teams=list(teams.values()),
                agents=[Agent(e.name, teams[e.team], e.hire_date, e.is_new_hire) for e in org.employees],
                accounts=accounts, customers=len(org.customers), interactions=interactions)


def generate_sites(total: int, processes: int, folder: Path) -> tuple[list[Path], bool]:
    """Generate every site into a pickle file in `folder`, in parallel processes before anything is timed;
    return the files and whether they were there already (from an earlier run with the same N and code).

    The files are named by N and a digest of the generating code, so that nothing generated by other code is
    reused.
    """
    code = (Path(seed_data.demo.__file__).read_text(), getsource(generate_site), getsource(Site), SEED, END,
            SLICE)
    digest = hashlib.sha256(repr(code).encode()).hexdigest()[:12]
    sizes = slice_sizes(total)
    paths = [folder / f"scale-{total}-{digest}-site-{number + 1}.pickle" for number in range(len(sizes))]
    reused = all(path.exists() for path in paths)
    if not reused:
        with ProcessPoolExecutor(min(processes, len(sizes))) as pool:
            list(pool.map(write_site, range(len(sizes)), sizes, paths))
    return paths, reused


def write_site(number: int, size: int, path: Path) -> None:
    """Generate one site and write it to `path` (in a worker process)."""
    path.write_bytes(pickle.dumps(generate_site(number, size), protocol=pickle.HIGHEST_PROTOCOL))


def read_site(path: Path, taken: set[str]) -> Site:
    """Read a generated site, renaming agents whose names an earlier site took."""
    site = pickle.loads(path.read_bytes())
    rename_agents(site, taken)
    return site


def rename_agents(site: Site, taken: set[str]) -> None:
    """Give the site's agents whose names another site took a middle initial, everywhere they appear."""
    names = {agent.name: unique_name(agent.name, site.number, taken) for agent in site.agents}
    taken.update(names.values())
    renamed = {name: new for name, new in names.items() if new != name}
    if renamed:
        site.agents = [replace(agent, name=names[agent.name]) for agent in site.agents]
        site.accounts = [replace(account, employee=renamed.get(account.employee, account.employee))
                         for account in site.accounts]
        site.interactions = [replace(i, agent=renamed[i.agent]) if i.agent in renamed else i
                             for i in site.interactions]


def unique_name(name: str, number: int, taken: set[str]) -> str:
    """Return the name, or with a middle initial when another site already has an agent of that name."""
    first, _, last = name.partition(" ")
    candidates = [name, *(f"{first} {chr(65 + (number + n) % 26)}. {last}" for n in range(26))]
    return next(candidate for candidate in candidates if candidate not in taken)


def add_people(session: Session, site: Site) -> None:
    """Create the site's teams and agents; with the first site, the demo accounts."""
    team_ids = {team: session.scalar(insert(Team).values(name=team).returning(Team.id))
                for team in site.teams}
    employee_ids = {agent.name: session.scalar(insert(Employee).values(
        name=agent.name, team_id=team_ids[agent.team], hire_date=agent.hire_date,
        is_new_hire=agent.is_new_hire, active=True).returning(Employee.id)) for agent in site.agents}
    for account in site.accounts:
        create_user(session, username=account.username, password=DEMO_PASSWORD, role=account.role,
                    display_name=account.employee or account.username.title(),
                    employee_id=employee_ids.get(account.employee),
                    team_ids=tuple(team_ids[name] for name in account.teams))
    if site.accounts:
        session.add(AppMeta(key=DEMO_FLAG, value="1"))


# -- 2. scoring throughput -----------------------------------------------------------------------------

def _clocked(run: Callable[[], object]) -> tuple[float, float]:
    """Return (CPU seconds of this process, wall seconds) of one run."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.process_time() - cpu, time.perf_counter() - wall


def scoring_throughput(sample: Sequence[Interaction], workers: int, repeat: int) -> dict:
    """Return interactions per second: Rapport's scorer and VADER in this process (CPU time), and scoring as
    a bulk import does (scoring.parallel's pool, results in their stored form) in `workers` processes and in
    this one (wall time); best of `repeat` interleaved passes after a warm-up."""
    scorer, vader = Scorer(load_rubric()), SentimentIntensityAnalyzer()
    texts = [turn.text for interaction in sample for turn in interaction.turns]
    best = dict.fromkeys(("rapport", "vader", "one_process", "workers"), math.inf)
    with (ScoringPool([scorer], convert=stored_form) as one_process,
          ScoringPool([scorer], workers=workers, convert=stored_form) as pool):
        passes = {"rapport": lambda: [scorer.score(interaction) for interaction in sample],
                  "vader": lambda: [vader.polarity_scores(text) for text in texts],
                  "one_process": lambda: one_process.submit(sample)(),
                  "workers": lambda: pool.submit(sample)()}
        for run in passes.values():
            run()
        for _ in range(repeat):
            for name, run in passes.items():
                cpu, wall = _clocked(run)
                best[name] = min(best[name], cpu if name in ("rapport", "vader") else wall)
    rates = {name: len(sample) / seconds for name, seconds in best.items()}
    ratio = rates["rapport"] / rates["vader"]
    return {"sample": len(sample), "turns": len(texts), "workers": workers, "compiled": native.compiled(),
            "rapport_per_s": rates["rapport"], "vader_per_s": rates["vader"], "ratio": ratio,
            "within": ratio >= TARGETS["vader_ratio"],
            "one_process_wall_per_s": rates["one_process"], "workers_per_s": rates["workers"],
            "speedup": rates["workers"] / rates["one_process"]}


# -- 3. import -----------------------------------------------------------------------------------------


SITE_COUNTS = {"teams": lambda site: len(site.teams), "agents": lambda site: len(site.agents),
               "customers": lambda site: site.customers,
               "turns": lambda site: sum(len(interaction.turns) for interaction in site.interactions)}


def load(factory: sessionmaker[Session], args: argparse.Namespace, folder: Path) -> dict:
    """Generate every site, measure scoring throughput on a sample of the first, import them one at a time and
    review a sample; return the data, scoring and import figures."""
    started = time.perf_counter()
    paths, reused = generate_sites(args.interactions, args.workers, args.cache or folder)
    data = {"interactions": args.interactions, "sites": len(paths), "from_cache": reused,
            "generate_seconds": time.perf_counter() - started, **dict.fromkeys(SITE_COUNTS, 0)}
    log(f"{args.interactions:,} interactions {'found in the cache' if reused else 'generated'} in "
        f"{data['generate_seconds']:.0f} s")
    taken: set[str] = set()
    scoring, imported = None, 0.0
    for path in paths:
        site = read_site(path, taken)
        if scoring is None:
            sample = site.interactions[::max(1, len(site.interactions) // args.sample)][:args.sample]
            scoring = scoring_throughput(sample, args.workers, args.repeat)
            log(f"scoring throughput measured on {scoring['sample']:,} interactions")
        imported += import_site(factory, site, args.workers)
        log(f"site {site.number + 1}: imported, scored and stored ({imported:.0f} s so far)")
        for key, count in SITE_COUNTS.items():
            data[key] += count(site)
    reviews, review_seconds = review_sample(factory)
    log(f"{reviews:,} interactions reviewed in {review_seconds:.0f} s")
    projected = imported * 1_000_000 / args.interactions
    return {"data": data, "scoring": scoring, "import": {
        "interactions": args.interactions, "workers": args.workers, "seconds": imported,
        "per_s": args.interactions / imported, "projected_1m_seconds": projected,
        "within": projected <= TARGETS["import_seconds_1m"], "reviews": reviews,
        "review_seconds": review_seconds}}


def stored_counts(factory: sessionmaker[Session]) -> dict:
    """Return the data figures of a database a previous run loaded (--reuse)."""
    with factory() as session:
        counts = {name: session.scalar(select(func.count()).select_from(table)) for name, table in
                  (("interactions", InteractionRow), ("agents", Employee), ("teams", Team),
                   ("customers", Customer), ("turns", Turn))}
    return {**counts, "reused": True}


def import_site(factory: sessionmaker[Session], site: Site, workers: int) -> float:
    """Create the site's people, then import its interactions a transaction per IMPORT_BATCH, in time order as
    an import job would; return the seconds the import took."""
    with factory.begin() as session:
        add_people(session, site)
    started = time.perf_counter()
    for start in range(0, len(site.interactions), IMPORT_BATCH):
        with factory.begin() as session:
            ingest_interactions(session, interactions=site.interactions[start:start + IMPORT_BATCH],
                                workers=workers)
    return time.perf_counter() - started


def review_sample(factory: sessionmaker[Session]) -> tuple[int, float]:
    """Review one interaction in REVIEW_EVERY as the demo admin, alternately confirming the scores and
    overriding Fix; return how many and the seconds taken."""
    rng = random.Random(SEED)
    started = time.perf_counter()
    with factory.begin() as session:
        admin = sign_in(session, username="admin", password=DEMO_PASSWORD).user
        picked = Score.interaction_id % REVIEW_EVERY == 0
        rows = session.execute(select(Score.interaction_id, Score.fix).where(picked)
                               .order_by(Score.interaction_id)).all()
        for n, (interaction_id, fix) in enumerate(rows):
            if fix is None or n % 2:
                review.confirm_review(session, by=admin, interaction_id=interaction_id, seen_version=0)
            else:
                human = round(min(100.0, max(0.0, fix + rng.gauss(0, 15))))
                review.override_criterion(session, by=admin, interaction_id=interaction_id, seen_version=0,
                                          criterion="fix", human_score=human,
                                          comment=rng.choice(REVIEW_COMMENTS))
    return len(rows), time.perf_counter() - started


# -- 4. queries, and the DuckDB peer -----------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Who asks, and about what: the demo accounts, and the people, interaction and customer they open."""

    users: dict[str, AuthUser]  # by scope key
    available: dict[str, Period]  # each scope's data range
    agent: int  # the demo agent's employee id
    busiest: int  # the busiest agent in the trainer's teams: whose profile admins and trainers open
    team_of: dict[int, int]  # the team of each of those two
    interaction: int  # one of the demo agent's interactions
    customer: int  # one of the demo agent's customers (row id) ...
    customer_key: str  # ... and their customer id, as a trainer would type it
    rubric_id: int
    targets: dict[str, float]
    owned_apology: float
    assumptions: organisation.ImpactAssumptions

    def scope(self, who: str) -> Scope:
        return scope_for(self.users[who])

    def period(self, who: str, days: int) -> Period:
        """Return the period a page picks by default: the last `days` days of the scope's data."""
        return recent(self.available[who], days)

    def person(self, who: str) -> int:
        return self.agent if who == AGENT else self.busiest


def context(factory: sessionmaker[Session]) -> Context:
    """Sign the demo accounts in, and pick the agent, interaction and customer the pages open."""
    with factory.begin() as session:
        users = {SCOPE_OF_ROLE[role]: sign_in(session, username=name, password=DEMO_PASSWORD).user
                 for name, role in ACCOUNTS if name != "exec"}
    with factory() as session:
        agent = users[AGENT].employee_id
        busiest = session.scalar(
            select(InteractionRow.employee_id).where(InteractionRow.team_id.in_(users[TRAINER].team_ids))
            .group_by(InteractionRow.employee_id).order_by(func.count().desc()).limit(1))
        customer, customer_key = session.execute(
            select(Customer.id, Customer.external_id)
            .join(InteractionRow, InteractionRow.customer_id == Customer.id)
            .where(InteractionRow.employee_id == agent).order_by(InteractionRow.id).limit(1)).one()
        rubric = active_rubric(session)
        return Context(
            users=users,
            available={who: queries.data_range(session, scope=scope_for(user))
                       for who, user in users.items()},
            agent=agent, busiest=busiest,
            team_of=dict(session.execute(select(Employee.id, Employee.team_id)
                                         .where(Employee.id.in_((agent, busiest)))).all()),
            interaction=session.scalar(select(InteractionRow.id).where(InteractionRow.employee_id == agent)
                                       .order_by(InteractionRow.id).limit(1)),
            customer=customer, customer_key=customer_key, rubric_id=rubric.id,
            targets={channel: float(rubric.rubric.response_targets[channel]) for channel in CHANNELS},
            owned_apology=rollups.owned_apology_score(rubric.rubric),
            assumptions=organisation.impact_assumptions(session),
        )


class DuckSQL:
    """The dashboards' aggregates as DuckDB SQL over copies of the interactions and scores tables.

    Each method returns the statements one store call's figures need (most need one).
    """

    FIRST_CONTACT = "i.resolved IS TRUE AND s.transfer IS FALSE"
    SHARE = "avg(CASE WHEN {} THEN 1.0 ELSE 0.0 END)"
    BY_TEAM = "JOIN teams t ON t.id = i.team_id"

    def __init__(self, ctx: Context):
        self.ctx = ctx
        target = " ".join(f"WHEN '{channel}' THEN {seconds}" for channel, seconds in ctx.targets.items())
        self.within = f"s.first_response_seconds <= CASE i.channel {target} END"

    def scored(self, who: str, period: Period | None, columns: str, *, joins: str = "",
               where: Sequence[str] = (), tail: str = "") -> str:
        """Return a SELECT over interactions joined to their active-rubric score, in scope and period."""
        conditions = [scope_sql(self.ctx.scope(who)), *where]
        if period is not None:
            conditions += [f"i.started_at >= TIMESTAMP '{period.start}'",
                           f"i.started_at < TIMESTAMP '{period.end + timedelta(days=1)}'"]
        return (f"SELECT {columns} FROM interactions i JOIN scores s ON s.interaction_id = i.id "
                f"AND s.rubric_version_id = {self.ctx.rubric_id} {joins} "
                f"WHERE {' AND '.join(conditions)} {tail}")

    def data_range(self, who: str) -> list[str]:
        return [self.scored(who, None, "min(i.started_at), max(i.started_at)")]

    def headline(self, who: str, period: Period) -> list[str]:
        shares = ", ".join(self.SHARE.format(condition) for condition in ("s.auto_fail", "s.transfer"))
        return [self.scored(who, period, f"count(*), avg(s.overall), {shares}, avg(i.csat), "
                                         f"{self.SHARE.format(self.FIRST_CONTACT)}")]

    def weekly_by_team(self, who: str, period: Period, measure: str = "avg(s.overall)") -> list[str]:
        return [self.scored(who, period, f"i.started_week, t.name, count(*), {measure}", joins=self.BY_TEAM,
                            tail="GROUP BY 1, 2 ORDER BY 1, 2")]

    def weekly_criteria(self, who: str, period: Period, *, overall: bool = False) -> list[str]:
        means = ", ".join(f"avg(s.{name})" for name in (("overall",) if overall else ()) + CRITERIA)
        return [self.scored(who, period, f"i.started_week, {means}", tail="GROUP BY 1 ORDER BY 1")]

    def agent_summary(self, who: str, period: Period) -> list[str]:
        return [self.scored(who, period, f"count(*), avg(s.overall), {self.SHARE.format('s.auto_fail')}, "
                                         "coalesce(sum(CASE WHEN i.review_version > 0 THEN 1 ELSE 0 END), 0)",
                            where=[f"i.employee_id = {self.ctx.person(who)}"])]

    def against_team(self, who: str, period: Period, *, weekly: bool) -> list[str]:
        person = self.ctx.person(who)
        groups = (f"i.employee_id = {person}", f"i.team_id = {self.ctx.team_of[person]}")
        means = ", ".join(f"avg(CASE WHEN {group} THEN s.{name} END)"
                          for group in groups for name in CRITERIA)
        if weekly:
            return [self.scored(who, period, f"i.started_week, {means}", where=[f"({' OR '.join(groups)})"],
                                tail="GROUP BY 1 ORDER BY 1")]
        return [self.scored(who, period, means, where=[f"({' OR '.join(groups)})"])]

    def histogram(self, who: str, period: Period) -> list[str]:
        return [self.scored(who, period, "least(floor(s.overall / 10) * 10, 90), count(*)",
                            where=[f"i.employee_id = {self.ctx.person(who)}", "s.overall IS NOT NULL"],
                            tail="GROUP BY 1")]

    def response_times(self, who: str, period: Period, *, agent: bool) -> list[str]:
        first = "s.first_response_seconds"
        within = f"CASE WHEN {first} IS NULL THEN NULL WHEN {self.within} THEN 1.0 ELSE 0.0 END"
        return [self.scored(who, period, f"i.channel, count(*), count({first}), avg({first}), avg({within})",
                            where=[f"i.employee_id = {self.ctx.person(who)}"] if agent else [],
                            tail="GROUP BY 1 ORDER BY 1")]

    def heatmap(self, who: str, period: Period) -> list[str]:
        means = ", ".join(f"avg(s.{name})" for name in CRITERIA)
        joins = "JOIN employees e ON e.id = i.employee_id LEFT JOIN teams t ON t.id = e.team_id"
        return [self.scored(who, period, f"i.employee_id, e.name, t.name, count(*), {means}", joins=joins,
                            tail="GROUP BY 1, 2, 3")]

    def channel_mix(self, who: str, period: Period) -> list[str]:
        return [self.scored(who, period, "i.started_week, i.channel, count(*)",
                            tail="GROUP BY 1, 2 ORDER BY 1, 2")]

    def leaderboard(self, who: str, period: Period) -> list[str]:
        """The agents' figures for the period and the one before, and the longest empathy streaks."""
        ranked = ["i.employee_id IS NOT NULL", "s.overall IS NOT NULL"]
        social = "i.channel = 'social'"
        stats = (f"i.employee_id, i.team_id, count(*), avg(s.overall), sum(s.overall * s.overall), "
                 f"count(s.apologize), count_if(s.apologize >= {self.ctx.owned_apology}), "
                 f"count_if({social} AND s.first_response_seconds IS NOT NULL), "
                 f"count_if({social} AND {self.within}), count_if({self.FIRST_CONTACT})")
        named = ("SELECT a.*, e.name, t.name FROM ({}) a JOIN employees e ON e.id = a.employee_id "
                 "LEFT JOIN teams t ON t.id = a.team_id")
        hit = f"s.empathize >= {rollups.EMPATHY_STREAK_SCORE}"
        # Consecutive hits have seen the same number of misses so far: that count names their run.
        island = (f"sum(CASE WHEN {hit} THEN 0 ELSE 1 END) OVER (PARTITION BY i.employee_id, i.team_id "
                  "ORDER BY i.started_at, i.id)")
        columns = f"i.employee_id, i.team_id, CASE WHEN {hit} THEN 1 ELSE 0 END AS hit, {island} AS island"
        marked = self.scored(who, period, columns, where=[*ranked, "s.empathize IS NOT NULL"])
        streaks = (f"SELECT employee_id, team_id, max(run) FROM (SELECT employee_id, team_id, island, "
                   f"count(*) AS run FROM ({marked}) WHERE hit = 1 GROUP BY 1, 2, 3) GROUP BY 1, 2")
        return [named.format(self.scored(who, p, stats, where=ranked, tail="GROUP BY 1, 2"))
                for p in (period, period.previous())] + [streaks]

    def weekly_by_channel(self, who: str, period: Period) -> list[str]:
        return [self.scored(who, period, f"i.started_week, i.channel, count(*), "
                                         f"count_if({self.FIRST_CONTACT}), count(s.first_response_seconds), "
                                         f"count_if({self.within})",
                            tail="GROUP BY 1, 2 ORDER BY 1, 2")]

    def channel_compliance(self, who: str, period: Period) -> list[str]:
        return [self.scored(who, period, f"i.channel, count(*), count(s.first_response_seconds), "
                                         f"count_if({self.within})", tail="GROUP BY 1")]

    def team_comparison(self, who: str, period: Period) -> list[str]:
        return [self.scored(who, period, f"i.team_id, t.name, count(*), avg(s.overall), "
                                         f"count_if({self.FIRST_CONTACT}), count(s.first_response_seconds), "
                                         f"count_if({self.within}), avg(i.csat), count_if(s.auto_fail)",
                            joins=self.BY_TEAM, tail="GROUP BY 1, 2 ORDER BY 2")]

    def csat(self, who: str, period: Period) -> list[str]:
        return [self.scored(who, period, "i.csat, count(*), avg(s.overall)", where=["i.csat IS NOT NULL"],
                            tail="GROUP BY 1 ORDER BY 1")]

    def impact(self, who: str, period: Period) -> list[str]:
        social, target = "i.channel = 'social' AND s.first_response_seconds", self.ctx.targets["social"]
        poor = f"s.overall < {self.ctx.assumptions.poor_score_below} OR s.auto_fail"
        return [self.scored(who, period, f"count(*), count_if({poor}), count_if({social} > {target}), "
                                         f"count_if({social} <= {target})")]

    def board_pack(self, who: str, period: Period) -> list[str]:
        return [*self.headline(who, period), *self.headline(who, period.previous()),
                *self.leaderboard(who, period), *self.weekly_criteria(who, period, overall=True),
                *self.weekly_by_channel(who, period), *self.channel_compliance(who, period),
                *self.team_comparison(who, period), *self.impact(who, period)]

    def versions(self) -> list[str]:
        return [("SELECT v.id, v.version, count(s.interaction_id) FROM rubric_versions v "
                 "LEFT JOIN scores s ON s.rubric_version_id = v.id GROUP BY 1, 2")]

    def weekly_by_version(self, who: str) -> list[str]:
        return [("SELECT i.started_week, v.version, count(*), avg(s.overall) FROM interactions i "
                 "JOIN scores s ON s.interaction_id = i.id "
                 "JOIN rubric_versions v ON v.id = s.rubric_version_id "
                 f"WHERE {scope_sql(self.ctx.scope(who))} AND i.started_week IS NOT NULL "
                 "GROUP BY 1, 2 ORDER BY 1, 2")]


def scope_sql(scope: Scope) -> str:
    """Return the scope's condition on interactions `i` in SQL."""
    if scope.everything:
        return "TRUE"
    if scope.employee_id is not None:
        return f"i.employee_id = {scope.employee_id}"
    if scope.team_ids:
        return f"i.team_id IN ({', '.join(str(team) for team in scope.team_ids)})"
    return "FALSE"


@dataclass(frozen=True)
class Check:
    """A query a page runs on opening (or the work of a click on a download): the store call, and the same
    aggregate in DuckDB SQL if it is one."""

    pages: str
    name: str
    scopes: tuple[str, ...]  # the scopes whose pages run it
    rapport: Callable[[Session, str], object]
    duckdb: Callable[[str], list[str]] | None = None


# Which scopes open a page: everyone; admins, executives and trainers; admins and executives.
ALL, STAFF, EXECUTIVES = (EVERYTHING, TRAINER, AGENT), (EVERYTHING, TRAINER), (EVERYTHING,)


def checks(ctx: Context, duck: DuckSQL) -> list[Check]:
    """Return every query the pages run on opening, over the period each page picks by default (180 days,
    91 on the agent profile and team trends, 28 in the review queue)."""

    def period(who: str, days: int, previous: bool) -> Period:
        chosen = ctx.period(who, days)
        return chosen.previous() if previous else chosen

    def call(function, days: int | None = None, *, previous: bool = False, person: bool = False, **arguments):
        """Return a call of a store function for a scope, with the page's period and person as it needs."""
        def run(session: Session, who: str) -> object:
            extra = dict(arguments)
            if days is not None:
                extra["period"] = period(who, days, previous)
            if person:
                extra["employee_id"] = ctx.person(who)
            return function(session, scope=ctx.scope(who), **extra)
        return run

    def peer(method, days: int | None = None, *, previous: bool = False, **arguments):
        """Return the DuckDB statements of the same aggregate for a scope."""
        if days is None:
            return lambda who: method(who, **arguments)
        return lambda who: method(who, period(who, days, previous), **arguments)

    def queue(mode: str, **filters) -> Callable[[Session, str], object]:
        return lambda session, who: review.review_queue(
            session, scope=ctx.scope(who), sampling=review.Sampling(mode=mode),
            filters=review.QueueFilters(period=ctx.period(who, 28), **filters))

    def board(session: Session, who: str) -> board_pack.BoardPack:
        return board_pack.gather_board_pack(make_session_factory(session.get_bind()), scope=ctx.scope(who),
                                            period=ctx.period(who, 180),
                                            generated_at=datetime.now(timezone.utc))

    shown: dict[str, board_pack.BoardPack] = {}

    def workbook(session: Session, who: str) -> bytes:
        """Build the workbook as a click on the page's download does: from the pack the page already shows (the
        download's data is a callable holding it), reading nothing. The first run reads the pack, as opening the
        page did; the median of the runs is the build's."""
        if who not in shown:
            shown[who] = board(session, who)
        return board_pack.build_workbook(shown[who])

    transfer_share = DuckSQL.SHARE.format("s.transfer")
    return [
        Check("overview, profile, trends, …", "data range", ALL, call(queries.data_range),
              peer(duck.data_range)),
        Check("overview, organisation", "headline, 180 days", ALL, call(queries.headline, 180),
              peer(duck.headline, 180)),
        Check("overview, organisation", "headline, previous 180 days", ALL,
              call(queries.headline, 180, previous=True), peer(duck.headline, 180, previous=True)),
        Check("overview, organisation", "quality by team, 180 days", ALL,
              call(queries.weekly_quality_by_team, 180), peer(duck.weekly_by_team, 180)),
        Check("overview", "quality by criterion, 180 days", ALL,
              call(queries.weekly_quality_by_criterion, 180), peer(duck.weekly_criteria, 180)),
        Check("queue, trends, leaderboard, exports", "teams in scope", STAFF, call(profiles.teams_in_scope)),
        Check("queue, profile, exports", "agents in scope", STAFF, call(profiles.agents_in_scope)),
        Check("review queue", "lowest, 28 days", STAFF, queue("lowest")),
        Check("review queue", "fair sample, 28 days", STAFF, queue("fair")),
        Check("review queue", "critical, 28 days", STAFF, queue("critical")),
        Check("review queue", "fix < 50, not reviewed, 28 days", STAFF,
              queue("lowest", criterion="fix", below=50, unreviewed_only=True)),
        Check("interaction", "one interaction", ALL,
              call(review.interaction_detail, interaction_id=ctx.interaction)),
        Check("agent profile", "summary, 91 days", ALL, call(profiles.agent_summary, 91, person=True),
              peer(duck.agent_summary, 91)),
        Check("agent profile", "weekly against team, 91 days", ALL,
              call(profiles.weekly_criteria_against_team, 91, person=True),
              peer(duck.against_team, 91, weekly=True)),
        Check("agent profile", "strengths against team, 91 days", ALL,
              call(profiles.criteria_against_team, 91, person=True),
              peer(duck.against_team, 91, weekly=False)),
        Check("agent profile", "score spread, 91 days", ALL,
              call(profiles.score_distribution, 91, person=True), peer(duck.histogram, 91)),
        Check("agent profile", "response times, 91 days", ALL,
              call(profiles.response_compliance, 91, person=True), peer(duck.response_times, 91, agent=True)),
        Check("agent profile", "recent interactions", ALL, call(profiles.recent_interactions, person=True)),
        Check("agent profile", "reviews", ALL, call(profiles.agent_reviews, person=True)),
        Check("agent profile", "coaching notes", ALL, call(review.coaching_notes, person=True)),
        Check("agent profile", "practice assigned", ALL, call(review.practice_assignments, person=True)),
        Check("agent profile", "practice done", ALL, call(profiles.practice_sessions, person=True)),
        Check("team trends", "heatmap, 91 days", STAFF, call(profiles.criterion_heatmap, 91),
              peer(duck.heatmap, 91)),
        Check("team trends", "quality by criterion, 91 days", STAFF,
              call(queries.weekly_quality_by_criterion, 91), peer(duck.weekly_criteria, 91)),
        Check("team trends", "channel mix, 91 days", STAFF, call(profiles.weekly_channel_mix, 91),
              peer(duck.channel_mix, 91)),
        Check("team trends", "passed on, 91 days", STAFF, call(profiles.weekly_transfer_rate, 91),
              peer(duck.weekly_by_team, 91, measure=transfer_share)),
        Check("team trends", "response times, 91 days", STAFF, call(profiles.response_compliance, 91),
              peer(duck.response_times, 91, agent=False)),
        Check("customer history", "search by name \"ma\"", STAFF, call(profiles.find_customers, text="ma")),
        Check("customer history", "search by customer id", STAFF,
              call(profiles.find_customers, text=ctx.customer_key)),
        Check("customer history", "one customer's contacts", STAFF,
              call(profiles.customer_history, customer_id=ctx.customer)),
        Check("calibration", "machine against trainers", STAFF, call(calibration.machine_agreement)),
        Check("calibration", "largest disagreements", STAFF, call(calibration.largest_disagreements)),
        Check("calibration", "rounds", STAFF, call(calibration.list_rounds)),
        Check("leaderboard", "board, 180 days", STAFF,
              lambda session, who: leaderboard.leaderboard(make_session_factory(session.get_bind()),
                                                           scope=ctx.scope(who), period=ctx.period(who, 180)),
              peer(duck.leaderboard, 180)),
        Check("organisation", "quality by week, 180 days", EXECUTIVES, call(organisation.weekly_quality, 180),
              peer(duck.weekly_criteria, 180, overall=True)),
        Check("organisation", "channels by week, 180 days", EXECUTIVES,
              call(organisation.weekly_by_channel, 180), peer(duck.weekly_by_channel, 180)),
        Check("organisation", "compliance, 180 days", EXECUTIVES, call(organisation.channel_compliance, 180),
              peer(duck.channel_compliance, 180)),
        Check("organisation", "compliance, previous 180 days", EXECUTIVES,
              call(organisation.channel_compliance, 180, previous=True),
              peer(duck.channel_compliance, 180, previous=True)),
        Check("organisation", "teams, 180 days", EXECUTIVES, call(organisation.team_comparison, 180),
              peer(duck.team_comparison, 180)),
        Check("organisation", "CSAT against score, 180 days", EXECUTIVES,
              call(organisation.csat_against_score, 180), peer(duck.csat, 180)),
        Check("business impact", "impact counts, 180 days", EXECUTIVES,
              call(organisation.impact_counts, 180, assumptions=ctx.assumptions), peer(duck.impact, 180)),
        Check("board pack", "everything it shows, 180 days", EXECUTIVES, board, peer(duck.board_pack, 180)),
        Check("board pack", "its workbook, on clicking download", EXECUTIVES, workbook),
        Check("rubric", "versions", STAFF, lambda session, who: rubric_editing.versions(session),
              lambda who: duck.versions()),
        Check("rubric", "quality by rubric version", STAFF, call(rubric_editing.weekly_overall_by_version),
              peer(duck.weekly_by_version)),
    ]


DUCKDB_TABLES = {
    "interactions": (InteractionRow, {"id": "BIGINT", "channel": "VARCHAR", "employee_id": "BIGINT",
                                      "team_id": "BIGINT", "customer_id": "BIGINT", "started_at": "TIMESTAMP",
                                      "started_week": "DATE", "resolved": "BOOLEAN", "transferred": "BOOLEAN",
                                      "csat": "INTEGER", "review_version": "INTEGER"}),
    "scores": (Score, {"interaction_id": "BIGINT", "rubric_version_id": "BIGINT", "overall": "DOUBLE",
                       "auto_fail": "BOOLEAN", "transfer": "BOOLEAN", "first_response_seconds": "DOUBLE",
                       **{name: "DOUBLE" for name in CRITERIA}}),
    "teams": (Team, {"id": "BIGINT", "name": "VARCHAR"}),
    "employees": (Employee, {"id": "BIGINT", "name": "VARCHAR", "team_id": "BIGINT"}),
    "rubric_versions": (RubricVersion, {"id": "BIGINT", "version": "VARCHAR"}),
}


def duckdb_copy(engine: Engine) -> tuple[duckdb.DuckDBPyConnection, float]:
    """Copy the rows the aggregates read from the bench database into DuckDB, in pandas chunks; return the
    connection and the seconds the copy took. Times are stored as naive UTC."""
    con = duckdb.connect()
    started = time.perf_counter()
    with engine.connect().execution_options(stream_results=True) as connection:
        for name, (model, columns) in DUCKDB_TABLES.items():
            con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {kind}' for c, kind in columns.items())})")
            stmt = select(*(model.__table__.c[column] for column in columns))
            for chunk in pd.read_sql(stmt, connection, chunksize=100_000):
                for column in (c for c, kind in columns.items() if kind == "TIMESTAMP"):
                    chunk[column] = pd.to_datetime(chunk[column], utc=True).dt.tz_localize(None)
                con.register("chunk", chunk)
                con.execute(f"INSERT INTO {name} SELECT * FROM chunk")
                con.unregister("chunk")
    return con, time.perf_counter() - started


def rapport_ms(factory: sessionmaker[Session], repeat: int, check: Check, who: str) -> float:
    """Return the median milliseconds of the store call, each run in a session of its own, as a page's is."""
    spent = []
    for _ in range(repeat):
        with factory() as session:
            started = time.perf_counter()
            check.rapport(session, who)
            spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


def duckdb_ms(con: duckdb.DuckDBPyConnection, repeat: int, statements: list[str]) -> float:
    """Return the median milliseconds of running the statements and fetching their results as DataFrames."""
    spent = []
    for _ in range(repeat):
        started = time.perf_counter()
        for sql in statements:
            con.execute(sql).df()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


def measure_queries(factory: sessionmaker[Session], con: duckdb.DuckDBPyConnection, ctx: Context,
                    repeat: int) -> list[dict]:
    """Time every check for every scope that opens its page, Rapport and (for aggregates) DuckDB."""
    rows = []
    for check in checks(ctx, DuckSQL(ctx)):
        for who in check.scopes:
            ms = rapport_ms(factory, repeat, check, who)
            peer = None if check.duckdb is None else duckdb_ms(con, repeat, check.duckdb(who))
            rows.append({"pages": check.pages, "query": check.name, "scope": who, "rapport_ms": ms,
                         "duckdb_ms": peer, "ratio": None if peer is None else ms / peer,
                         "within_ms": ms <= TARGETS["query_ms"],
                         "within_ratio": None if peer is None else ms <= TARGETS["duckdb_ratio"] * peer})
        log(f"queries: {check.name} timed")
    return rows


# -- 5. browser and server memory ---------------------------------------------------------------------

SETTLED = """title => {
    const app = document.querySelector("[data-testid='stApp']");
    return app !== null && app.getAttribute("data-test-script-state") === "notRunning"
        && [...document.querySelectorAll("h1")].some(heading => heading.textContent.trim() === title)
        && document.querySelector("[data-stale='true']") === null
        && document.querySelector("[data-testid='stStatusWidgetRunningIcon']") === null
        && [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
            .every(chart => !chart.checkVisibility() || chart.querySelector("canvas, svg") !== null);
}"""


class MemorySampler(threading.Thread):
    """Sample the resident memory of a process and its children until stopped, keeping the peaks."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.stopped = threading.Event()
        self.peak_rss_kb = self.hwm_kb = self.samples = 0

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        sizes = [status_kb(pid, "VmRSS") for pid in process_tree(self.pid)]
        self.peak_rss_kb = max(self.peak_rss_kb, sum(sizes))
        self.hwm_kb = max(self.hwm_kb, status_kb(self.pid, "VmHWM"))
        self.samples += 1

    def stop(self) -> dict:
        self.stopped.set()
        self.join()
        self.sample()
        peak = self.peak_rss_kb / 1024
        return {"peak_rss_mb": peak, "server_hwm_mb": self.hwm_kb / 1024, "samples": self.samples,
                "within": peak <= TARGETS["rss_mb"]}


def process_tree(pid: int) -> list[int]:
    """Return the process and its descendants (those that still run)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(child) for child in task.read_text().split())
            except FileNotFoundError:  # the thread or process ended meanwhile
                continue
    return tree


def status_kb(pid: int, key: str) -> int:
    """Return one kB figure of /proc/PID/status (0 when the process is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except FileNotFoundError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith(f"{key}:")), 0)


@contextmanager
def streamlit_server(url: str, folder: Path) -> Iterator[tuple[str, int]]:
    """Run `streamlit run app.py` over the bench database on a free port; yield its address and process id."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "RAPPORT_DATABASE_URL": url, "RAPPORT_DEMO": "0"}
    log_path = folder / "streamlit.log"
    with log_path.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    urllib.request.urlopen(f"{base}/_stcore/health", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"streamlit did not start; see {log_path}") from None
                    time.sleep(0.5)
            yield base, server.pid
        finally:
            server.terminate()
            server.wait(timeout=60)


def settle_seconds(page, action: Callable[[], object], title: str) -> float | None:
    """Return the seconds from `action` (a click) to the page titled `title` settled, or None on timeout."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.perf_counter()
    action()
    try:
        page.wait_for_function(SETTLED, arg=title, polling=50, timeout=SETTLE_TIMEOUT_MS)
    except PlaywrightTimeout:
        return None
    return time.perf_counter() - started


def walk_pages(base: str) -> list[dict]:
    """Sign in as each demo account; open every page in its menu that no account of its scope opened yet."""
    from playwright.sync_api import sync_playwright

    timings, seen = [], set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        for username, role in ACCOUNTS:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(SETTLE_TIMEOUT_MS)
            page.goto(base)
            page.wait_for_function(SETTLED, arg="Rapport", polling=50)  # the sign-in page, before any timing
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
            for spec in pages_for(role):
                first = (SCOPE_OF_ROLE[role], spec.key) not in seen
                if spec.key == "overview":  # where signing in lands
                    action = page.get_by_role("button", name="Sign in").click
                elif spec.in_menu and first:
                    action = page.get_by_role("link", name=spec.title).first.click
                else:
                    continue
                seconds = settle_seconds(page, action, spec.title)
                if first:
                    seen.add((SCOPE_OF_ROLE[role], spec.key))
                    timings.append({"account": username, "page": spec.title, "seconds": seconds,
                                    "within": seconds is not None and seconds <= TARGETS["settle_seconds"]})
                    log(f"browser: {username} {spec.title} "
                        f"{'timed out' if seconds is None else f'settled in {seconds:.2f} s'}")
            page.context.close()
        browser.close()
    return timings


def browser_stage(url: str, folder: Path) -> tuple[list[dict], dict]:
    """Walk the pages in Chromium while sampling the server's memory."""
    with streamlit_server(url, folder) as (base, pid):
        sampler = MemorySampler(pid)
        sampler.start()
        try:
            timings = walk_pages(base)
        finally:
            memory = sampler.stop()
    return timings, memory


# -- the run and its report --------------------------------------------------------------------------


def bench_database(url: str | None, folder: Path, *, fresh: bool) -> str:
    """Return the URL of an empty database migrated to head: a new SQLite file in `folder`, or `url`.

    With `fresh`, empty it first: delete the SQLite file, or drop and recreate PostgreSQL's public schema.
    """
    url = url or f"sqlite:///{folder / 'scale.sqlite3'}"
    engine = make_engine(url)
    if fresh and engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    elif fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{engine.url.database}{suffix}").unlink(missing_ok=True)
    if inspect(engine).get_table_names():
        shown = make_url(url).render_as_string(hide_password=True)
        raise SystemExit(f"{shown} is not empty: give --fresh to empty it (every table in it is dropped) "
                         "or name another database")
    prepare_database(engine)
    engine.dispose()
    return url


def machine(engine: Engine, args: argparse.Namespace) -> dict:
    """Return what the figures were measured on and with."""
    with engine.connect() as connection:
        version = connection.scalar(text("SHOW server_version" if engine.dialect.name == "postgresql"
                                         else "SELECT sqlite_version()"))
    memory_kb = status_kb_file("/proc/meminfo", "MemTotal")
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()
    return {"interactions": args.interactions, "workers": args.workers, "repeat": args.repeat,
            "database": f"{engine.dialect.name} {version}",
            "database_url": make_url(args.database_url).render_as_string(hide_password=True)
            if args.database_url else "temporary SQLite file",
            "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 ** 2, 1), "commit": commit,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "load_at_start": os.getloadavg()[0],
            "duckdb": duckdb.__version__, "python": sys.version.split()[0]}


def status_kb_file(path: str, key: str) -> int:
    lines = Path(path).read_text().splitlines()
    return next(int(line.split()[1]) for line in lines if line.startswith(f"{key}:"))


def run(args: argparse.Namespace, folder: Path) -> dict:
    """Run every stage and return all figures."""
    if args.reuse:
        url = args.database_url
        engine = make_engine(url)
        prepare_database(engine)  # migrations and rollups the code has gained since the data was loaded
        factory = make_session_factory(engine)
        results = {"meta": machine(engine, args), "data": stored_counts(factory)}
        args.interactions = results["meta"]["interactions"] = results["data"]["interactions"]
    else:
        url = bench_database(args.database_url, folder, fresh=args.fresh)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        results = {"meta": machine(engine, args), **load(factory, args, folder)}
    if engine.dialect.name == "postgresql":  # what autovacuum does within minutes of a bulk load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    ctx = context(factory)
    con, copy_seconds = duckdb_copy(engine)
    results["duckdb"] = {"copy_seconds": copy_seconds, "threads": con.execute(
        "SELECT current_setting('threads')").fetchone()[0]}
    log(f"DuckDB copy made in {copy_seconds:.0f} s")
    # As the server does once it has loaded (ui.data.settle_heap): what lives as long as the process is frozen
    # out of the garbage collector's full collections, which then walk only what each query allocates.
    gc.collect()
    gc.freeze()
    results["queries"] = measure_queries(factory, con, ctx, args.repeat)
    con.close()
    engine.dispose()
    if not args.skip_browser:
        results["browser"], results["memory"] = browser_stage(url, folder)
    results["meta"]["load_at_end"] = os.getloadavg()[0]
    return results


def mark(ok: bool | None) -> str:
    return "" if ok is None else "PASS" if ok else "MISS"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Return rows as an aligned text table; columns listed in `right` are right-aligned."""
    widths = [max(len(str(h)), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in
                         enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def report(results: dict) -> str:
    """Return the printed report: every figure beside its target, PASS or MISS."""
    sections = [header(results), *([scoring_section(results)] if "scoring" in results else []),
                query_section(results)]
    if "browser" in results:
        sections.append(browser_section(results))
    verdicts = [*([results["scoring"]["within"], results["import"]["within"]] if "scoring" in results else []),
                *(q[key] for q in results["queries"] for key in ("within_ms", "within_ratio")),
                *(b["within"] for b in results.get("browser", [])),
                *([results["memory"]["within"]] if "memory" in results else [])]
    verdicts = [verdict for verdict in verdicts if verdict is not None]
    missed = verdicts.count(False)
    sections.append(f"Targets: {len(verdicts) - missed} of {len(verdicts)} met, {missed} missed.")
    return "\n\n".join(sections)


def header(results: dict) -> str:
    meta, data = results["meta"], results["data"]
    turns = data["turns"] / data["interactions"]
    origin = ("loaded by an earlier run (--reuse)" if data.get("reused") else
              f"{data['sites']} site(s), {'found in the cache' if data['from_cache'] else 'generated'} in "
              f"{data['generate_seconds']:.0f} s")
    return (f"Rapport at scale: {meta['interactions']:,} interactions on {meta['database']} "
            f"({meta['database_url']}); {meta['cores']} cores, {meta['memory_gb']} GB; {meta['started']}; "
            f"commit {meta['commit']}; load average {meta['load_at_start']:.1f} at start, "
            f"{meta['load_at_end']:.1f} at end\n"
            f"Data: {data['agents']:,} agents in {data['teams']} teams, {data['customers']:,} customers, "
            f"{turns:.1f} turns per interaction; {origin}")


def scoring_section(results: dict) -> str:
    scoring, loaded, n = results["scoring"], results["import"], results["meta"]["interactions"]
    projected = "" if n == 1_000_000 else f" (projected {loaded['projected_1m_seconds']:,.0f} s)"
    rows = [
        [f"scoring, 1 process (CPU time, {'compiled' if scoring.get('compiled') else 'plain Python'})",
         f"{scoring['rapport_per_s']:,.0f} int/s",
         f"≥ 2 × VADER ({scoring['ratio']:.2f} ×)", mark(scoring["within"])],
        ["VADER polarity, same turns (CPU time)", f"{scoring['vader_per_s']:,.0f} int/s", "peer", ""],
        [f"scoring for import, {scoring['workers']} processes (wall)",
         f"{scoring['workers_per_s']:,.0f} int/s",
         f"{scoring['speedup']:.2f} × one process ({scoring['one_process_wall_per_s']:,.0f} int/s)", ""],
        [f"import + score + store, {n:,}", f"{loaded['seconds']:,.0f} s ({loaded['per_s']:,.0f} int/s)",
         f"1M ≤ 600 s{projected}", mark(loaded["within"])],
        [f"reviews through store.review (1 in {REVIEW_EVERY})",
         f"{loaded['reviews']:,} in {loaded['review_seconds']:.1f} s", "", ""],
    ]
    return (f"Scoring (sample of {scoring['sample']:,} interactions, {scoring['turns']:,} turns; best of "
            f"{results['meta']['repeat']}) and import ({loaded['workers']} workers)\n"
            + table(["figure", "value", "target", ""], rows))


def query_section(results: dict) -> str:
    meta, peer = results["meta"], results["duckdb"]
    rows = [[q["pages"], q["query"], q["scope"], f"{q['rapport_ms']:,.1f}",
             "—" if q["duckdb_ms"] is None else f"{q['duckdb_ms']:,.1f}",
             "—" if q["ratio"] is None else f"{q['ratio']:,.1f}", mark(q["within_ms"]),
             mark(q["within_ratio"])]
            for q in results["queries"]]
    headers = ["pages", "query", "scope", "Rapport", "DuckDB", "× DuckDB", "≤ 250 ms", "≤ 5 × DuckDB"]
    return (f"Queries at {meta['interactions']:,} interactions, no Streamlit cache: median of "
            f"{meta['repeat']} runs in ms; DuckDB {meta['duckdb']} on the same rows "
            f"({peer['threads']} threads; copied in {peer['copy_seconds']:.0f} s)\n"
            + table(headers, rows, right=(3, 4, 5)))


def browser_section(results: dict) -> str:
    memory = results["memory"]
    rows = [[b["account"], b["page"], "timeout" if b["seconds"] is None else f"{b['seconds']:.2f}",
             mark(b["within"])] for b in results["browser"]]
    return ("Pages in Chromium, first view per scope: seconds from the click to settled\n"
            + table(["account", "page", "seconds", "≤ 2.5 s"], rows, right=(2,))
            + f"\n\nStreamlit server memory while the browser walked: peak resident "
              f"{memory['peak_rss_mb']:,.0f} MB (server and children; the server's own high-water mark "
              f"{memory['server_hwm_mb']:,.0f} MB); target ≤ 600 MB: {mark(memory['within'])}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000,
                        help="how many to generate (default a million)")
    parser.add_argument("--quick", action="store_true",
                        help=f"a small smoke run of every stage (CI): {QUICK['interactions']:,} interactions")
    parser.add_argument("--workers", type=int, default=2, help="scoring processes (default 2)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (default 5)")
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--fresh", action="store_true", help="empty --database-url first (drops every table)")
    parser.add_argument("--reuse", action="store_true",
                        help="--database-url holds an earlier run's data: skip generating, scoring and import")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure to FILE")
    parser.add_argument("--skip-browser", action="store_true", help="no Chromium stage (machines without it)")
    parser.add_argument("--cache", type=Path, metavar="DIR",
                        help="keep the generated interactions in DIR for later runs (a million take minutes)")
    args = parser.parse_args(argv)
    args.sample = FULL_SAMPLE
    if args.quick:
        args.interactions, args.sample, args.repeat = QUICK["interactions"], QUICK["sample"], QUICK["repeat"]
    if args.reuse and (not args.database_url or args.fresh or args.quick):
        parser.error("--reuse needs --database-url, and goes with neither --fresh nor --quick")
    if args.interactions < 1 or args.workers < 1 or args.repeat < 1:
        parser.error("--interactions, --workers and --repeat must be at least 1")
    if args.cache is not None:
        try:
            args.cache.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            parser.error(f"--cache {args.cache}: cannot create the folder ({exc.strerror})")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rapport-scale-") as folder:
        results = run(args, Path(folder))
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
