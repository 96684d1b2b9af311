"""Generate a believable demo company for Rapport: teams, agents, accounts, customers and interactions.

`generate_demo` draws everything from `random.Random` instances seeded from `seed`, so the same seed and
`end` always give the same organisation. Times are UTC and business hours are UTC hours: the demo
company works from one site. Conversations are assembled from phrase banks, and each agent's skills,
which change month by month, choose the phrasing, so a trend on a dashboard is a trend in the words.
"""

from __future__ import annotations

import calendar
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from types import MappingProxyType
from typing import Callable, Mapping

from scoring.model import CHANNELS, Interaction, Outcome, Turn
from scoring.result import CRITERIA

COMPANY = "Brightwater"  # the demo company, as its agents and customers name it
DEFAULT_END = date(2026, 3, 1)
SITUATIONS = (
    "late_birthday_order", "old_address", "misdelivered", "bounced_check", "unmanned_chat_loop",
    "public_complaint", "outage", "rude_store_customer", "double_charge", "cancel_subscription",
    "vending_machine", "password_reset", "opening_hours", "product_question",
)
# What an owned apology says ("that's our mistake"), as opposed to a generic or deflecting one.
OWNED_APOLOGY_PHRASES = (
    "that's our mistake", "this one is on us", "we got this wrong", "it's our fault", "that was our error",
    "we let you down",
)
MAX_TURNS = 14
_DAYS_PER_MONTH = 30.44


# --------------------------------------------------------------------------------------------------
# The organisation


@dataclass(frozen=True)
class DemoTeam:
    name: str
    channel_focus: str  # how the team is mostly reached, in words, e.g. "phone, chat and email"
    channel_mix: Mapping[str, float] = field(hash=False)  # share of the team's contacts per channel


@dataclass(frozen=True)
class DemoEmployee:
    """An agent. `skills` are per criterion (0..1) on `skills_from`; `growth` is the change per month."""

    name: str
    team: str
    hire_date: date
    is_new_hire: bool
    skills: Mapping[str, float] = field(hash=False)
    growth: Mapping[str, float] = field(hash=False)
    skills_from: date
    # Chance per complaint of a critical behaviour ("Please calm down"); doubled with an angry customer.
    critical_risk: float

    def skill(self, criterion: str, on: date) -> float:
        """Return the agent's level for `criterion` on a day, between 0 and 1."""
        months = max(0.0, (on - self.skills_from).days / _DAYS_PER_MONTH)
        return _clamp(self.skills[criterion] + self.growth[criterion] * months, 0.05, 0.97)

    @property
    def first_shift(self) -> date:
        """Return the first day the agent takes contacts, after a week of induction."""
        return self.hire_date + timedelta(days=7)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # "admin" | "trainer" | "executive" | "agent"
    employee: str | None
    teams: tuple[str, ...]


@dataclass(frozen=True)
class DemoCustomer:
    customer_id: str
    name: str
    handle: str
    city: str


@dataclass(frozen=True)
class DemoOrganisation:
    teams: tuple[DemoTeam, ...]
    employees: tuple[DemoEmployee, ...]
    accounts: tuple[DemoAccount, ...]
    interactions: tuple[Interaction, ...]
    customers: tuple[DemoCustomer, ...] = ()  # everyone who contacted the company, in customer_id order

    def employee(self, name: str) -> DemoEmployee:
        """Return the employee called `name`."""
        return next(e for e in self.employees if e.name == name)


def generate_demo(
    *, seed: int = 2026, months: int = 12, interactions: int = 22_000, end: date | None = None
) -> DemoOrganisation:
    """Generate the demo organisation with `interactions` contacts in the `months` before `end`.

    `end` is exclusive (every turn happens before midnight UTC at the start of `end`), so passing
    today's date never produces a timestamp in the future. It defaults to DEFAULT_END.
    """
    if months < 1 or interactions < 1:
        raise ValueError("months and interactions must be at least 1")
    end = end or DEFAULT_END
    start = _months_before(end, months)
    employees = _make_employees(random.Random(f"{seed}:people"), start, end)
    customers = _make_customers(random.Random(f"{seed}:customers"), max(60, round(interactions / 2.6)))
    planner = _Planner(random.Random(f"{seed}:interactions"), start, end, employees, customers)
    drafts = sorted(planner.run(interactions), key=lambda d: (d.started_at, d.seq))
    records, demo_customers = _finish(drafts)
    return DemoOrganisation(
        teams=tuple(DemoTeam(p.name, p.channel_focus, MappingProxyType(dict(p.channel_mix))) for p in _TEAMS),
        employees=employees,
        accounts=_make_accounts(employees),
        interactions=records,
        customers=demo_customers,
    )


# --------------------------------------------------------------------------------------------------
# Teams, agents and accounts


@dataclass(frozen=True)
class _TeamPlan:
    name: str
    channel_focus: str
    size: int
    new_hires: int
    share: float  # share of all contacts outside outages
    channel_mix: dict[str, float]
    situations: dict[str, float]


_TEAMS = (
    _TeamPlan("Orders & Delivery", "phone, chat and email", 9, 2, 0.26,
              {"phone": 0.36, "chat": 0.30, "email": 0.26, "social": 0.08},
              {"late_birthday_order": 0.24, "old_address": 0.15, "misdelivered": 0.18,
               "product_question": 0.17, "double_charge": 0.06, "unmanned_chat_loop": 0.06,
               "cancel_subscription": 0.04}),
    _TeamPlan("Billing & Accounts", "phone and email", 8, 1, 0.20,
              {"phone": 0.42, "chat": 0.18, "email": 0.36, "social": 0.04},
              {"bounced_check": 0.22, "double_charge": 0.24, "cancel_subscription": 0.18,
               "password_reset": 0.12, "unmanned_chat_loop": 0.12, "product_question": 0.08}),
    _TeamPlan("Social Care", "social media", 7, 1, 0.16,
              {"social": 0.72, "email": 0.16, "chat": 0.12},
              {"public_complaint": 0.26, "late_birthday_order": 0.12, "misdelivered": 0.08,
               "old_address": 0.05, "unmanned_chat_loop": 0.1, "double_charge": 0.05,
               "product_question": 0.1, "opening_hours": 0.08, "password_reset": 0.05,
               "vending_machine": 0.03, "bounced_check": 0.03, "cancel_subscription": 0.03}),
    _TeamPlan("Technical Support", "chat and phone", 8, 1, 0.20,
              {"chat": 0.42, "phone": 0.36, "email": 0.18, "social": 0.04},
              {"password_reset": 0.32, "unmanned_chat_loop": 0.16, "product_question": 0.22,
               "cancel_subscription": 0.12, "double_charge": 0.04}),
    _TeamPlan("Stores & Field Services", "phone and in store", 8, 1, 0.18,
              {"phone": 0.55, "chat": 0.12, "email": 0.2, "social": 0.13},
              {"rude_store_customer": 0.22, "vending_machine": 0.17, "opening_hours": 0.28,
               "product_question": 0.15, "unmanned_chat_loop": 0.04, "misdelivered": 0.04}),
)
_TRAINER_TEAMS = ("Orders & Delivery", "Social Care")

_FIRST_NAMES = (
    "Maya", "Diego", "Aisha", "Wei", "Priya", "Tomasz", "Fatima", "Kwame", "Sofia", "Hannah", "Jamal", "Mei",
    "Luis", "Olivia", "Ahmed", "Grace", "Hiroshi", "Chloe", "Mateo", "Amara", "Noah", "Leila", "Ethan",
    "Yuki", "Isabel", "Omar", "Zoe", "Ravi", "Elena", "Marcus", "Nadia", "Samuel", "Ana", "Tariq", "Emily",
    "Jin", "Lucia", "Daniel", "Imani", "Connor", "Ngozi", "Arjun", "Rosa", "Ben", "Sana", "Mohammed", "Julia",
    "Kofi", "Ingrid", "Carlos", "Mariam", "Liam", "Thandiwe", "Jae-won", "Camila", "Patrick", "Aylin",
    "Dmitri", "Esther", "Juan", "Keisha", "Aleksandra", "Vikram", "Rachel", "Min-jun", "Beatriz", "Kenji",
    "Ruth", "Abdullah", "Siobhan", "Tyrone", "Linh", "Gabriel", "Farah", "Owen", "Valentina", "Hassan",
    "Megan", "Andrés", "Chiamaka", "Peter", "Yasmin", "Malik", "Anh", "Sarah", "Jorge", "Leah", "Rahul",
    "Margaret", "Kai", "Dolores", "Harold", "Evelyn", "Walter", "Frances", "Eun-ji", "Moana", "Tomás", "Nia",
    "Sergei", "Lauren", "Xavier", "Amina", "Brendan", "Catalina", "Desmond", "Ifeoma", "Javier", "Kateryna",
    "Lamar", "Noor", "Pablo", "Rin", "Shreya", "Trevor", "Vanessa", "Wen", "Yara", "Zainab", "Gloria",
    "Bernard", "Eleanor", "Dorothy", "Frank", "Irene", "Jacob", "Madison", "Tyler", "Brianna", "Hector",
    "Lupe", "Ming", "Kalani", "Aiyana", "Dakota", "Joaquín", "Soo-ah", "Nikhil", "Ayesha", "Kemal", "Olga",
    "Bogdan", "Hamid",
)
_LAST_NAMES = (
    "Thompson", "Hernández", "Bello", "Zhang", "Nair", "Kowalski", "Al-Sayed", "Mensah", "Rossi", "Goldberg",
    "Carter", "Wong", "García", "Johnson", "Okafor", "Kim", "Nguyen", "Patel", "Smith", "Müller", "O'Brien",
    "Santos", "Yamamoto", "Haddad", "Ivanova", "Anderson", "Williams", "Martinez", "Chen", "Singh", "Brown",
    "Lopez", "Davis", "Wilson", "Moore", "Taylor", "Jackson", "White", "Harris", "Clark", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Hill", "Flores", "Green", "Adams",
    "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Roberts", "Phillips", "Evans", "Turner",
    "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris", "Murphy", "Cook", "Rogers",
    "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Gomez", "Kelly", "Howard", "Ward", "Cox",
    "Richardson", "Wood", "Watson", "Brooks", "Bennett", "Gray", "Hughes", "Price", "Sanders", "Park", "Choi",
    "Tanaka", "Sato", "Suzuki", "Mahmoud", "Abdi", "Osei", "Adeyemi", "Eze", "Kaur", "Sharma", "Gupta",
    "Iyer", "Novak", "Horvat", "Jensen", "Larsen", "Nilsson", "Dubois", "Moreau", "Esposito", "Silva",
    "Pereira", "Costa", "Fernandes", "Vargas", "Castillo", "Mendoza", "Ortiz", "Ruiz", "Tran", "Le", "Pham",
    "Huang", "Liu", "Yang", "Wu", "Ali", "Khan", "Hussain", "Rahman", "Cohen", "Levi", "Friedman", "Byrne",
    "Walsh", "Doyle", "McCarthy", "Fitzgerald", "Kealoha", "Begay", "Yazzie", "Okonkwo", "Acheampong",
)


def _make_employees(rng: random.Random, start: date, end: date) -> tuple[DemoEmployee, ...]:
    """Create ~40 agents: veterans with strengths and weaknesses, new hires, a few who struggle."""
    seats = [(plan.name, i < plan.new_hires) for plan in _TEAMS for i in range(plan.size)]
    firsts = rng.sample(_FIRST_NAMES, len(seats))
    lasts = rng.sample(_LAST_NAMES, len(seats))
    veterans = [i for i, (_, new) in enumerate(seats) if not new]
    # Two weak agents account for almost all critical behaviour; one of them and one other decline.
    risky_a, risky_b, other_decliner = rng.sample(veterans, 3)
    risky = (risky_a, risky_b)
    decliners = (risky_a, other_decliner)
    employees = []
    for i, (team, new) in enumerate(seats):
        if new:
            hire = end - timedelta(days=rng.randint(32, 92))
            skills, growth = _new_hire_profile(rng)
        else:
            hire = start - timedelta(days=rng.randint(420, 4_300))
            skills, growth = _veteran_profile(rng, weak=i in risky, declining=i in decliners)
        employees.append(DemoEmployee(
            name=f"{firsts[i]} {lasts[i]}",
            team=team,
            hire_date=hire,
            is_new_hire=new,
            skills=MappingProxyType(skills),
            growth=MappingProxyType(growth),
            skills_from=max(hire, start),
            critical_risk=0.045 if i in risky else 0.0004,
        ))
    return tuple(employees)


def _veteran_profile(
    rng: random.Random, *, weak: bool, declining: bool
) -> tuple[dict[str, float], dict[str, float]]:
    base = rng.uniform(0.32, 0.42) if weak else rng.uniform(0.5, 0.78)
    skills = {c: base + rng.gauss(0, 0.08) for c in CRITERIA}
    strengths = rng.sample(CRITERIA, 2)
    weaknesses = rng.sample([c for c in CRITERIA if c not in strengths], rng.randint(1, 2))
    for c in strengths:
        skills[c] += rng.uniform(0.1, 0.2)
    for c in weaknesses:
        skills[c] -= rng.uniform(0.18, 0.32)
    if weak:
        skills["empathize"] = rng.uniform(0.12, 0.22)
        skills["apologize"] = rng.uniform(0.1, 0.2)
    if declining:
        growth = {c: -rng.uniform(0.01, 0.025) for c in CRITERIA}
    else:
        # Coaching lands hardest where an agent is weakest.
        growth = {c: rng.uniform(0.004, 0.02) + (0.012 if c in weaknesses else 0.0) for c in CRITERIA}
    return _skill_levels(skills), _rounded(growth)


def _new_hire_profile(rng: random.Random) -> tuple[dict[str, float], dict[str, float]]:
    base = rng.uniform(0.25, 0.4)
    skills = {c: base + rng.gauss(0, 0.06) for c in CRITERIA}
    growth = {c: rng.uniform(0.07, 0.12) for c in CRITERIA}
    return _skill_levels(skills), _rounded(growth)


def _skill_levels(values: dict[str, float]) -> dict[str, float]:
    return _rounded({k: _clamp(v, 0.05, 0.95) for k, v in values.items()})


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in values.items()}


def _make_accounts(employees: tuple[DemoEmployee, ...]) -> tuple[DemoAccount, ...]:
    every_team = tuple(t.name for t in _TEAMS)
    new_hire = next(e for e in employees if e.is_new_hire and e.team == _TEAMS[0].name)
    return (
        DemoAccount("admin", "admin", None, every_team),
        DemoAccount("trainer", "trainer", None, _TRAINER_TEAMS),
        DemoAccount("newhire", "agent", new_hire.name, (new_hire.team,)),
        DemoAccount("exec", "executive", None, every_team),
    )


# --------------------------------------------------------------------------------------------------
# Customers and places

_AREAS = (
    ("Sellwood", "Portland"), ("Hawthorne", "Portland"), ("St. Johns", "Portland"), ("Alberta", "Portland"),
    ("Montavilla", "Portland"), ("Ballard", "Seattle"), ("Fremont", "Seattle"), ("Columbia City", "Seattle"),
    ("Beacon Hill", "Seattle"), ("Wallingford", "Seattle"), ("Hilltop", "Tacoma"), ("Proctor", "Tacoma"),
    ("South End", "Tacoma"), ("South Hill", "Spokane"), ("Logan", "Spokane"), ("Hillyard", "Spokane"),
    ("Grant", "Salem"), ("West Salem", "Salem"), ("Whiteaker", "Eugene"), ("Friendly", "Eugene"),
    ("North End", "Boise"), ("The Bench", "Boise"), ("Old Mill", "Bend"), ("Orchard District", "Bend"),
)
_STREETS = (
    "Alder Street", "Maple Avenue", "Birch Lane", "Cedar Court", "Willow Way", "Juniper Drive",
    "Hawthorne Road", "Division Street", "Lincoln Street", "Oak Street", "Pine Street", "Spruce Road",
    "Chestnut Avenue", "Linden Place", "Summit Drive", "Ridgeview Road", "Garfield Avenue", "Harrison Street",
    "Elm Street", "Holly Street", "Magnolia Boulevard", "Fir Street", "Larch Avenue", "Sycamore Lane",
    "Aspen Court", "Laurel Street", "Poplar Avenue", "Hemlock Street", "Morrison Street", "Burnside Avenue",
)
_STORES = {
    "Portland": "Pearl District store", "Seattle": "Northgate store", "Tacoma": "Tacoma Mall store",
    "Spokane": "Spokane Valley store", "Salem": "Lancaster Drive store", "Eugene": "Valley River store",
    "Boise": "Boise Towne store", "Bend": "Old Mill store",
}
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")


@dataclass(frozen=True, slots=True)
class _Customer:
    index: int
    first: str
    last: str
    handle: str
    email: str
    area: str
    city: str
    number: int
    street: str
    store: str
    propensity: float  # relative chance of contacting the company; heavy-tailed so some call often

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def address(self) -> str:
        return f"{self.number} {self.street}, {self.city}"


def _make_customers(rng: random.Random, count: int) -> tuple[_Customer, ...]:
    streets = {area: tuple(rng.sample(_STREETS, 6)) for area, _ in _AREAS}
    customers = []
    for index in range(count):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        area, city = rng.choice(_AREAS)
        plain_first, plain_last = _ascii(first), _ascii(last)
        suffix = rng.choice(("", "", str(rng.randint(1, 99))))
        handle = rng.choice((
            f"@{plain_first}{plain_last[:1]}{rng.randint(1, 99)}",
            f"@{plain_first}_{plain_last}",
            f"@{plain_last}{plain_first[:1]}",
            f"@{plain_first}{rng.choice(('_pdx', 'inthe_nw', '_writes', 'loves_coffee', '_runs'))}",
        ))
        customers.append(_Customer(
            index=index,
            first=first,
            last=last,
            handle=handle,
            email=f"{plain_first}.{plain_last}{suffix}@{rng.choice(_EMAIL_DOMAINS)}",
            area=area,
            city=city,
            number=rng.randint(2, 4_980),
            street=rng.choice(streets[area]),
            store=_STORES[city],
            propensity=min(rng.paretovariate(1.3), 7.0),
        ))
    return tuple(customers)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


# --------------------------------------------------------------------------------------------------
# Calendar: when people get in touch, and when agents work

_WEEKDAY_FACTOR = {
    "phone": (1.15, 1.05, 1.0, 1.0, 0.95, 0.45, 0.15),
    "chat": (1.1, 1.05, 1.0, 1.0, 0.95, 0.55, 0.3),
    "email": (1.1, 1.0, 1.0, 1.0, 0.9, 0.5, 0.45),
    "social": (1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.85),
}
# Holiday shopping peaks in November and December.
_MONTH_FACTOR = (1.05, 0.9, 0.95, 0.95, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05, 1.25, 1.35)


def _hours(spec: dict[range, float]) -> tuple[float, ...]:
    weights = [0.0] * 24
    for hours, weight in spec.items():
        for hour in hours:
            weights[hour] = weight
    return tuple(weights)


# Hour-of-day weights per channel, for weekdays, Saturdays and Sundays.
_HOUR_WEIGHTS = {
    "phone": (_hours({range(8, 9): 0.5, range(9, 12): 1.25, range(12, 13): 0.9, range(13, 16): 1.05,
                      range(16, 18): 0.8, range(18, 20): 0.35}),
              _hours({range(9, 17): 1.0}), _hours({range(10, 16): 1.0})),
    "chat": (_hours({range(8, 9): 0.4, range(9, 12): 1.1, range(12, 14): 1.0, range(14, 17): 1.1,
                     range(17, 19): 0.8, range(19, 21): 0.45}),
             _hours({range(9, 18): 1.0}), _hours({range(10, 17): 1.0})),
    "email": (_hours({range(0, 2): 0.1, range(6, 7): 0.2, range(7, 8): 0.5, range(8, 18): 1.0,
                      range(18, 23): 0.8, range(23, 24): 0.3}),) * 3,
    "social": (_hours({range(0, 2): 0.3, range(7, 8): 0.3, range(8, 17): 0.8, range(17, 23): 1.3,
                       range(23, 24): 0.6}),) * 3,
}
_STORE_HOURS = _hours({range(9, 12): 0.8, range(12, 18): 1.1, range(18, 20): 0.7})
# When agents answer replies that wait in a queue: (weekday, Saturday, Sunday) opening and closing hours.
_SHIFTS = {
    "email": ((8, 18), (9, 13), None),
    "social": ((7, 23), (7, 23), (7, 23)),
}


class _Calendar:
    """Pick contact times that follow weekday, hour-of-day and seasonal patterns."""

    def __init__(self, start: date, end: date):
        self.days = [start + timedelta(days=i) for i in range((end - start).days)]
        growth = [1.0 + 0.12 * i / max(1, len(self.days) - 1) for i in range(len(self.days))]
        self.day_weights = {
            channel: list(accumulate(
                _WEEKDAY_FACTOR[channel][d.weekday()] * _MONTH_FACTOR[d.month - 1] * g
                for d, g in zip(self.days, growth)
            ))
            for channel in CHANNELS
        }
        self.hour_weights = {
            channel: tuple(list(accumulate(w)) for w in per_day) for channel, per_day in _HOUR_WEIGHTS.items()
        }
        self.store_hours = list(accumulate(_STORE_HOURS))

    def pick(self, rng: random.Random, channel: str, *, in_store: bool = False) -> datetime:
        day = rng.choices(self.days, cum_weights=self.day_weights[channel])[0]
        return self.at_hour(rng, day, channel, in_store=in_store)

    def at_hour(self, rng: random.Random, day: date, channel: str, *, in_store: bool = False) -> datetime:
        cum = self.store_hours if in_store else self.hour_weights[channel][_day_kind(day)]
        hour = rng.choices(range(24), cum_weights=cum)[0]
        minute, second = rng.randrange(60), rng.randrange(60)
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=timezone.utc)


def _on_shift(rng: random.Random, moment: datetime, channel: str) -> datetime:
    """Return `moment`, or when the next shift picks the reply up if nobody works then."""
    shifts = _SHIFTS.get(channel)
    if shifts is None:
        return moment
    for _ in range(8):
        hours = shifts[_day_kind(moment.date())]
        if hours is not None:
            opening = moment.replace(hour=hours[0], minute=0, second=0)
            if moment < opening:
                return opening + timedelta(seconds=rng.randint(60, 2_400))
            if moment.hour < hours[1]:
                return moment
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    return moment


def _day_kind(day: date) -> int:
    """Return 0 for a weekday, 1 for Saturday, 2 for Sunday."""
    return max(0, day.weekday() - 4)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _weekday(day: date) -> str:
    return _WEEKDAYS[day.weekday()]


def _long_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]}, {_month_day(day)}"


def _month_day(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}"


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _day_word(base: date, target: date) -> str:
    """Name a coming day as a speaker would: "today", "tomorrow", "Thursday"."""
    delta = (target - base).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    return _weekday(target) if delta < 7 else _long_date(target)


def _on_day(base: date, target: date) -> str:
    word = _day_word(base, target)
    return word if word in ("today", "tomorrow") else f"on {word}"


def _past_on(base: date, earlier: date) -> str:
    delta = (base - earlier).days
    if delta <= 0:
        return "earlier today"
    if delta == 1:
        return "yesterday"
    return f"on {_weekday(earlier)}" if delta < 7 else f"on {_month_day(earlier)}"


def _business_days_after(day: date, count: int) -> date:
    while count:
        day += timedelta(days=1)
        if day.weekday() != 6:
            count -= 1
    return day


def _clock(moment: datetime) -> str:
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "noon"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def _daypart(hour: int) -> str:
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


def _yours(phrase: str) -> str:
    """Turn the customer's "my ..." into the agent's "your ..."."""
    return re.sub(r"\bmy\b", "your", phrase)


def _a(noun: str) -> str:
    """Return the noun with "a" or "an" in front."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return low if value < low else high if value > high else value


# --------------------------------------------------------------------------------------------------
# Generic phrase banks. Tuples indexed by level hold (poor, fair, good) variants of an agent move.
# Templates take `str.format` slots; `{addr}` is ", <first name>" when the agent uses the name, else "".

_PHONE_GREETING = (
    ("Brightwater.", "Yeah, hi. What's the problem?", "Customer service, go ahead."),
    ("Brightwater, {agent} speaking.", "Hi, Brightwater customer service, {agent} here.",
     "Hello, you're through to Brightwater."),
    ("Good {daypart}, thanks for calling Brightwater. You're speaking with {agent}, how can I help you today?",
     "Hi there, thanks for calling Brightwater. My name's {agent}, what can I do for you?",
     "Thank you for calling Brightwater, this is {agent}. How can I help?"),
)
_CHAT_GREETING = (
    ("Hi.", "Hello."),
    ("Hi, I'm {agent}.", "Hello, thanks for contacting Brightwater.", "Hi{addr}, {agent} here."),
    ("Hi{addr}, thanks for reaching out. I'm {agent}, and I'll be looking after you today.",
     "Hello{addr}! I'm {agent} from Brightwater. Thanks for your message.",
     "Hi{addr}, thanks for getting in touch. My name's {agent}."),
)
_SORRY_WAIT = (
    "Sorry for the wait{addr}.", "Thanks for waiting{addr}, and sorry it took a while to get to you.",
    "Apologies for keeping you waiting.",
)
_ACKNOWLEDGE = (
    ("Okay.", "Right.", "Mm-hm.", "Well, these things happen.", "It's not a big deal, it's easy to sort out.",
     "Yeah, we get a lot of these."),
    ("Okay{addr}, I understand.", "Right, I see.", "I understand that's annoying.", "Okay, thanks for letting me know.",
     "I see what you mean."),
    ("I can completely understand how frustrating that is{addr}{feeling}.",
     "That sounds really stressful{addr}, and I'd feel exactly the same in your position.",
     "I can hear how upsetting this has been{addr}{feeling}.",
     "Thank you for explaining all of that{addr}. I understand why you're upset{feeling}.",
     "That's not the experience you should have with us{addr}, and I understand why you're frustrated.",
     "I really appreciate your patience with this{addr}. I know how annoying it must be{feeling}."),
)
_ACKNOWLEDGE_QUESTION = (
    ("Yeah.", "Okay."),
    ("Sure.", "Okay{addr}.", "No problem."),
    ("Of course{addr}, I'd be happy to help with that.", "Great question{addr}!", "Happy to help with that{addr}."),
)
_OWNED_APOLOGY = (
    "I'm so sorry{addr}, that's our mistake. {Mishap}.",
    "I'm really sorry{addr}. This one is on us: {mishap}, and that shouldn't have happened.",
    "I apologize{addr}, we got this wrong. {Mishap}.",
    "I'm truly sorry. It's our fault: {mishap}.",
    "Please accept my apologies{addr}. That was our error: {mishap}.",
    "I'm sorry{addr}, we let you down here. {Mishap}, and that's not good enough.",
)
_OWNED_APOLOGY_SHORT = (
    "So sorry{addr}, that's our mistake.", "We got this wrong{addr}, and we're really sorry.",
    "This one is on us{addr}. I'm so sorry.", "I'm sorry{addr}, it's our fault and we'll put it right.",
)
_SYMPATHY = (
    "I'm sorry you've had such a hassle with this{addr}.",
    "I'm really sorry you've been stuck with this{addr}.", "I'm sorry this has been such a headache{addr}.",
)
_GENERIC_APOLOGY = ("Sorry about that.", "Apologies for the trouble.", "I'm sorry for the inconvenience.",
                    "Sorry to hear that.")
_DEFLECTING_APOLOGY = ("Sorry for any inconvenience this may have caused.", "I'm sorry if you feel that way.",
                       "Sorry, but that's our policy.", "Sorry, but that's just how the system works.",
                       "Sorry you feel let down, but it's out of our hands.", "", "")
_OPEN_QUESTION = ("Can you tell me a bit more about what happened?", "Could you give me a few more details?",
                  "What seems to be the problem exactly?", "Okay, and what happened next?")
_OPEN_QUESTION_WRITTEN = (
    "Could you tell me a bit more about what happened?", "Could you give me a few more details?",
)
_OPEN_QUESTION_ENQUIRY = (
    "Could you tell me a bit more about what you're looking for?", "What would you like to know exactly?",
    "Sure, what's it for?",
)
_REFLECT_CONFIRM = ("Yes, that's right. ", "Exactly. ", "Yes. ", "That's it. ", "")
_REASK_ANSWER = ("I just gave you that. {key_value}", "I've already told you. {key_value}",
                 "It was in my first message. {key_value}", "Again? {key_value}")
_REASK_AGAIN = ("Sorry, could you repeat that for me?", "Sorry, I missed that. One more time?",
                "Can you give me that again, please?")
_REASK_AGAIN_ANSWER = ("For the third time. {key_value}", "Are you even listening? {key_value}",
                       "{key_value} Please write it down this time.")
_CAUSE_INTRO = ("What happened is that {cause}.", "I've looked into it, and {cause}.",
                "Here's what went wrong: {cause}.", "I can see what happened: {cause}.")
_VAGUE_CAUSE = ("It looks like something went wrong on our side.", "There seems to have been a glitch.",
                "It looks like there was a problem with the system.")
_VAGUE_WHEN = ("It should be sorted soon.", "It'll be dealt with as soon as possible.",
               "It should all go through in the next few days.")
_PARTIAL_WHEN = (
    "They'll get back to you by {promise_date}.", "You'll have an answer by the end of {promise_day}.",
)
_PARTIAL_FOLLOW_UP = ("I'll call you {promise_day} with an update either way.",
                      "I'll email you as soon as I hear back, and by {promise_date} at the latest.")
_GOOD_FOLLOW_UP = ("I'll email you a summary of everything we've agreed within the hour.",
                   "I'll call you {promise_day} to check everything's sorted.",
                   "I'll send you a text once it's done, with my direct email in case you need me.")
_VAGUE_FOLLOW_UP = ("We'll be in touch.", "Someone will get back to you.", "You'll hear from us.")
_DONE = ("That's all done for you.", "Okay, that's done.", "Right, that's sorted on my end.")
_LOGGED = ("Okay, that's logged.", "Right, that's in the system.")
_PASS_ON_NOTE = ("I've added a note to your account so you won't have to explain everything again.",
                 "I've written up everything you've told me so they'll have the full story.")
_CANNOT_DO_MORE = (("That's all I can do.", "There's nothing else I can do."),
                   ("Sorry I can't do more.", "I'm afraid that's how it works."),
                   ("I'm sorry I can't sort it myself{addr}. They'll be able to help.",))
_PERKS = ("To make up for it, I've added a ${credit} credit to your account.",
          "As an apology, here's a {pct}% discount code for your next order: {code}.",
          "I've also given you free express delivery on your next three orders.",
          "I've also waived next month's fee as a thank-you for your patience.")
_OFFER_HELP = (
    (),
    ("Anything else?", "Is that everything?"),
    ("Is there anything else I can help you with today?", "Is there anything else I can do for you{addr}?",
     "Before you go, is there anything else you need?"),
)
_OFFER_HELP_WRITTEN = (
    (),
    ("Let us know if there's anything else.", "Get in touch if you need anything else."),
    ("If there's anything else I can help with, just reply to this message.",
     "Please don't hesitate to get in touch if there's anything else I can do{addr}."),
)
_WRITTEN_POOR_ACK = ("", "", "Noted.", "These things happen.", "We get a lot of these.")
_LOGGED_WRITTEN = ("Your request has been logged.", "This has been logged.")
_QUESTION_END = (("Okay. I'll look it up myself, then.", "Fine, I'll find out somewhere else."),
                 ("Okay, I'll double-check with the store.", "Right, I'll look into it myself then."))
_SIGN_OFF = {
    "call": (("Okay, bye.", "Bye."), ("Thanks for calling. Bye.", "Okay, have a good day."),
             ("Thanks so much for calling{addr}, and have a lovely {daypart}.",
              "Thank you for your patience today{addr}. Take care.", "It was a pleasure helping you{addr}. Have a great day.")),
    "floor": (("Next, please.", "Okay."), ("Have a good day.", "Okay, thanks."),
              ("Thank you for your patience{addr}, and have a good {daypart}.", "Thanks for bearing with us today{addr}.")),
    "chat": (("Bye.", "Closing chat now."), ("Thanks for chatting. Bye.", "Have a good day."),
             ("Thanks so much for chatting with me{addr}. Have a lovely {daypart}!",
              "It was a pleasure helping you{addr}. Take care!", "Thanks for your patience today{addr}. Have a great {daypart}!")),
    "social": (("Thanks.",), ("Have a good day.",), ("Take care{addr}, and thanks for your patience.",
                                                        "Glad we could help{addr}. Have a great {daypart}!")),
}
_HOLD_ASK = (
    "Let me just look into that for you. Bear with me a moment.",
    "Can I put you on a short hold while I check?", "One moment, I'll pull that up.",
)
_HOLD_OK = ("Sure.", "Okay.", "Yeah, go ahead.", "No problem.")
_HOLD_BACK = (("Okay.", "Right."), ("Thanks for holding.", "Sorry for the wait there."),
              ("Thanks for holding{addr}.", "Thanks for bearing with me{addr}."))
_CHAT_HOLD = ("Give me a moment while I check that for you.", "Bear with me while I look into this.",
              "Just checking that now.")
_CRITICAL = (
    ("Please calm down.", "Excuse me? Don't tell me to calm down. I want to speak to your manager."),
    ("Calm down, there's no need to shout.", "I'm not shouting, I'm upset. There's a difference."),
    ("Look, that's not my problem.", "Wow. I can't believe you just said that to me."),
    ("That's not my problem, I just answer the phone.", "Then put me through to someone whose problem it is."),
    ("You should have read the terms — that's your fault.", "Unbelievable. I'm putting this online."),
)

# Customer moves
_CALM_OPEN = ("Hi, ", "Hello, ", "Hi there, ")
_SORRY_TO_BOTHER = (
    "Hi, sorry to bother you, but ", "Sorry to bother you. ",
    "Hello, I'm sorry to bother you with this, but ",
)
_FRUSTRATED_OPEN = ("Hi. ", "Hello. I'm getting quite frustrated. ", "Right. ", "I need some help, please. ")
# Emails already start with a greeting, so their openers don't say hello again.
_EMAIL_CALM_OPEN = ("", "", "I hope you can help. ", "I'm sorry to bother you, but ")
_EMAIL_FRUSTRATED_OPEN = ("I'm getting quite frustrated. ", "I need some help, please. ", "")
_ANGRY_OPEN = ("I'm absolutely fed up. ", "This is unbelievable. ", "I am so angry right now. ",
               "Honestly, what is going on with your company? ")
_ANGRY_CLOSE = (
    " This is ridiculous.", " I want this sorted today.", " I'm seriously thinking of going elsewhere.",
    " I've already told my friends about this.",
)
_FOLLOW_UP_OPEN = ("I was in touch {prev_on} about this and nothing has happened. ",
                   "This is the second time I've contacted you about this. ",
                   "I spoke to one of your colleagues {prev_on} and was told it would be sorted. It isn't. ")
_REACT_GOOD = (
    "Oh, that's brilliant, thank you.", "Okay, that's a relief.", "Great, that's exactly what I needed.",
    "Wow, okay. I wasn't expecting that, thank you.", "That's really helpful, thanks.",
)
_REACT_PARTIAL = ("Okay... so when will I actually know?", "Right. I was hoping it could be sorted today.",
                  "Fine, I suppose.", "And what happens if nobody gets back to me?")
_REACT_PASS_ON = (
    "So I have to contact someone else? I've already spent ages on this.",
    "Seriously? That's what the last person told me.", "That's ridiculous. Can't you just do it yourself?",
    "So you can't actually help me.",
)
_REACT_QUESTION = (("I did look on the website. That's why I'm asking.", "Okay... I'll try that, I guess."),
                   ("Okay, I'll double-check then.", "Right, not very sure then."),
                   ("Great, thanks!", "Perfect, that's really helpful.", "Oh good, thank you."))
_ASK_WHEN = ("And when will that happen?", "So how long will that take?", "When can I expect that?")
_WHEN_UNKNOWN = ("I'm not sure, sorry.", "I can't really say.", "Hard to say.")
_SOLVED = ("Perfect, that's sorted then. Thank you!", "Great, that's it sorted. Thanks so much.",
           "Brilliant, problem solved. Thank you.", "That's sorted, then. Thanks!")
_THANKS = (
    "Thanks for your help.", "Okay, thank you.", "Thanks, {agent}, I appreciate it.",
    "Cheers, appreciate it.",
)
_END_PARTIAL = ("Okay. I'll wait to hear, then.", "Fine. I hope someone actually follows up this time.",
                "Alright. Thanks, I guess.")
_END_ANGRY = ("This is the worst service I've had in years.", "I'll be taking my business elsewhere.",
              "I'm going to tell everyone I know about this.", "Unbelievable. Goodbye.")
_END_PASSED_ON = ("Okay. Whatever.", "Fine.", "I suppose I'll have to.", "Right. Thanks anyway.")
_NO_MORE = (
    "No, that's everything, thanks.", "That's all, thank you.",
    "No, that's it. Thanks for your help, {agent}.", "Nope, all good. Thanks!",
)
_EXTRA_QUESTIONS = (
    ("Will I get something in writing?", "Yes, you'll get a confirmation email within the next few minutes."),
    ("Do I need to do anything else?", "No, there's nothing else you need to do. It's all done on our side."),
    ("Can you make a note on my account?",
     "Of course. I've added a note so anyone you speak to can see what we've agreed."),
)
_PHONE_FILLERS = ("Yeah, ", "Um, ", "Okay, so ", "Right, ", "So, ")
_NO_FILLER_BEFORE = (
    "Yes", "Yeah", "Okay", "No", "Right", "Fine", "Sure", "Great", "Exactly", "That", "Thanks", "Thank",
    "Perfect", "Brilliant", "Oh", "Wow", "Um", "So", "Excuse", "I'm not", "Again", "For the", "Are you",
)
_AGENT_FILLERS = ("Okay, ", "Right, ", "Sure, ")

# Email and social wrappers
_CUSTOMER_EMAIL_GREETING = ("Hello,", "Hi there,", "Dear Brightwater,", "To whom it may concern,", "Hi,")
_CUSTOMER_EMAIL_SIGN_OFF = (
    "Thanks,\n{full_name}", "Regards,\n{full_name}", "Kind regards,\n{full_name}", "{first}",
    "Many thanks,\n{full_name}",
)
_ANGRY_EMAIL_SIGN_OFF = ("A very disappointed customer,\n{full_name}", "{full_name}")
_CUSTOMER_REPLY_OPEN = ("Thanks for getting back to me. ", "Hi {agent}, ", "Hi, ", "")
_SLOW_REPLY_OPEN = ("Finally. ", "That took a while. ", "Thanks for eventually replying. ")
_AGENT_EMAIL_GREETING = (
    ("Dear Customer,", "Hello,"), ("Hello {name},", "Dear {full_name},"), ("Hi {name},", "Dear {name},"),
)
_AGENT_EMAIL_THANKS = (
    ("We have received your email.", "Your email has been received."),
    ("Thank you for your email.", "Thanks for contacting Brightwater."),
    ("Thank you for taking the time to write to us, and for setting everything out so clearly.",
     "Thanks so much for getting in touch, and for your patience."),
)
_AGENT_EMAIL_SLOW = "I'm sorry it's taken us a while to reply."
_AGENT_EMAIL_SIGN_OFF = (
    ("Regards,\nBrightwater Customer Services",),
    ("Kind regards,\n{agent}\nBrightwater Customer Care",),
    ("Warm regards,\n{agent_full}\n{team}, Brightwater", "Best wishes,\n{agent_full}\nBrightwater {team}"),
)
_AGENT_EMAIL_CLOSE = (
    ("Your reply has been noted.",),
    ("Thanks for letting us know.",),
    ("Thank you for letting me know{addr}. I'm glad that's sorted.", "Thanks for confirming{addr}, and take care."),
)
_SOCIAL_HELLO = ("Hi {name}.", "Hello {name}!", "Hi {name}!")
_SOCIAL_ACK = (("",), ("Thanks for letting us know.", "Thanks for flagging this."),
               ("That's not what we want to hear{addr}.", "That's really frustrating, and I completely understand.",
                "I can see why you're upset."))
_DM_ASK = (("DM us.", "Send us a DM."), ("Can you DM us {dm_ask}?", "Please DM us the details."),
           ("Could you DM us {dm_ask} so we can sort this out straight away?",
            "Please send us a DM with {dm_ask} and I'll look into it right now."))
_SOCIAL_REASK_ANSWER = ("I literally just sent it. {key_value}", "It's in my DM. {key_value}")
_SOCIAL_PUBLIC_THANKS = ("Credit where it's due: @Brightwater sorted this out fast. Thanks {agent}!",
                         "Update: @Brightwater fixed it. Thanks for the quick help.",
                         "Sorted. Thank you @Brightwater, that's how you do it.")
_SOCIAL_SIGNATURE = ("^{initials}", "- {agent}")


# --------------------------------------------------------------------------------------------------
# Situations: what customers get in touch about, with the details and words each side uses


@dataclass(frozen=True, slots=True)
class _Incident:
    """A power or broadband outage that makes many customers in one area get in touch at once."""

    ident: str
    service: str  # "power" | "broadband"
    area: str
    city: str
    cross_street: str  # where the fault is; customers name their own street
    cause: str
    start: datetime
    hours: float

    @property
    def restored(self) -> datetime:
        return self.start + timedelta(hours=self.hours)


@dataclass(frozen=True, slots=True)
class _Context:
    """Where details are anchored: past events to when the customer got in touch (`moment`), promises
    and "today" to when the words are written (`now`), which for an email reply can be days later."""

    moment: datetime
    now: datetime
    customer: _Customer
    incident: _Incident | None


@dataclass(frozen=True)
class _Situation:
    """One kind of contact. Banks are tuples of templates; `clarify` pairs a question with its answer.

    `fix_good` holds (what the agent did, when it takes effect, how the agent follows up) triples, so
    the three always fit together. An empty `mishap` means the company is not at fault.
    """

    key: str
    channels: tuple[str, ...]
    details: Callable[[random.Random, _Context, dict[str, str]], None]
    opening: tuple[str, ...]
    post: tuple[str, ...]
    more: tuple[str, ...]
    reask: tuple[str, ...]
    key_value: str
    reflect: tuple[str, ...]
    clarify: tuple[tuple[str, str], ...]
    dm_ask: str
    dm_answer: tuple[str, ...]
    fix_good: tuple[tuple[str, str, str], ...]
    fix_partial: tuple[str, ...]
    fix_pass_on: tuple[str, ...]
    mishap: tuple[str, ...] = ()
    cause: tuple[str, ...] = ()
    complaint: bool = True
    feeling: tuple[str, ...] = ("",)
    sympathy: tuple[str, ...] = _SYMPATHY
    perks: tuple[str, ...] = _PERKS
    solved: tuple[str, ...] = _SOLVED
    rude: bool = False
    floor_share: float = 0.0  # share of phone contacts that are recordings of a conversation in a store
    # Fair-level words, which situations where the generic ones sound wrong replace.
    vague_cause: tuple[str, ...] = ()
    vague_when: tuple[str, ...] = ()
    vague_follow_up: tuple[str, ...] = ()
    partial_reaction: tuple[str, ...] = ()
    partial_end: tuple[str, ...] = ()


_PRODUCTS = (
    ("oak dining table", 649), ("Harlow armchair", 429), ("air fryer", 119), ("Bluetooth speaker", 79),
    ("standing desk", 389), ("coffee machine", 249), ("43-inch TV", 329), ("queen duvet set", 95),
    ("garden bench", 219), ("bookcase", 159), ("stand mixer", 299), ("cordless vacuum", 279),
    ("wool rug", 189), ("electric kettle", 39), ("bedside table", 119), ("robot vacuum", 349),
    ("patio heater", 199),
)
_GIFTS = (
    ("kids' bike", 139), ("art easel and paint set", 64), ("smartwatch", 199),
    ("pair of wireless headphones", 149), ("remote-control car", 55), ("wooden dollhouse", 120),
    ("telescope", 179), ("scooter", 99), ("board game bundle", 72), ("karaoke machine", 89),
    ("Lego-style castle set", 84), ("keyboard piano", 129),
)
_CHAIRS = (
    ("oak dining chair", 149), ("Sienna office chair", 239), ("Harlow armchair", 429), ("rocking chair", 289),
    ("velvet accent chair", 199), ("kids' desk chair", 79), ("leather recliner", 699),
)
_RECIPIENTS = ("my daughter", "my son", "my mom", "my dad", "my wife", "my husband", "my grandson",
               "my granddaughter", "my best friend", "my niece", "my nephew")
_DEPOTS = ("Tacoma", "Portland North", "Salem", "Spokane", "Boise")
_NUMBER_WORDS = ("six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen", "twenty")


def _common_details(rng: random.Random, context: _Context) -> dict[str, str]:
    """Draw the details most situations share; the case's identity (order, item, amounts) comes first."""
    day, today = context.moment.date(), context.now.date()
    customer = context.customer
    order = str(rng.randint(41_000, 98_999))
    item, price = rng.choice(_PRODUCTS)
    card = f"{rng.randint(0, 9_999):04d}"
    ref = f"BW-{rng.randint(100_000, 999_999)}"
    promise = _business_days_after(today, rng.choice((1, 1, 2, 2, 3)))
    due = day - timedelta(days=rng.randint(2, 6))
    pct = rng.choice(("10", "15", "20", "25"))
    return {
        "order": order,
        "item": item,
        "a_item": _a(item),
        "price": str(price),
        "card": card,
        "ref": ref,
        "name": customer.first,
        "full_name": customer.name,
        "email": customer.email,
        "address": customer.address,
        "number": str(customer.number),
        "street": customer.street,
        "city": customer.city,
        "area": customer.area,
        "store": customer.store,
        "daypart": _daypart(context.now.hour),
        "promise_day": _day_word(today, promise),
        "promise_on": _on_day(today, promise),
        "promise_date": _long_date(promise),
        "refund_date": _long_date(_business_days_after(today, 3)),
        "promise_time": rng.choice(("noon", "2pm", "6pm")),
        "due": f"the {_ordinal(due.day)}",
        "due_day": _weekday(due),
        "credit": rng.choice(("10", "15", "20", "25")),
        "pct": pct,
        "code": rng.choice(("SORRY", "THANKYOU", "WELCOMEBACK")) + pct,
        "depot": rng.choice(_DEPOTS),
        "phone_end": f"{rng.randint(0, 999):03d}",
    }


def _birthday_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    today = context.now.date()
    item, price = rng.choice(_GIFTS)
    party = context.moment.date() + timedelta(days=rng.randint(1, 5))
    promise = _business_days_after(today, 1)
    if party > today:
        promise = min(party, promise)
    recipient = rng.choice(_RECIPIENTS)
    s.update(item=item, a_item=_a(item), price=str(price), recipient=recipient,
             your_recipient=_yours(recipient), party_on=_on_day(today, party),
             promise_day=_day_word(today, promise), promise_on=_on_day(today, promise),
             promise_date=_long_date(promise), promise_time=rng.choice(("noon", "1pm", "5pm")))


def _old_address_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    item, price = rng.choice(_CHAIRS)
    old_street = rng.choice([st for st in _STREETS if st != context.customer.street])
    moved = context.moment.date() - timedelta(days=rng.randint(50, 160))
    s.update(item=item, a_item=_a(item), price=str(price), old_street=old_street,
             old_address=f"{rng.randint(2, 4_980)} {old_street}", moved_month=_MONTHS[moved.month - 1])


def _misdelivered_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    number = context.customer.number
    drop = context.moment.replace(hour=rng.randint(9, 19), minute=rng.randrange(60))
    s.update(other_number=str(number + rng.choice((-6, -4, -2, 2, 4, 6)) if number > 6 else number + 2),
             drop_time=_clock(drop), door_color=rng.choice(("blue", "red", "green", "black", "yellow")))


def _bounced_check_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    payee = rng.choice(("my plumber", "my electrician", "my landlord", "the dentist", "my gardener",
                        "the roofing company", "my piano teacher"))
    pension_day = rng.choice((1, 1, 3, 15))
    your_payee = _yours(payee)
    s.update(payee=payee, payee_cap=payee[0].upper() + payee[1:], your_payee=your_payee,
             Your_payee=your_payee[0].upper() + your_payee[1:], check_amount=str(rng.randint(85, 950)),
             check_no=str(rng.randint(1_020, 2_980)), pension_day=_ordinal(pension_day),
             years=rng.choice(_NUMBER_WORDS), acct=f"{rng.randint(0, 9_999):04d}")


_LOOP_TOPICS = (
    ("change the date my bill is paid", "I've moved your payment date to the {pay_day} of each month",
     "It takes effect from your next bill on {promise_date}.", "I'll email you a confirmation in the next ten minutes."),
    ("register a warranty claim for my {item}",
     "I've registered the warranty claim for your {item} and booked a courier to collect it",
     "The courier will come {promise_on} between 8am and 1pm.", "I'll text you the courier's one-hour window that morning."),
    ("move my broadband to my new address", "I've booked your broadband move to {address}",
     "It will go live at {address} on {promise_date} by 5pm.", "I'll call you {promise_day} afternoon to check you're connected."),
    ("update the card on my account", "I've updated the card on your account",
     "Your next payment on {promise_date} will come from the new card.", "I'll email you a confirmation now."),
    ("get copies of my last three statements", "I've sent your last three statements to {email}",
     "They'll be in your inbox within five minutes.", "I'll email you again tomorrow to check they all arrived."),
)


def _loop_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    s["pay_day"] = _ordinal(rng.choice((1, 5, 10, 15, 20, 25, 28)))
    topic, done, when, follow_up = (part.format_map(s) for part in rng.choice(_LOOP_TOPICS))
    s.update(topic=topic, your_topic=_yours(topic), topic_done=done, topic_when=when,
             topic_follow_up=follow_up,
             wait=str(rng.choice((25, 35, 40, 50, 55, 70))))


def _refund_wait_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    returned = context.moment.date() - timedelta(days=rng.randint(16, 26))
    s.update(return_date=_month_day(returned), n_emails=rng.choice(("three", "four", "five")))


def _outage_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    incident = context.incident
    assert incident is not None, "outage contacts come from an incident"
    now = context.now
    went_off = incident.start.replace(minute=incident.start.minute // 15 * 15)
    days_ago = (now.date() - went_off.date()).days
    went_off_day = "" if days_ago == 0 else " yesterday" if days_ago == 1 else f" on {_weekday(went_off)}"
    # Promise the whole hour after the crew's estimate, and never a time already gone.
    estimate = max(incident.restored, now + timedelta(minutes=50))
    restore = estimate.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    s.update(
        service=incident.service,
        cross_street=incident.cross_street,
        cause_detail=incident.cause,
        out_time=_clock(went_off) + went_off_day,
        restore_time=f"{_clock(restore)} {_day_word(now.date(), restore.date())}",
        update_time=_clock((now + timedelta(hours=2)).replace(minute=0)),
        need=rng.choice(_OUTAGE_NEEDS[incident.service]),
    )


_OUTAGE_NEEDS = {
    "power": ("a freezer full of food", "an elderly mother at home", "a baby at home", "no other heating"),
    "broadband": ("a work deadline today", "kids doing homework online", "a video interview this afternoon",
                  "a home business to run"),
}
_OUTAGE_CAUSES = {
    "power": ("a cable failed at the {cross_street} substation", "a transformer on {cross_street} overheated",
              "a contractor cut through an underground cable on {cross_street}",
              "a storm brought a tree down across the line on {cross_street}"),
    "broadband": ("a fiber cable was cut during roadworks on {cross_street}",
                  "a network cabinet on {cross_street} lost power and its backup battery ran flat",
                  "a faulty switch at our {city} exchange dropped every line in the area"),
}


def _store_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    other = rng.choice([st for city, st in _STORES.items() if city != context.customer.city])
    s.update(other_store=other, queue_minutes=str(rng.choice((15, 20, 25, 30, 40))))


def _double_charge_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    charged = context.moment.date() - timedelta(days=rng.randint(1, 4))
    s.update(amount=f"{rng.randint(24, 480)}.{rng.choice(('00', '49', '95', '99'))}",
             charge_date=_month_day(charged))


_PLANS = (
    ("Brightwater Plus membership", "12.99"), ("fiber broadband plan", "45"),
    ("home insurance add-on", "9.50"), ("monthly coffee subscription", "18"), ("streaming bundle", "14.99"),
    ("appliance cover plan", "11"),
)


def _cancel_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    plan, price = rng.choice(_PLANS)
    today = context.now.date()
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    reason = rng.choice(("moving abroad", "trying to cut costs", "not using it enough",
                         "switching to a plan through work", "moving in with my partner, who already has one"))
    s.update(plan=plan, plan_price=price, bill_end=_long_date(month_end), reason=reason,
             your_reason=_yours(reason))


def _vending_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    s.update(coin=rng.choice(("1.75", "2.50", "3.25", "2.00")),
             snack=rng.choice(("a bottle of water", "a sandwich", "a hot chocolate", "a bag of chips",
                               "a can of soda")),
             spot=rng.choice(("by the checkouts", "near the café", "at the entrance", "by the restrooms")),
             machine_id=f"VM-{rng.randint(100, 899)}")


def _password_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    s.update(device=rng.choice(("iPhone", "Android phone", "laptop", "tablet")),
             link_expiry=_clock(context.now + timedelta(minutes=30)))


_HOLIDAYS = (
    ("Memorial Day", "10am to 6pm"), ("the Fourth of July", "10am to 5pm"), ("Labor Day", "9am to 6pm"),
    ("Thanksgiving", "closed all day, but we open at 6am on Black Friday"), ("Christmas Eve", "9am to 4pm"),
    ("New Year's Day", "11am to 5pm"), ("Presidents' Day", "9am to 8pm"),
)


def _hours_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    holiday, holiday_hours = rng.choice(_HOLIDAYS)
    visit = context.moment.date() + timedelta(days=rng.randint(0, 3))
    s.update(visit_hours=("10am to 6pm" if visit.weekday() == 6 else "9am to 8pm"),
             holiday=holiday, holiday_hours=holiday_hours, visit_on=_on_day(context.now.date(), visit))


_PRODUCT_QUESTIONS = (
    ("Nordby sofa", "Does the Nordby sofa come in grey?",
     "Yes, it comes in grey, navy and oat, and all three are in stock.",
     "If you order today, it can be delivered {promise_on}.", "I'll email you the fabric swatches so you can see the colors."),
    ("Aria desk lamp", "Will the Aria desk lamp work with a dimmer switch?",
     "Yes, it works with standard dimmer switches and takes an E26 bulb.",
     "Our {store} has one on display until the end of the month if you'd like to see it.",
     "I'll email you the spec sheet now."),
    ("Vela air fryer", "Is the basket on the Vela air fryer dishwasher safe?",
     "Yes, the basket and tray are dishwasher safe; only the main unit needs wiping down.",
     "It's on offer at $99 until {promise_date}.", "I'll send you the care guide by email."),
    ("Summit standing desk", "What's the weight limit on the Summit standing desk?",
     "It holds up to 220 pounds, and it goes from 25 to 50 inches high.",
     "Orders placed today arrive {promise_on}.", "I'll email you the assembly video link."),
    ("fiber 500 plan", "Is there a contract on the fiber 500 plan?",
     "It's a 12-month contract at $45 a month, and you can upgrade at any time without a fee.",
     "If you sign up today, we can connect you {promise_on}.", "I'll email you the full plan details now."),
    ("Calm sleep mattress", "How long is the trial on the Calm sleep mattress?",
     "You get 100 nights to try it, and if it's not right we collect it for free.",
     "The trial starts the day it's delivered, and we have delivery slots {promise_on}.",
     "I'll email you the trial terms so you have them."),
    ("Brightwater gift card", "Do your gift cards expire?",
     "No, they never expire, and you can use them online or in any store.",
     "If you buy one today, the e-gift card arrives within ten minutes.", "I'll text you a link to the gift card page."),
)


def _product_details(rng: random.Random, context: _Context, s: dict[str, str]) -> None:
    product, question, answer, when, follow_up = rng.choice(_PRODUCT_QUESTIONS)
    s.update(product=product, question=question, answer=answer.format_map(s), product_when=when.format_map(s),
             product_follow_up=follow_up.format_map(s))


_ORDER_REASK = ("Can I take the order number, please?", "What's the order number?",
                "Sorry, what was the order number again?")

_LATE_BIRTHDAY = _Situation(
    key="late_birthday_order",
    channels=CHANNELS,
    details=_birthday_details,
    opening=(
        "I ordered {a_item} for {recipient}'s birthday, order {order}, and it still hasn't arrived. It was due on {due}, and the birthday is {party_on}.",
        "My order {order} hasn't turned up. It's a birthday present for {recipient}, the birthday is {party_on}, and the tracking hasn't moved since {due_day}.",
        "I'm chasing order {order}. It's {a_item} for {recipient}'s birthday {party_on}. It was supposed to arrive on {due}, and there's still nothing.",
        "I paid extra for delivery on {due} because it's a birthday present, order {order}, {a_item}. It's still not here, and the birthday is {party_on}.",
    ),
    post=(
        "Ordered {a_item} for {recipient}'s birthday. Due {due}, still nothing, and the party is {party_on}. Not impressed @Brightwater",
        "@Brightwater order {order} was due on {due}. It's {recipient}'s birthday {party_on}. Where is it?? #stillwaiting",
        "Thanks @Brightwater for nearly ruining {recipient}'s birthday. Present ordered two weeks ago and still not here.",
    ),
    more=(
        "It's {a_item}. The tracking has said 'in transit' since {due_day}, and nobody has called me.",
        "I paid ${price} for it and chose the delivery date specially. The birthday is {party_on}.",
    ),
    reask=_ORDER_REASK,
    key_value="It's {order}.",
    reflect=(
        "So order {order}, the {item}, was due on {due}, it still hasn't arrived, and you need it for the birthday {party_on}.",
        "Just so I've got this right: the {item} for {your_recipient}'s birthday was promised for {due}, and the tracking hasn't moved since {due_day}.",
    ),
    clarify=(
        ("Could you confirm the delivery address for me, so I know it's going to the right place?", "It's {address}."),
        ("Is there a time {promise_on} when someone will definitely be at home?", "I'm home all morning {promise_on}, so before noon is best."),
        ("Would it help if we delivered it somewhere else, like your workplace?", "No, home is fine. It's {address}."),
    ),
    dm_ask="your order number and delivery address",
    dm_answer=("Order {order}, going to {address}.", "It's {order}. Address is {address}. Party is {party_on}!"),
    fix_good=(
        ("I've sent a replacement {item} from our {depot} warehouse by express courier, at no cost to you.",
         "It will arrive {promise_on} before {promise_time}, in time for the birthday.",
         "I'll email you the tracking number tonight, and I'll text you when the van is on its way."),
        ("I've upgraded your parcel to priority delivery and booked it onto the first van out of {depot}.",
         "The driver will bring it {promise_on} between 8am and {promise_time}.",
         "I'll call you {promise_day} morning to make sure it's arrived."),
        ("I've had the {depot} depot pull your parcel out of the backlog and put it on a dedicated delivery.",
         "It will be with you {promise_on} before {promise_time}.",
         "I'll send you a text with the driver's one-hour window first thing {promise_day}."),
    ),
    fix_partial=("I've raised a trace with the courier to find out where it is.", "I've flagged the order as urgent with the depot."),
    fix_pass_on=("You'll need to contact the courier directly about this; their number is on the tracking page.",
                 "I'll have to transfer you to our deliveries team, because they deal with late parcels."),
    mishap=("your parcel sat at our {depot} depot for three days and nobody told you",
            "we missed the delivery date we promised you",
            "your order was held up at our depot and we didn't let you know"),
    cause=("the parcel was left behind at our {depot} depot when a van broke down on {due_day}, and it wasn't put on the next run",
           "the parcel missed a scan at our {depot} depot, so it wasn't loaded onto the van it should have been on",
           "a sorting machine at the {depot} depot failed last week, and your parcel was stuck in the backlog"),
    feeling=(", especially with the birthday {party_on}", " when it's a birthday present", ""),
    solved=("That's perfect, thank you. You've saved the birthday!", "Brilliant, that's a weight off. Thanks so much."),
)

_OLD_ADDRESS = _Situation(
    key="old_address",
    channels=CHANNELS,
    details=_old_address_details,
    opening=(
        "My {item} has been delivered to my old address at {old_address}. I moved in {moved_month}, and I updated my address on my account straight away. Order {order}.",
        "I ordered {a_item}, order {order}, and you've shipped it to {old_address}. I haven't lived there since {moved_month}!",
        "Order {order} went to my old place on {old_street}. I changed my address on your website months ago, so I don't understand how this happened.",
    ),
    post=(
        "Updated my address in {moved_month}. @Brightwater still sent my {item} to my old place. Brilliant.",
        "@Brightwater how do you ship {a_item} to an address I moved out of in {moved_month}? Order {order}.",
    ),
    more=(
        "It's {a_item}, ${price}. The tracking says it was signed for at {old_address}, and I don't know the new tenants.",
        "I live at {address} now. I changed it in my account settings in {moved_month}.",
    ),
    reask=_ORDER_REASK,
    key_value="It's {order}.",
    reflect=(
        "So you moved to {address} in {moved_month} and updated your account, but order {order} still went to {old_address}.",
        "Let me make sure I've got this: the {item} was signed for at your old address on {old_street}, even though your account has shown {address} since {moved_month}.",
    ),
    clarify=(
        ("Could you confirm your new address is {address}?", "Yes, that's right, {address}."),
        ("Have you been able to speak to the people living at {old_address} yet?", "I knocked yesterday, but nobody answered."),
        ("Would you like a replacement sent, or would you prefer a refund?", "A replacement, please. I still want the chair."),
    ),
    dm_ask="your order number and new address",
    dm_answer=("Order {order}. New address is {address}.", "{order}, and I'm at {address} now."),
    fix_good=(
        ("I've sent a brand-new {item} to {address} by express delivery, and I've deleted the old address from your account so it can't happen again.",
         "The new one will be with you {promise_on} between 8am and noon.",
         "I'll email you the tracking link within the hour."),
        ("I've arranged for our driver to collect the {item} from {old_address}, and a new one is on its way to {address} today.",
         "It's booked for delivery {promise_on}, and the driver will text you a one-hour window that morning.",
         "I'll call you {promise_day} afternoon to check it's arrived safely."),
    ),
    fix_partial=("I've asked the delivery team to see whether the {item} can be recovered.",
                 "I've put a note on the order for the warehouse team to review."),
    fix_pass_on=("You'll need to go to {old_address} and ask the new residents for it.",
                 "You'll need to call the courier to arrange a redirect."),
    mishap=("we sent your {item} to your old address", "our system used your old address even though you'd updated it"),
    cause=("your new address was saved, but the order picked up an old entry from your address book, and our checkout didn't flag it",
           "an update to our website last month made some orders use the first saved address instead of the default one"),
    feeling=(", because you did everything right", ""),
    solved=("Great, that sorts it. Thanks for fixing it properly.",),
)

_MISDELIVERED = _Situation(
    key="misdelivered",
    channels=CHANNELS,
    details=_misdelivered_details,
    opening=(
        "The tracking says my {item} was delivered at {drop_time} yesterday, but it's not here. The photo shows a door that isn't mine. Order {order}.",
        "Order {order} was marked as delivered, but I never got it. I've already checked with my neighbors on {street}.",
        "Your driver left my parcel somewhere, but not at my house. The delivery photo shows a {door_color} door, and mine is white. Order {order}.",
    ),
    post=(
        "@Brightwater says my parcel was delivered. It wasn't. The photo is of someone else's front door. Order {order}.",
        "Parcel 'delivered' to a house that isn't mine. Great job @Brightwater #wheresmyparcel",
    ),
    more=(
        "It was {a_item}. My address is {address}. I was home all day and nobody knocked.",
        "The photo shows a {door_color} door with the number {other_number} on it. I'm at number {number}.",
    ),
    reask=_ORDER_REASK,
    key_value="It's {order}.",
    reflect=(
        "So order {order} shows as delivered at {drop_time}, but the photo doesn't match your house and nothing has turned up.",
        "So the driver's photo shows a {door_color} door, which isn't yours, and you've already asked around on {street}.",
    ),
    clarify=(
        ("Could you describe your front door? Then I can compare it with the driver's photo.", "It's white, with a brass knocker."),
        ("Have you had a chance to check with the house at number {other_number}?", "Not yet. I'll try tonight."),
        ("Is there a safe place where you'd like a replacement left if you're out?", "The side gate is fine, there's a porch back there."),
    ),
    dm_ask="your order number and address",
    dm_answer=("Order {order}, {address}.", "{order}. I'm at number {number}, {street}."),
    fix_good=(
        ("I've sent a replacement {item} out today, and if the original turns up, you're welcome to keep it.",
         "The replacement will be with you {promise_on} by 6pm at the latest.",
         "I'll email you tonight with the tracking number for the replacement."),
        ("I've refunded the full ${price} to your card, and we'll collect the parcel from number {other_number} ourselves.",
         "The refund will show on your card within 3 working days, by {refund_date} at the latest.",
         "I'll email you the refund confirmation in the next few minutes."),
    ),
    fix_partial=("I've opened an investigation with the driver's depot.", "I've asked the driver to go back and check."),
    fix_pass_on=("You'll have to report it to the courier as lost, because they handle that.",
                 "You'll need to ask your neighbors. Once it's marked delivered, there's nothing we can do."),
    mishap=("our driver left your parcel at the wrong house", "we delivered your order to the wrong address"),
    cause=("the driver's GPS shows the parcel was dropped at number {other_number}, not number {number}",
           "the driver scanned the wrong house number on {street}, so the parcel was left a few doors down"),
    solved=("Perfect, thank you. That's sorted then.",),
)

_BOUNCED_CHECK = _Situation(
    key="bounced_check",
    channels=CHANNELS,
    details=_bounced_check_details,
    opening=(
        "You bounced check {check_no}, which I wrote to {payee} for ${check_amount}, and then charged me a $30 fee. My pension has gone into this account on the {pension_day} of every month for {years} years.",
        "I'd like to know why check number {check_no} was returned. My pension arrived the same morning, like it does every month, and you've still taken a $30 penalty.",
        "I'm writing to thank you for bouncing check {check_no} to {payee}. Apparently a few hours was all it took, and you charged me $30 for the privilege. My pension has landed on the {pension_day} of the month for {years} years.",
        "{payee_cap} has just told me that check {check_no} for ${check_amount} bounced. The money was there by lunchtime, because it's my monthly pension, and now there's a $30 fee on my statement.",
    ),
    post=(
        "@Brightwater bounced my check to {payee} hours before my pension landed, like it has every month for {years} years. Then charged me $30. Shameful.",
        "{years} years of the same pension deposit and @Brightwater still bounces a ${check_amount} check and fines me $30. Lovely.",
    ),
    more=(
        "The check was for ${check_amount}, to {payee}. My pension goes in on the {pension_day}.",
        "It was check number {check_no}. I've never been overdrawn in {years} years.",
    ),
    reask=("Can I take the check number, please?", "And which check was it?", "Sorry, what was the check number?"),
    key_value="Check {check_no}.",
    reflect=(
        "So your pension arrived on the {pension_day} as usual, check {check_no} to {your_payee} for ${check_amount} was presented a few hours earlier that day, and we returned it and charged you $30.",
        "So you've had the same pension deposit every month for {years} years, and we still bounced a ${check_amount} check on the morning it was due.",
    ),
    clarify=(
        ("Could you confirm the last four digits of the account, so I'm looking at the right one?", "It ends in {acct}."),
        ("Do you know roughly what time {your_payee} presented the check?", "Early in the morning, I think. The pension was in by nine."),
        ("Has {your_payee} charged you anything because of the returned check?", "Not yet, but I'm mortified."),
    ),
    dm_ask="the check number and the last four digits of your account",
    dm_answer=("Check {check_no}, account ending {acct}.", "It's check {check_no}. Account ends {acct}."),
    fix_good=(
        ("I've refunded the $30 fee to your account and sent a letter to {your_payee} confirming the mistake was ours.",
         "The $30 will be back in your account by the end of today.",
         "I'll email you a copy of the letter tonight, so you have it too."),
        ("I've reversed the $30 fee and re-sent the check, so {your_payee} will be paid.",
         "{Your_payee} will receive the payment by {promise_date}.",
         "I'll call you {promise_day} to confirm the payment has gone through."),
    ),
    fix_partial=("I've asked our fees team to review the $30 charge.", "I've put in a request to have the fee looked at."),
    fix_pass_on=("You'll need to call our billing department about the fee; I can't refund charges from here.",
                 "You'll have to go into a branch to dispute that fee."),
    mishap=("we returned your check even though your pension was arriving that same morning",
            "we charged you a $30 fee that we shouldn't have"),
    cause=("the check was presented at 6am and your pension landed at 9am, and our system checks the balance at one moment and ignores deposits due that day",
           "our overnight run processed the check before the day's deposits, so it looked as if the money wasn't there"),
    feeling=(", especially after {years} years with us", ""),
    perks=("I've also switched on a $200 overdraft buffer at no cost, so this can't happen again on the morning your pension is due.",
           "As an apology, I've added a $25 credit to your account."),
    solved=("Yes, I can see the $30 back in my account now. Thank you.", "Well, that's more like it. Thank you."),
)

_UNMANNED_CHAT_LOOP = _Situation(
    key="unmanned_chat_loop",
    channels=CHANNELS,
    details=_loop_details,
    opening=(
        "Finally, a real person. I've spent two days trying to {topic}. The website doesn't explain it, the chat said an agent would join and nobody ever did, and your phone menu keeps telling me to check the website.",
        "I've been on hold for {wait} minutes. I tried the chat first and nobody was there, then the automated line told me to look on the website, which is where I started. All I want is to {topic}.",
        "I just want to {topic}. Your help page doesn't cover it, your chat says 'online' but nobody answers, and when I ring, I go round the same phone menu until it hangs up on me.",
    ),
    post=(
        "@Brightwater your chat says 'online' but nobody's there, and your phone line tells me to check the website. I just want to {topic}. Anyone?",
        "Day 2 of trying to {topic}. Chat: empty. Phone: 'please visit our website'. Website: nothing. @Brightwater",
    ),
    more=(
        "I tried the chat twice yesterday. It said I was first in the queue for forty minutes.",
        "The phone menu says press 3 for accounts, then it plays a message telling me to go online and hangs up.",
    ),
    reask=("Sorry, what is it you're trying to do?", "And what was it you needed help with?"),
    key_value="I want to {topic}.",
    reflect=(
        "So you've tried the website, then the chat, which nobody answered, and then the phone line sent you back to the website, all just to {your_topic}.",
        "So you've lost two days going between an empty chat and a phone menu, when all you need is to {your_topic}.",
    ),
    clarify=(
        ("Which option did you choose in the phone menu? I'd like to report the loop so nobody else gets stuck.", "Option 3, then option 1."),
        ("Could you confirm the email address on your account, so I can find you?", "It's {email}."),
    ),
    dm_ask="the email address on your account",
    dm_answer=("It's {email}. I want to {topic}.", "{email}. Thanks for actually answering."),
    fix_good=(("{topic_done}. I've also reported the chat and phone fault to our support team.", "{topic_when}", "{topic_follow_up}"),),
    fix_partial=("I've logged a request for that change.", "I've passed your request to the accounts team."),
    fix_pass_on=("The quickest way is to do that on our website under My Account.", "You'll need to call the other number for that."),
    mishap=("our chat said someone was available when nobody was",
            "our phone menu sent you round in circles instead of putting you through to a person"),
    cause=("our chat showed as online because of a scheduling error, even though nobody was logged in, and the phone option you chose only plays a recorded message",
           "we changed the phone menu last week, and that option now loops back to a recording by mistake"),
    feeling=(", after two days of going round in circles", ""),
    solved=("Thank you. You've done in two minutes what I've been trying to do for two days.", "That worked, thanks!"),
)

_PUBLIC_REFUND_WAIT = _Situation(
    key="public_complaint",
    channels=("social",),
    details=_refund_wait_details,
    opening=(),
    post=(
        "Three weeks waiting for a ${price} refund and {n_emails} emails ignored. @Brightwater you are a joke. Telling everyone I know.",
        "@Brightwater I returned {a_item} on {return_date} and I'm STILL waiting for my ${price}. Never shopping with you again.",
        "Honestly @Brightwater, how hard is it to refund ${price}? Three weeks. {n_emails} emails. Zero replies.",
    ),
    more=("Returned the {item} at your {store} on {return_date}. Order {order}. Nobody answers the emails.",),
    reask=_ORDER_REASK,
    key_value="Order {order}.",
    reflect=("So you returned the {item} on {return_date}, you're still waiting for the ${price} refund, and nobody has answered your emails.",),
    clarify=(("Do you still have the returns receipt? A photo of it would help.", "Yes, sending a photo now."),),
    dm_ask="your order number and the email you wrote from",
    dm_answer=("Order {order}, email {email}.", "{order}. Emails came from {email}. Returned it {return_date}."),
    fix_good=(("I've processed the ${price} refund to your card just now.",
               "It'll show on your statement within 3 working days, by {refund_date} at the latest.",
               "I'll DM you {promise_day} to check it's arrived."),),
    fix_partial=("I've escalated your refund to the returns team.",),
    fix_pass_on=("Please email our returns team and they'll look into it.", "Please call our returns line on weekdays."),
    mishap=("we left you waiting three weeks for your money", "we ignored your emails"),
    cause=("your return reached our warehouse on {return_date}, but the refund never triggered because it was logged against the wrong order",
           "your emails went to an inbox that wasn't being checked while we moved systems"),
    solved=("Refund showing as pending. Thanks for actually sorting it.", "Got the confirmation. Fair play, that was quick."),
)

_PUBLIC_DAMAGED = _Situation(
    key="public_complaint",
    channels=("social",),
    details=_refund_wait_details,
    opening=(),
    post=(
        "@Brightwater my new {item} arrived damaged, I've emailed {n_emails} times and heard nothing. Never again. #customerservice",
        "Paid ${price} for {a_item} that arrived broken. Two weeks, no reply. @Brightwater do you even read your emails?",
        "Dear @Brightwater, {a_item} with a smashed corner is not what I paid ${price} for. Still waiting on a reply to {n_emails} emails.",
    ),
    more=("It's {a_item}, order {order}. The box was crushed and one corner is smashed.",),
    reask=_ORDER_REASK,
    key_value="Order {order}.",
    reflect=("So your {item} arrived damaged, you've emailed us {n_emails} times, and nobody has replied.",),
    clarify=(("Could you send us a photo of the damage?", "Sent. You can see the corner's smashed."),),
    dm_ask="your order number and a photo of the damage",
    dm_answer=("Order {order}. Photo attached.", "{order}, photo attached. The corner is smashed."),
    fix_good=(("I've arranged a replacement {item}, and we'll take the damaged one away when we deliver.",
               "It will arrive {promise_on}, and the driver will text you a one-hour window that morning.",
               "I'll DM you the tracking number as soon as it leaves the warehouse today."),),
    fix_partial=("I've passed your photos to the damages team.",),
    fix_pass_on=("Please fill in the damaged-goods form on our website.",),
    mishap=("your {item} arrived damaged and we didn't answer your emails",),
    cause=("the {item} was damaged in our warehouse, and your emails went to a team that had been moved to another queue",),
    solved=("Replacement booked. Thank you, that's what I wanted.",),
)

_OUTAGE_COMMON = dict(
    key="outage",
    channels=("phone", "chat", "social"),
    details=_outage_details,
    reask=("Where is it you're located?", "Which street is that?"),
    key_value="I'm on {street}, in {area}.",
    dm_ask="your address",
    dm_answer=("{address}. Whole street is out.", "I'm at {address}."),
    fix_good=(
        ("I've added your home to the fault report and applied a ${credit} credit to your account for the lost {service}.",
         "The crew is on site now and expects to have the {service} back by {restore_time}.",
         "I'll text you as soon as it's back on, and again at {update_time} with an update either way."),
        ("I've logged your home against the fault and arranged a ${credit} credit for the time you've been without {service}.",
         "Engineers expect to restore it by {restore_time}, and if that changes, you'll hear from us before then.",
         "I'll send you a text update every two hours until it's fixed."),
    ),
    fix_partial=("I've logged your address against the fault.", "I've added your report to the fault."),
    fix_pass_on=("You'll need to check the outage map on our website for updates.", "You'll need to call our emergency line for that."),
    mishap=("the {service} in your area has been down for hours and we didn't keep you updated",
            "we left you without {service} and without any updates"),
    cause=("the {service} on your block is out because {cause_detail}", "{cause_detail}, and that's what cut the {service} to {street}"),
    feeling=(", especially with {need}", ""),
    perks=(),
    vague_when=("Hopefully it'll be back on soon.", "The engineers are working on it as fast as they can."),
    partial_end=("Okay. I'll keep waiting, then.", "Fine. I hope it's back on soon."),
    solved=("Okay. Thanks for your help.", "Right, that helps. Thank you."),
)
_POWER_OUTAGE = _Situation(
    **_OUTAGE_COMMON,
    opening=(
        "The power's been off on {street} since {out_time}, and nobody has told us anything. Is anyone working on it?",
        "Our whole block in {area} has no power. I work from home. What's going on?",
        "I've had no power since {out_time}, and neither have my neighbors on {street}. I've got {need}.",
    ),
    post=(
        "Whole block on {street} without power since {out_time}. Any update @Brightwater?",
        "Still no power in {area}. Zero updates. Come on @Brightwater",
        "@Brightwater is anyone actually working on the power cut in {area}? Half of {street} is standing outside.",
    ),
    more=("It went off at about {out_time}, and it's the whole street, even the streetlights.",
          "Everyone on {street} is affected. I'm at {address}."),
    reflect=("So the power went off on {street} at about {out_time}, it's the whole block, and you haven't had a single update.",),
    clarify=(
        ("Is it just your home, or are your neighbors affected too?", "It's everyone. The whole street."),
        ("Could you check whether your main breaker has tripped, just so we can rule that out?", "I checked. The breaker's fine."),
    ),
)
_BROADBAND_OUTAGE = _Situation(
    **_OUTAGE_COMMON,
    opening=(
        "Our broadband has been down since {out_time}, and so has everyone's on {street}. Is anyone working on it?",
        "The whole of {area} seems to have lost broadband. I've got {need}. What's going on?",
        "No internet since {out_time}. My neighbors on {street} are the same. Nobody has told us anything.",
    ),
    post=(
        "No broadband on {street} since {out_time}. Any update @Brightwater?",
        "Whole of {area} offline and not a word from @Brightwater. #outage",
    ),
    more=("It dropped at about {out_time}. The router light's been red ever since.", "Everyone on {street} is offline. I'm at {address}."),
    reflect=("So the broadband dropped on {street} at about {out_time}, your neighbors are offline too, and nobody has updated you.",),
    clarify=(
        ("Is the light on your router showing red?", "Yes, solid red."),
        ("Have your neighbors lost their connection too, or is it just you?", "Everyone on the street. We've got a group chat going."),
    ),
)

_STORE_RUDE_COMMON = dict(
    key="rude_store_customer",
    details=_store_details,
    rude=True,
    vague_cause=("We're a bit short-handed today.", "It's been a busy day, I'm afraid."),
    vague_when=("It shouldn't take long.", "Someone will sort it shortly."),
    vague_follow_up=("Someone will come and find you.", "We'll let you know."),
    partial_reaction=("Fine, I suppose.", "And how long is that going to take?", "Well, hurry up, then."),
    partial_end=("Fine. I'll wait.", "Whatever. Just be quick."),
)
_RUDE_STOCK = _Situation(
    **_STORE_RUDE_COMMON,
    channels=("phone", "chat"),
    floor_share=0.6,
    opening=(
        "Your website said the {item} was in stock at the {store}. I drove forty minutes to get here, and now I'm told there's none. Are you people completely useless?",
        "Don't give me that. The app said three {item}s in stock at this store. Do any of you actually know what you're selling?",
    ),
    post=(),
    more=("I checked the app this morning and it said three in stock. I took a screenshot.",),
    reask=("Sorry, which product was it?", "And what was it you were after?"),
    key_value="The {item}. Like I said.",
    reflect=("So the website showed the {item} in stock here this morning, you drove forty minutes for it, and it isn't on the shelf.",),
    clarify=(
        ("Would you like me to check whether another store has one, or would delivery to your home suit you better?", "Delivery, I suppose, if it's quick."),
        ("Do you have the screenshot of the stock page? It'll help me report the error.", "Yes, here. It clearly says in stock."),
    ),
    dm_ask="", dm_answer=(),
    fix_good=(
        ("I've reserved the last {item} at our {other_store} and it's coming here on the van, or I can send it to your home free of charge.",
         "It'll be here for collection {promise_on} after 2pm, or at your home {promise_on} by 6pm.",
         "I'll text you the moment it's ready."),
        ("I've ordered one for delivery straight to your home, free of charge.",
         "It will arrive {promise_on} before {promise_time}.",
         "I'll email you the tracking number tonight."),
    ),
    fix_partial=("I've put your name down for the next delivery.",),
    fix_pass_on=("You'll have to order it online yourself.", "You'll need to call the customer service line about stock problems."),
    mishap=("our website showed stock we didn't have", "we wasted your trip because our stock levels were wrong"),
    cause=("the last {item} sold yesterday, but our stock system only updates overnight, so the website still showed it",
           "a delivery of {item}s was due this morning, and the website counted it before it arrived"),
    perks=("I've also put a ${credit} gift card on your account for the wasted trip.",),
    solved=("Fine. Thank you. Sorry for snapping, it's been a long day.", "Okay. That's actually helpful. Sorry I lost my temper."),
)
_RUDE_QUEUE = _Situation(
    **_STORE_RUDE_COMMON,
    channels=("phone",),
    floor_share=1.0,
    opening=(
        "I've been standing in this line for {queue_minutes} minutes, and there's one register open. One! Do any of you actually work here?",
        "This is a joke. {queue_minutes} minutes in line with a screaming toddler, and half your staff are standing around chatting.",
    ),
    post=(),
    more=("There are twelve people behind me and only one register open.",),
    reask=("Sorry, how long did you say you'd been waiting?",),
    key_value="{queue_minutes} minutes!",
    reflect=("So you've been in line for {queue_minutes} minutes with only one register open, and nobody has come to help.",),
    clarify=(("Is it just these few things you're buying today?", "Yes, just these."),),
    dm_ask="", dm_answer=(),
    fix_good=(("I've opened this register for you now, and I'll put your things through myself.",
               "We'll have a second register open within five minutes for everyone else.",
               "I'll tell the store manager what happened today so it doesn't happen again."),),
    fix_partial=("I'll ask someone to open another register.",),
    fix_pass_on=("You'll need to take it up with the manager. I just work the floor.",),
    mishap=("we didn't have enough registers open", "we left you waiting far too long"),
    cause=("two of our cashiers called in sick this morning, and we didn't move anyone from the floor to cover",),
    perks=("Here's a ${credit} voucher for your next visit, for the wait.",),
    solved=("Okay. Thank you. Sorry for shouting.", "Right. Thanks, that's better."),
)
_RUDE_NO_RECEIPT = _Situation(
    **_STORE_RUDE_COMMON,
    channels=("phone", "chat"),
    floor_share=0.6,
    opening=(
        "I want a refund for this {item}. No, I don't have the receipt, but I bought it here, and I'm not leaving until you give me my money back.",
        "Why are you being so difficult? It's {a_item}, I bought it at the {store}, and I want my money back. Receipt or no receipt.",
    ),
    post=(),
    more=("I paid with my card about three weeks ago.",),
    reask=("Sorry, what was the item?",),
    key_value="The {item}!",
    reflect=("So you bought the {item} here about three weeks ago, paid by card, and you don't have the receipt.",),
    clarify=(("Do you still have the card you paid with? I can find the purchase that way.", "Yes, here."),),
    dm_ask="", dm_answer=(),
    fix_good=(("I've found the purchase on your card, and I've refunded the ${price} to it.",
               "It'll be back on your card within 3 working days, by {refund_date}.",
               "I'll print you a refund receipt now, so you have it in writing."),),
    fix_partial=("I can give you store credit while I check with the manager about a refund.",),
    fix_pass_on=("Without a receipt, you'll need to contact customer service online.",),
    sympathy=("I'm sorry this has been such a hassle{addr}.",),
    cause=("refunds without a receipt need the purchase to be found on your card, which is why I asked",),
    solved=("Oh. Okay. Thank you. Sorry I was short with you.", "Right. Thanks, that's fine then."),
)

_DOUBLE_CHARGE = _Situation(
    key="double_charge",
    channels=CHANNELS,
    details=_double_charge_details,
    opening=(
        "I've been charged twice for the same order: two payments of ${amount} on {charge_date}, both for order {order}.",
        "There are two identical payments of ${amount} to Brightwater on my card from {charge_date}. I only placed one order, number {order}.",
        "You've taken ${amount} from my account twice for order {order}. I'd like the second one back, please.",
    ),
    post=("@Brightwater just took ${amount} off my card. Twice. For one order. Who do I talk to?",
          "Charged twice by @Brightwater for the same order. ${amount} x 2. Not cool."),
    more=("It's the card ending {card}. Both payments say BRIGHTWATER ONLINE.", "I can see both in my banking app, same time, same amount."),
    reask=_ORDER_REASK,
    key_value="It's order {order}.",
    reflect=("So you can see two payments of ${amount} on {charge_date}, both for order {order}, and you only placed one order.",),
    clarify=(
        ("Could you tell me the last four digits of the card, so I can find both payments?", "It ends in {card}."),
        ("Are both payments showing as completed, or is one still pending?", "Both are completed. The money's gone."),
    ),
    dm_ask="your order number and the last four digits of the card",
    dm_answer=("Order {order}, card ending {card}.", "{order}. Card ends {card}."),
    fix_good=(
        ("I've refunded the duplicate ${amount} to your card ending {card}.",
         "It'll show as pending straight away and clear within 3 working days, by {refund_date} at the latest.",
         "I'll email you the refund reference, {ref}, in the next ten minutes."),
        ("I've cancelled the second payment and refunded the ${amount}.",
         "You'll see it back on your card by {promise_date}.",
         "I'll check {promise_on} that it has cleared and email you either way."),
    ),
    fix_partial=("I've asked our payments team to investigate the second charge.",),
    fix_pass_on=("You'll need to contact your bank to dispute the second payment.",
                 "You'll need to call our billing department for refunds."),
    mishap=("we took your payment twice", "our payment system charged you twice for one order"),
    cause=("when the payment page timed out, our system retried the payment and didn't cancel the first one",
           "a fault with our card processor duplicated a batch of payments on {charge_date}"),
    solved=("Yes, I can see the refund pending in my banking app now. Thank you!", "Got the email with the reference. Thanks, that's sorted."),
)

_CANCEL = _Situation(
    key="cancel_subscription",
    channels=CHANNELS,
    details=_cancel_details,
    opening=(
        "I'd like to cancel my {plan}, please. I tried to do it online, but I can't find a cancel button anywhere.",
        "Please cancel my {plan} from this month. I'm {reason}.",
        "How do I cancel the {plan}? I've looked everywhere in the app.",
    ),
    post=("@Brightwater how do I cancel my {plan}? There's no button anywhere in the app.",),
    more=("It's ${plan_price} a month, and I'm {reason}.", "The account's under {email}."),
    reask=("Sorry, which plan was that?", "And what is it you'd like to cancel?"),
    key_value="The {plan}.",
    reflect=("So you'd like to cancel your {plan} at ${plan_price} a month, because you're {your_reason}.",
             "So you want to cancel the {plan}, and the app doesn't give you a way to do it."),
    clarify=(
        ("Would you like it to end today, or at the end of your billing month on {bill_end}?", "End of the month is fine."),
        ("Before I do that, would a cheaper plan help, or would you rather just cancel?", "No, just cancel it, please."),
    ),
    dm_ask="the email address on your account",
    dm_answer=("It's {email}. I want to cancel the {plan}.",),
    fix_good=(
        ("I've cancelled your {plan}; your cancellation reference is {ref}.",
         "You won't be charged again after {bill_end}, and you keep the benefits until then.",
         "I'll email the confirmation to you in the next few minutes."),
    ),
    fix_partial=("I've put in a cancellation request.",),
    fix_pass_on=("I'll need to transfer you to our retentions team, because only they can cancel.",
                 "You'll have to send us a cancellation letter by post."),
    cause=("cancellations have to be done by an agent at the moment, because the online form was taken down for an update",),
    sympathy=("I'm sorry it's been so hard to find{addr}.", "Sorry you've had to go hunting for it{addr}."),
    solved=("Great, I've got the email. That's done then, thanks.", "Perfect, that was easier than I expected. Thanks."),
)

_VENDING = _Situation(
    key="vending_machine",
    channels=CHANNELS,
    details=_vending_details,
    opening=(
        "The vending machine {spot} at your {store} took ${coin} and didn't give me anything.",
        "Your drinks machine at the {store} swallowed my money again. That's the second time this week. ${coin} gone.",
        "I put ${coin} in the machine {spot} for {snack}, and it just kept the money. Someone's stuck a note on it saying it's broken, so why is it still switched on?",
    ),
    post=("The vending machine at the @Brightwater {store} has eaten my ${coin}. Again. Maybe fix it?",),
    more=("It was {snack}. The screen says 'vend failed', and the coin return does nothing.", "I paid by card, so it should show on your system."),
    reask=("Which store was that?", "Sorry, where was the machine?"),
    key_value="The {store}.",
    reflect=("So the machine at the {store} took your ${coin} and didn't give you anything.",),
    clarify=(
        ("Did you pay by card or with coins?", "Card. The payment went through."),
        ("Could you tell me the number on the sticker on the front of the machine?", "It says {machine_id}."),
    ),
    dm_ask="the number on the machine's sticker and how you paid",
    dm_answer=("It's {machine_id}. Paid by card.",),
    fix_good=(
        ("I've refunded the ${coin} to your card and switched the machine off until it's repaired.",
         "The engineer is booked for {promise_day} morning, so it'll be working again by lunchtime.",
         "I'll email you once the engineer has been."),
        ("I've put ${coin} back on your card and put an out-of-order notice on the machine.",
         "It'll be repaired by {promise_date}.", "I'll text you when it's working again."),
    ),
    fix_partial=("I've reported the machine to facilities.",),
    fix_pass_on=("The machines are run by a separate company, and their number is on the sticker on the side.",),
    mishap=("our vending machine took your money", "we left a broken machine switched on"),
    cause=("the coin mechanism on that machine jammed on {due_day}, and it wasn't switched off while we waited for the engineer",
           "the card reader on that machine takes the payment even when the vend fails, and we haven't had it repaired"),
    perks=("Here's a voucher for a free hot drink at our café, too.", "I've also added a $5 store voucher to your account for the hassle."),
    solved=("Oh, that's kind. Thanks, that's sorted then.",),
)

_PASSWORD_COMMON = dict(
    key="password_reset",
    channels=CHANNELS,
    details=_password_details,
    reask=("What's the email address on the account?", "Can I take the email address on the account, please?"),
    key_value="It's {email}.",
    dm_ask="the email address on your account",
    dm_answer=("It's {email}.",),
    fix_partial=("I've raised a ticket with our IT team.",),
    fix_pass_on=("You'll need to use the 'Forgot password' page on the website.", "You'll have to call our technical team on the other number."),
    solved=("Okay, I'm in. That worked, thanks!", "Got it, I'm logged in now. Thank you!", "That worked, thanks!"),
)
_PASSWORD_EMAIL_DELAY = _Situation(
    **_PASSWORD_COMMON,
    opening=(
        "I can't log in to my account. I've asked for a password reset three times, and the email never arrives. My email is {email}.",
        "I've been trying to reset my password all morning. I've asked for the link four times, and nothing arrives. The account email is {email}.",
    ),
    post=("@Brightwater password reset emails just don't arrive. Tried 4 times. Locked out of my account.",),
    more=("I've checked my spam folder too. Nothing.", "I'm on my {device}, if that matters."),
    reflect=("So you've asked for the reset link several times today, and none of the emails has arrived at {email}.",),
    clarify=(
        ("Have you had a chance to check your spam or junk folder?", "Yes, I've checked. Nothing there."),
        ("Is the mobile number on the account still the one ending {phone_end}?", "Yes, that's my number."),
    ),
    fix_good=(("I've sent a new reset link by text to the number ending {phone_end}. It's valid for 30 minutes, so could you try it now?",
               "The link works until {link_expiry}, and you'll be able to log in straight away.",
               "I'll email you a confirmation once you're back in."),),
    mishap=("our reset emails weren't being delivered", "our password reset let you down"),
    cause=("our email provider had a delay this morning, so reset emails were queued for up to two hours",
           "a change we made yesterday sent reset emails to a queue that wasn't being processed"),
)
_PASSWORD_LOCKED = _Situation(
    **_PASSWORD_COMMON,
    opening=(
        "My account's locked because I got the password wrong a few times, and now I can't get in at all. It's under {email}. I need to pay a bill today.",
        "I've forgotten my password, and the security questions aren't working. I'm locked out. The account's under {email}.",
    ),
    post=("Locked out of my @Brightwater account and the security questions don't work. Help?",),
    more=("I think I got it wrong three or four times.", "I'm trying on my {device}."),
    reflect=("So your account locked after a few wrong passwords, and you need to get in today to pay a bill.",),
    clarify=(("Is the email on the account still {email}?", "Yes, that's the one."),),
    fix_good=(("I've unlocked your account and sent a reset link to {email}. Could you try it now?",
               "The link is valid for 30 minutes, until {link_expiry}.",
               "I'll check back with you in ten minutes to make sure you're in."),),
    cause=("your account locks after five wrong attempts, to protect it from someone guessing the password",),
    sympathy=("I'm sorry you've been locked out{addr}. That's really annoying when you need to pay a bill.",
              "I'm sorry you're stuck{addr}, let's get you back in."),
)

_OPENING_HOURS = _Situation(
    key="opening_hours",
    channels=CHANNELS,
    details=_hours_details,
    complaint=False,
    opening=("What time does the {store} close {visit_on}?", "Are you open on {holiday}? I was hoping to come to the {store}.",
             "Could you tell me the opening hours for the {store}? I'm hoping to come in {visit_on}."),
    post=("@Brightwater what time does the {store} close tonight?", "@Brightwater are you open on {holiday}?"),
    more=("I'm hoping to come in after work, around six.",),
    reask=("Which store did you mean?", "Sorry, which store was it?"),
    key_value="The {store}.",
    reflect=("So you're looking to visit the {store} and want to be sure we're open.",),
    clarify=(
        ("Which day are you planning to come in?", "Probably {visit_on}."),
        ("Is there anything in particular you're coming in for? I can check it's in stock.", "I need {a_item}, actually."),
    ),
    dm_ask="",
    dm_answer=(),
    fix_good=(("The {store} is open {visit_hours} {visit_on}, and until 9pm on Thursdays.",
               "On {holiday} we're open {holiday_hours}.",
               "I'll text you the store's address and parking details now, if that helps."),),
    fix_partial=("I think it's until around six, but I'd double-check.",),
    fix_pass_on=("You can check the opening times on our website.", "You'd need to call the store directly for that."),
    solved=("Perfect, that's all I needed. Thanks!", "Great, thanks for the help."),
)

_PRODUCT_QUESTION = _Situation(
    key="product_question",
    channels=CHANNELS,
    details=_product_details,
    complaint=False,
    opening=("{question}", "Quick question. {question}", "I was wondering: {question}"),
    post=("@Brightwater {question}",),
    more=("I'm thinking of ordering one this week.", "I saw it on your website, but the page doesn't say."),
    reask=("Sorry, which product was it?", "Which one are you asking about?"),
    key_value="The {product}.",
    reflect=("So you're thinking about the {product} and want to check that before you order.",),
    clarify=(
        ("Are you thinking of ordering online or picking it up in store?", "Probably online, if delivery is quick."),
        ("Do you already have an order in, or are you still deciding?", "Still deciding."),
    ),
    dm_ask="",
    dm_answer=(),
    fix_good=(("{answer}", "{product_when}", "{product_follow_up}"),),
    fix_partial=("I think so, but I'm not completely sure.",),
    fix_pass_on=("You'd need to check the product page on our website.",),
    solved=("Perfect, that's all I needed. Thanks!", "Great, that answers it. Thank you."),
)

_VARIANTS: dict[str, tuple[_Situation, ...]] = {
    "late_birthday_order": (_LATE_BIRTHDAY,),
    "old_address": (_OLD_ADDRESS,),
    "misdelivered": (_MISDELIVERED,),
    "bounced_check": (_BOUNCED_CHECK,),
    "unmanned_chat_loop": (_UNMANNED_CHAT_LOOP,),
    "public_complaint": (_PUBLIC_REFUND_WAIT, _PUBLIC_DAMAGED),
    "outage": (_POWER_OUTAGE, _BROADBAND_OUTAGE),
    "rude_store_customer": (_RUDE_STOCK, _RUDE_QUEUE, _RUDE_NO_RECEIPT),
    "double_charge": (_DOUBLE_CHARGE,),
    "cancel_subscription": (_CANCEL,),
    "vending_machine": (_VENDING,),
    "password_reset": (_PASSWORD_EMAIL_DELAY, _PASSWORD_LOCKED),
    "opening_hours": (_OPENING_HOURS,),
    "product_question": (_PRODUCT_QUESTION,),
}


# --------------------------------------------------------------------------------------------------
# Writing a conversation

_Line = tuple[str, str, datetime]  # speaker, text, when it was said or sent


def _level(performance: float) -> int:
    """Map a performance (0..1) to the phrase-bank level: 0 poor, 1 fair, 2 good."""
    return 2 if performance >= 0.66 else 1 if performance >= 0.4 else 0


def _prefixed(prefix: str, body: str) -> str:
    """Join an opener to a sentence, lower-casing the sentence when the opener runs into it."""
    if prefix.endswith((", ", "but ")) and not body.startswith(("I ", "I'")):
        body = body[:1].lower() + body[1:]
    return prefix + body


class _Slots(dict):
    """Template values; `{addr}` decides afresh each time whether the agent uses the customer's name."""

    def __init__(self, values: dict[str, str], rng: random.Random, name_rate: float):
        super().__init__(values)
        self._rng = rng
        self._name_rate = name_rate

    def __missing__(self, key: str) -> str:
        if key != "addr":
            raise KeyError(key)
        name = self["name"]
        if not name or self._rng.random() >= self._name_rate:
            return ""
        # Once or twice a conversation sounds warm; every sentence sounds like a script.
        self._name_rate *= 0.3
        return f", {name}"


class _Writer:
    """Write one conversation: the situation supplies the words, the agent's performance picks them."""

    def __init__(self, rng: random.Random, situation: _Situation, details_at: Callable[[datetime], dict[str, str]],
                 clock: _Clock, performance: Mapping[str, float], *, mood: str, in_store: bool, critical: bool,
                 slow_start: bool, follow_up: bool):
        self.rng = rng
        self.sit = situation
        self.details_at = details_at
        self.clock = clock
        self.channel = clock.channel
        self.level = {c: _level(v) for c, v in performance.items()}
        self.fix_performance = performance["fix"]
        self.mood = mood
        self.in_store = in_store
        self.critical = critical
        self.slow_start = slow_start
        self.follow_up = follow_up
        self.at_fault = bool(situation.mishap)
        self.written = self.channel in ("email", "social")
        fix = self.level["fix"]
        if critical:
            fix = min(fix, 0 if rng.random() < 0.6 else 1)
        self.fix = fix
        self.lines: list[_Line] = []
        self.asked_when = False
        self.reply_at: datetime | None = None
        self.s = _Slots(details_at(clock.start), rng, (0.03, 0.2, 0.55)[self.level["empathize"]])
        self.mishap = rng.choice(situation.mishap) if situation.mishap else ""
        self.feeling = rng.choice(situation.feeling)
        self._derive_slots()
        self.good = rng.choice(situation.fix_good)

    def _derive_slots(self) -> None:
        """Fill the slots that are themselves templates over other slots."""
        mishap = self.fill(self.mishap)
        self.s.update(mishap=mishap, Mishap=mishap[:1].upper() + mishap[1:])
        self.s.update(key_value=self.fill(self.sit.key_value), dm_ask=self.fill(self.sit.dm_ask),
                      feeling=self.fill(self.feeling))

    @property
    def resolved(self) -> bool:
        return self.fix == 2

    @property
    def transferred(self) -> bool:
        return self.fix == 0

    def write(self) -> list[_Line]:
        if self.channel == "email":
            self._email()
        elif self.channel == "social":
            self._social()
        elif self.sit.complaint:
            self._live_complaint()
        else:
            self._live_question()
        return self.lines

    # Building blocks

    def fill(self, template: str) -> str:
        return template.format_map(self.s)

    def pick(self, bank: tuple[str, ...]) -> str:
        return self.fill(self.rng.choice(bank)) if bank else ""

    def agent(self, *parts: str, kind: str = "") -> None:
        text = " ".join(p for p in parts if p)
        if not text:
            return
        if self.channel == "phone":
            text = self._spoken(text)
        at = self.reply_at or self.clock.stamp("agent", text, kind)
        self.reply_at = None
        self.lines.append(("agent", text, at))

    def _reply_time(self) -> None:
        """Time the agent's next message first, so its promises count from the day it is sent."""
        self.reply_at = self.clock.stamp("agent", "", "")
        self.s.update(self.details_at(self.reply_at))
        self._derive_slots()

    def customer(self, text: str, kind: str = "") -> None:
        if self.channel == "phone":
            text = self._spoken(text)
            spoke_before = any(speaker == "customer" for speaker, _, _ in self.lines)
            if (spoke_before and len(text.split()) >= 6 and not text.startswith(_NO_FILLER_BEFORE)
                    and self.rng.random() < 0.35):
                text = _prefixed(self.rng.choice(_PHONE_FILLERS), text)
        elif self.channel == "chat" and self.rng.random() < 0.3:
            # People type casually in chat windows.
            text = text if text.startswith(("I ", "I'")) else text[:1].lower() + text[1:]
            text = text[:-1] if text.endswith(".") else text
        self.lines.append(("customer", text, self.clock.stamp("customer", text, kind)))

    @staticmethod
    def _spoken(text: str) -> str:
        return text.replace(" — ", ", ").replace("; ", ", ")

    def _opening(self) -> str:
        body = self.pick(self.sit.opening)
        if self.follow_up:
            body = self.pick(_FOLLOW_UP_OPEN) + body
        if self.sit.rude:
            return body
        email = self.channel == "email"
        if self.mood == "calm":
            if email:
                return _prefixed(self.pick(_EMAIL_CALM_OPEN), body)
            return _prefixed(self.pick(_SORRY_TO_BOTHER if self.rng.random() < 0.3 else _CALM_OPEN), body)
        if self.mood == "frustrated":
            return _prefixed(self.pick(_EMAIL_FRUSTRATED_OPEN if email else _FRUSTRATED_OPEN), body)
        return _prefixed(self.pick(_ANGRY_OPEN), body) + self.pick(_ANGRY_CLOSE)

    def _acknowledge(self) -> str:
        level = self.level["empathize"]
        if level == 0 and self.written:
            return self.pick(_WRITTEN_POOR_ACK)
        return self.pick((_ACKNOWLEDGE if self.sit.complaint else _ACKNOWLEDGE_QUESTION)[level])

    def _offer_help(self, level: int) -> str:
        return self.pick((_OFFER_HELP_WRITTEN if self.written else _OFFER_HELP)[level])

    def _apology(self, *, short: bool = False) -> str:
        if not self.sit.complaint:
            return ""
        level = self.level["apologize"]
        if level == 2:
            if self.at_fault:
                return self.pick(_OWNED_APOLOGY_SHORT if short else _OWNED_APOLOGY)
            return self.pick(self.sit.sympathy)
        return self.pick(_GENERIC_APOLOGY if level == 1 else _DEFLECTING_APOLOGY)

    def _listen(self) -> tuple[str, str, bool]:
        """Return the agent's question, the customer's answer, and whether the agent re-asked."""
        level = self.level["listen"]
        if level == 2:
            question, answer = self.rng.choice(self.sit.clarify)
            if self.rng.random() < 0.75:
                reflection = self.pick(self.sit.reflect)
                confirmed = self.pick(_REFLECT_CONFIRM) + self.fill(answer)
                return f"{reflection} {self.fill(question)}", confirmed, False
            return self.fill(question), self.fill(answer), False
        if level == 1:
            if not self.sit.complaint:
                bank = _OPEN_QUESTION_ENQUIRY
            else:
                bank = _OPEN_QUESTION_WRITTEN if self.written else _OPEN_QUESTION
            return self.pick(bank), self.pick(self.sit.more), False
        return self.pick(self.sit.reask), self.pick(_REASK_ANSWER), True

    def _resolution(self) -> list[str]:
        """Return what happened, what the agent did, any perk, and when it takes effect."""
        overcommunicate = self.level["overcommunicate"]
        complaint = self.sit.complaint
        parts = []
        if complaint and self.sit.cause and overcommunicate == 2:
            self.s["cause"] = self.pick(self.sit.cause)
            parts.append(self.pick(_CAUSE_INTRO))
        elif complaint and overcommunicate == 1 and self.rng.random() < 0.6:
            parts.append(self.pick(self.sit.vague_cause or _VAGUE_CAUSE))
        if self.fix == 2:
            fix, when, _ = self.good
            parts.append(self.fill(fix))
            if self.at_fault and self.rng.random() < 0.1 + 0.8 * self.fix_performance:
                parts.append(self.pick(self.sit.perks))
            if overcommunicate == 2:
                parts.append(self.fill(when))
            elif overcommunicate == 1 and complaint:
                parts.append(self.pick(self.sit.vague_when or _VAGUE_WHEN))
        elif self.fix == 1:
            parts.append(self.pick(self.sit.fix_partial))
            if complaint and overcommunicate == 2:
                parts.append(self.pick(_PARTIAL_WHEN))
            elif complaint and overcommunicate == 1:
                parts.append(self.pick(self.sit.vague_when or _VAGUE_WHEN))
        else:
            parts.append(self.pick(self.sit.fix_pass_on))
        return [p for p in parts if p]

    def _follow_up(self) -> str:
        """Return the agent's commitment to follow up, as specific as the agent's overcommunication."""
        overcommunicate = self.level["overcommunicate"]
        complaint = self.sit.complaint
        if self.fix == 2:
            if overcommunicate == 2:
                if self.rng.random() < 0.7 or not complaint:
                    return self.fill(self.good[2])
                return self.pick(_GOOD_FOLLOW_UP)
            if overcommunicate == 1 and complaint:
                return self.pick(self.sit.vague_follow_up or _VAGUE_FOLLOW_UP)
            return self.pick(_DONE) if complaint else ""
        if self.fix == 1:
            if not complaint:
                return ""
            logged = _LOGGED_WRITTEN if self.written else _LOGGED
            vague = self.sit.vague_follow_up or _VAGUE_FOLLOW_UP
            return self.pick((logged, vague, _PARTIAL_FOLLOW_UP)[overcommunicate])
        return self.pick(_PASS_ON_NOTE) if overcommunicate == 2 else ""

    def _reaction(self) -> str:
        if not self.sit.complaint:
            return self.pick(_REACT_QUESTION[self.fix])
        partial = self.sit.partial_reaction or _REACT_PARTIAL
        reaction = self.pick((_REACT_PASS_ON, partial, _REACT_GOOD)[self.fix])
        if self.fix > 0 and self.level["overcommunicate"] < 2 and self.rng.random() < 0.45:
            self.asked_when = True
            reaction = f"{reaction} {self.pick(_ASK_WHEN)}"
        return reaction

    def _closing(self) -> str:
        """Return the customer's last word: solved, still waiting, or still angry."""
        if self.fix == 2:
            if self.rng.random() < 0.8:
                own_words = self.rng.random() < 0.6 or not self.sit.complaint
                return self.pick(self.sit.solved if own_words else _SOLVED)
            return self.pick(_THANKS)
        if not self.sit.complaint:
            return self.pick(_QUESTION_END[self.fix])
        if self.fix == 1 and not (self.mood == "angry" and self.level["empathize"] == 0):
            return self.pick(self.sit.partial_end or _END_PARTIAL)
        return self.pick(_END_ANGRY)

    def _sign_off(self) -> str:
        mode = "chat" if self.channel == "chat" else "floor" if self.in_store else "call"
        return self.pick(_SIGN_OFF[mode][self.level["empathize"]])

    # Channels

    def _live_complaint(self) -> None:
        """Write a phone call, an in-store conversation or a chat about a problem."""
        rng = self.rng
        phone = self.channel == "phone"
        empathize = self.level["empathize"]
        greet = phone and not self.in_store
        split_greeting = not phone and rng.random() < 0.4
        split_resolution = not phone and rng.random() < 0.4
        offer = self.fix > 0 and (self.level["overcommunicate"] > 0 or rng.random() < 0.2)
        closing_turns = 2 if self.fix == 0 else 2 + (3 if offer else 1)
        # Turns left for optional exchanges once the ones every conversation has are counted.
        fixed_turns = greet + split_greeting + 2 * self.critical + split_resolution + 5 + closing_turns
        budget = MAX_TURNS - fixed_turns

        if greet:
            self.agent(self.pick(_PHONE_GREETING[empathize]))
        self.customer(self._opening())
        first = []
        if not phone:
            greeting = self.pick(_CHAT_GREETING[empathize])
            if split_greeting:
                self.agent(greeting)
            else:
                first.append(greeting)
        if self.slow_start and empathize > 0 and rng.random() < 0.7:
            first.append(self.pick(_SORRY_WAIT))
        if self.critical:
            line, reaction = rng.choice(_CRITICAL)
            self.agent(*first, line)
            self.customer(reaction)
            first = []
        question, answer, reasked = self._listen()
        self.agent(*first, self._acknowledge(), self._apology(), question)
        self.customer(answer)
        if reasked and budget >= 2 and rng.random() < 0.35:
            budget -= 2
            self.agent(self.pick(_REASK_AGAIN))
            self.customer(self.pick(_REASK_AGAIN_ANSWER))

        resolution = self._resolution()
        kind = ""
        hold_turns = 2 if phone else 1
        if budget >= hold_turns and rng.random() < 0.35:
            budget -= hold_turns
            kind = "hold"
            if phone:
                self.agent(self.pick(_HOLD_ASK))
                self.customer(self.pick(_HOLD_OK))
                resolution.insert(0, self.pick(_HOLD_BACK[empathize]))
            else:
                self.agent(self.pick(_CHAT_HOLD))
        elif phone and rng.random() < 0.3:
            resolution[0] = _prefixed(rng.choice(_AGENT_FILLERS), resolution[0])
        if split_resolution and len(resolution) > 1:
            cut = len(resolution) // 2
            self.agent(*resolution[:cut], kind=kind)
            self.agent(*resolution[cut:])
        else:
            self.agent(*resolution, kind=kind)
        self.customer(self._reaction())

        if self.fix == 0:
            self.agent(self.pick(_CANNOT_DO_MORE[empathize]), self._follow_up())
            self.customer(self.pick(_END_ANGRY if self.mood != "calm" else _END_PASSED_ON))
            return
        answer_when = ""
        if self.asked_when:
            vague = self.sit.vague_when or _VAGUE_WHEN
            answer_when = self.pick(vague if self.level["overcommunicate"] == 1 else _WHEN_UNKNOWN)
        self.agent(answer_when, self._follow_up())
        if budget >= 2 and self.fix == 2 and rng.random() < 0.25:
            extra_question, extra_answer = rng.choice(_EXTRA_QUESTIONS)
            self.customer(extra_question)
            self.agent(extra_answer)
        self.customer(self._closing())
        if offer:
            self.agent(self._offer_help(max(1, self.level["overcommunicate"])))
            self.customer(self.pick(_NO_MORE))
        self.agent(self._sign_off())

    def _live_question(self) -> None:
        """Write a phone call, an in-store conversation or a chat with a simple enquiry."""
        rng = self.rng
        phone = self.channel == "phone"
        empathize = self.level["empathize"]
        overcommunicate = self.level["overcommunicate"]
        if phone and not self.in_store:
            self.agent(self.pick(_PHONE_GREETING[empathize]))
        self.customer(self._opening())
        first = [] if phone else [self.pick(_CHAT_GREETING[empathize])]
        if self.slow_start and empathize > 0 and rng.random() < 0.7:
            first.append(self.pick(_SORRY_WAIT))
        acknowledgement = self._acknowledge()
        if rng.random() < (0.5, 0.2, 0.6)[self.level["listen"]]:
            question, answer, _ = self._listen()
            self.agent(*first, acknowledgement, question)
            self.customer(answer)
            first, acknowledgement = [], ""
        self.agent(*first, acknowledgement, *self._resolution())
        self.customer(self._reaction())
        follow_up = self._follow_up() if self.fix == 2 else ""
        if self.fix > 0 and (overcommunicate > 0 or follow_up):
            self.agent(follow_up, self._offer_help(max(1, overcommunicate)))
            self.customer(self._closing() if rng.random() < 0.5 else self.pick(_NO_MORE))
        self.agent(self._sign_off())

    def _email(self) -> None:
        rng = self.rng
        empathize = self.level["empathize"]
        overcommunicate = self.level["overcommunicate"]
        body = [self._opening()]
        # Only a poor listener gets details up front, then asks for them again; the others ask for them.
        if self.level["listen"] == 0 and rng.random() < 0.6:
            body.append(self.pick(self.sit.more))
        self.customer(self._customer_email(" ".join(body), first=True))

        self._reply_time()
        question, answer, _ = self._listen()
        opening = [self.pick(_AGENT_EMAIL_THANKS[empathize])]
        if self.slow_start and empathize > 0:
            opening.append(_AGENT_EMAIL_SLOW)
        reaction = ""
        if self.critical:
            line, reaction = rng.choice(_CRITICAL)
            opening.append(line)
        opening += [self._acknowledge(), self._apology()]
        self.agent(self._agent_email(opening, [question]))
        reply_open = self.pick(_SLOW_REPLY_OPEN if self.slow_start else _CUSTOMER_REPLY_OPEN)
        reply = " ".join(p for p in (reaction, answer) if p)
        self.customer(self._customer_email(_prefixed(reply_open, reply)))

        self._reply_time()
        resolution = self._resolution()
        closing = [self._follow_up()]
        if self.fix > 0 and overcommunicate > 0:
            closing.append(self._offer_help(overcommunicate))
        self.agent(self._agent_email(resolution, closing))
        if self.fix < 2 or rng.random() < 0.6:
            self.customer(self._customer_email(self._closing()))
            if self.fix == 2 and rng.random() < 0.6:
                self._reply_time()
                self.agent(self._agent_email([self.pick(_AGENT_EMAIL_CLOSE[empathize])]))

    def _customer_email(self, body: str, *, first: bool = False) -> str:
        if not first:
            return f"{body}\n\n{self.s['first']}"
        angry = self.mood == "angry"
        formal = angry and self.rng.random() < 0.5
        greeting = "Dear Sir or Madam," if formal else self.pick(_CUSTOMER_EMAIL_GREETING)
        sign_off = self.pick(_ANGRY_EMAIL_SIGN_OFF if angry else _CUSTOMER_EMAIL_SIGN_OFF)
        return f"{greeting}\n\n{body}\n\n{sign_off}"

    def _agent_email(self, *paragraphs: list[str]) -> str:
        empathize = self.level["empathize"]
        greeting = self.pick(_AGENT_EMAIL_GREETING[empathize if self.s["name"] else 0])
        body = [" ".join(p for p in paragraph if p) for paragraph in paragraphs]
        return "\n\n".join([greeting, *(p for p in body if p), self.pick(_AGENT_EMAIL_SIGN_OFF[empathize])])

    def _social(self) -> None:
        rng = self.rng
        empathize = self.level["empathize"]
        listen = self.level["listen"]
        overcommunicate = self.level["overcommunicate"]
        self.customer(self.pick(self.sit.post), kind="public")
        self._reply_time()
        public = []
        if self.s["name"] and empathize > 0 and rng.random() < 0.7:
            public.append(self.pick(_SOCIAL_HELLO))
        if self.slow_start and empathize > 0 and rng.random() < 0.6:
            public.append("Sorry for the slow reply.")
        if not self.sit.complaint:
            self._tweet(*public, self._acknowledge(), *self._resolution())
            self.customer(self._reaction())
            follow_up = self._follow_up() if self.fix == 2 else ""
            sign_off = self.pick(_SIGN_OFF["social"][empathize])
            self._tweet(follow_up, self._offer_help(overcommunicate), sign_off)
            return
        if self.critical:
            line, reaction = rng.choice(_CRITICAL)
            self._tweet(*public, line)
            self.customer(reaction, kind="public")
            public = []
        public += [self.pick(_SOCIAL_ACK[empathize]), self._apology(short=True)]
        if listen == 2 and rng.random() < 0.5:
            public.append(self.pick(self.sit.reflect))
        self._tweet(*public, self.pick(_DM_ASK[listen]))
        self.customer(self.pick(self.sit.dm_answer))
        if listen == 0 and rng.random() < 0.5:
            self._tweet(self.pick(self.sit.reask))
            self.customer(self.pick(_SOCIAL_REASK_ANSWER))
        self._reply_time()
        self._tweet(*self._resolution(), self._follow_up())
        self.customer(self._closing() if self.fix == 2 else self._reaction())
        if self.fix > 0:
            self._tweet(self._offer_help(overcommunicate), self.pick(_SIGN_OFF["social"][empathize]))
            if self.fix == 2 and rng.random() < 0.3:
                self.customer(self.pick(_SOCIAL_PUBLIC_THANKS), kind="public")
        elif rng.random() < 0.5:
            self.customer(self.pick(_END_ANGRY), kind="public")

    def _tweet(self, *sentences: str) -> None:
        """Post sentences as one or more agent replies of at most 280 characters, each signed."""
        signature = " " + self.pick(_SOCIAL_SIGNATURE) if self.rng.random() < 0.7 else ""
        post = ""
        for sentence in (s for s in sentences if s):
            if post and len(post) + 1 + len(sentence) + len(signature) > 280:
                self.agent(post + signature)
                post = sentence
            else:
                post = f"{post} {sentence}" if post else sentence
        if post:
            self.agent(post + signature)



# --------------------------------------------------------------------------------------------------
# Timing: when each turn happens

# (best, worst) seconds before an agent's first reply and before later replies, per channel.
_FIRST_REPLY = {"phone": (5, 360), "chat": (12, 720), "email": (2_400, 187_200), "social": (480, 28_800)}
_LATER_REPLY = {"phone": (0.4, 6), "chat": (6, 240), "email": (1_800, 144_000), "social": (180, 14_400)}
# A first reply slower than this makes a polite agent apologise for the wait.
_SLOW_FIRST_REPLY = {"phone": 120, "chat": 180, "email": 86_400, "social": 7_200}


def _reply_seconds(rng: random.Random, best_worst: tuple[float, float], respond: float) -> float:
    """Interpolate on a log scale between the worst and best reply times, with noise."""
    best, worst = best_worst
    return math.exp(math.log(worst) + (math.log(best) - math.log(worst)) * respond + rng.gauss(0, 0.35))


def _speaking_seconds(text: str) -> float:
    return 0.4 + len(text.split()) / 2.6


class _Clock:
    """Time each line as it is written, following the channel's rhythm and the agent's speed."""

    def __init__(self, rng: random.Random, channel: str, start: datetime, first_reply: datetime | None,
                 respond: float, listen: float):
        self.rng = rng
        self.channel = channel
        self.start = start
        self.first_reply = first_reply  # None when the customer speaks first face to face
        self.respond = respond
        self.listen = listen
        self.previous: tuple[str, str, datetime] | None = None
        self.replied = False

    def stamp(self, speaker: str, text: str, kind: str) -> datetime:
        """Return when the next line is said or sent, and remember it."""
        rng, channel = self.rng, self.channel
        if self.previous is None:
            at = self.first_reply if speaker == "agent" and self.first_reply else self.start
        elif (speaker == "agent" and not self.replied and self.first_reply is not None
              and self.first_reply > self.previous[2]):
            at = self.first_reply
        else:
            previous_speaker, previous_text, previous_at = self.previous
            gap = _gap(rng, channel, speaker, previous_speaker, previous_text, len(text), kind, self.respond,
                       self.listen)
            at = previous_at + timedelta(seconds=gap)
            if speaker == "agent" and previous_speaker == "customer":
                at = _on_shift(rng, at, channel)
            elif channel == "email" and at.hour < 7:
                # Customers answer emails when they wake up, not at 3am.
                at = at.replace(hour=7) + timedelta(minutes=rng.randint(0, 90))
        # Whole seconds, as the interchange format stores them.
        at = at.replace(microsecond=0)
        self.replied = self.replied or speaker == "agent"
        self.previous = (speaker, text, at)
        return at


def _gap(rng: random.Random, channel: str, speaker: str, previous_speaker: str, previous_text: str,
         length: int, kind: str, respond: float, listen: float) -> float:
    """Return seconds from the previous line's start to this one's."""
    if channel == "phone":
        previous_duration = _speaking_seconds(previous_text)
        if speaker == "agent" and previous_speaker == "customer":
            if kind == "hold":
                return previous_duration + rng.uniform(20, 150)
            if rng.random() < 0.02 + 0.22 * (1 - listen):
                # Talking over: the agent starts before the customer has finished.
                return previous_duration * rng.uniform(0.45, 0.85)
            return previous_duration + _reply_seconds(rng, _LATER_REPLY["phone"], respond)
        return previous_duration + rng.uniform(0.3, 2.2 if speaker == "customer" else 1.2)
    if speaker == "customer":
        if previous_speaker == "customer":
            return rng.uniform(20, 300)
        if channel == "chat":
            return rng.uniform(5, 40) + length / 4
        if kind == "public":
            return rng.uniform(600, 10_800)
        median = 10_800 if channel == "email" else 900
        return max(30.0, median * math.exp(rng.gauss(0, 1.0)))
    if previous_speaker == "agent":
        if kind == "hold":
            return rng.uniform(30, 150)
        if channel == "chat":
            return length / 7 + rng.uniform(2, 15)
        return rng.uniform(60, 600) if channel == "email" else rng.uniform(20, 120)
    typing = length / 7 if channel == "chat" else 0.0
    return typing + _reply_seconds(rng, _LATER_REPLY[channel], respond)


# --------------------------------------------------------------------------------------------------
# Planning the year: cases, follow-ups and outage bursts


@dataclass(slots=True)
class _Draft:
    """An interaction before it gets its id and customer id, which follow chronological order."""

    seq: int
    started_at: datetime
    channel: str
    team: str
    agent: str
    customer: _Customer
    customer_name: str
    turns: tuple[Turn, ...]
    outcome: Outcome
    labels: dict[str, object]


# People call, chat or post while the power is out; an email would be answered after it is back.
_OUTAGE_CHANNELS = {"phone": 0.5, "social": 0.35, "chat": 0.15, "email": 0.0}


# How likely a complaining customer is to be calm, frustrated or angry.
_MOODS = {"complaint": (0.45, 0.38, 0.17), "public_complaint": (0.0, 0.4, 0.6), "outage": (0.2, 0.55, 0.25)}


class _Planner:
    """Fill the window with contacts: outage bursts first, then ordinary cases and their follow-ups."""

    def __init__(self, rng: random.Random, start: date, end: date, employees: tuple[DemoEmployee, ...],
                 customers: tuple[_Customer, ...]):
        self.rng = rng
        self.start = start
        self.end = end
        self.cutoff = datetime.combine(end, time(0), tzinfo=timezone.utc)
        self.calendar = _Calendar(start, end)
        self.customers = customers
        self.customer_weights = list(accumulate(c.propensity for c in customers))
        self.by_area = {area: [c for c in customers if c.area == area] for area, _ in _AREAS}
        self.members = {plan.name: [e for e in employees if e.team == plan.name] for plan in _TEAMS}
        self.team_weights = list(accumulate(plan.share for plan in _TEAMS))
        self.situation_weights = {
            plan.name: (list(plan.situations), list(accumulate(plan.situations.values()))) for plan in _TEAMS
        }
        self.drafts: list[_Draft] = []

    def run(self, count: int) -> list[_Draft]:
        for incident in self._incidents():
            self._outage_burst(incident, count)
        while len(self.drafts) < count:
            self._case(count)
        return self.drafts

    def _incidents(self) -> list[_Incident]:
        rng = self.rng
        months = max(1, round(len(self.calendar.days) / _DAYS_PER_MONTH))
        last_start = max(1, len(self.calendar.days) - 3)
        incidents = []
        for i in range(max(1, round(months / 2))):
            big = i % 3 == 0
            area, city = rng.choice(_AREAS)
            service = rng.choice(("power", "power", "broadband"))
            cross_street = rng.choice(_STREETS)
            day = rng.choice(self.calendar.days[:last_start])
            hour, minute = rng.randint(5, 19), rng.randrange(60)
            start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
            incidents.append(_Incident(
                ident=f"INC-{start:%Y%m%d}-{i + 1:02d}",
                service=service,
                area=area,
                city=city,
                cross_street=cross_street,
                cause=rng.choice(_OUTAGE_CAUSES[service]).format(cross_street=cross_street, city=city),
                start=start,
                hours=rng.uniform(14, 34) if big else rng.uniform(2, 7),
            ))
        return incidents

    def _outage_burst(self, incident: _Incident, count: int) -> None:
        rng = self.rng
        scale = count / 22_000
        size = max(3, round((rng.randint(90, 150) if incident.hours > 10 else rng.randint(8, 24)) * scale))
        neighbours = self.by_area[incident.area] or list(self.customers)
        weights = list(accumulate(c.propensity for c in neighbours))
        situation = _VARIANTS["outage"][0 if incident.service == "power" else 1]
        for _ in range(size):
            if len(self.drafts) >= count:
                return
            customer = rng.choices(neighbours, cum_weights=weights)[0]
            channel = rng.choices(CHANNELS, weights=[_OUTAGE_CHANNELS[c] for c in CHANNELS])[0]
            offset = timedelta(hours=(incident.hours + 4) * rng.betavariate(1.3, 2.6))
            moment = (incident.start + offset).replace(microsecond=0)
            if channel == "social":
                team = "Social Care"
            elif incident.service == "broadband":
                team = "Technical Support"
            else:
                team = "Stores & Field Services"
            self._contact(team, situation, channel, customer, moment, rng.getrandbits(32), incident=incident)

    def _case(self, count: int) -> None:
        rng = self.rng
        plan = rng.choices(_TEAMS, cum_weights=self.team_weights)[0]
        keys, weights = self.situation_weights[plan.name]
        situation = rng.choice(_VARIANTS[rng.choices(keys, cum_weights=weights)[0]])
        channel = self._channel(plan, situation)
        customer = rng.choices(self.customers, cum_weights=self.customer_weights)[0]
        case_seed = rng.getrandbits(32)
        in_store = channel == "phone" and rng.random() < situation.floor_share
        draft = None
        for _ in range(5):
            start = self.calendar.pick(rng, channel, in_store=in_store)
            draft = self._contact(plan.name, situation, channel, customer, start, case_seed,
                                  in_store=in_store)
            if draft is not None:
                break
        # Problems left unsolved bring the customer back, sometimes on another channel.
        for _ in range(2):
            if draft is None or draft.outcome.resolved or not situation.complaint:
                return
            if len(self.drafts) >= count or rng.random() >= 0.45:
                return
            day = draft.turns[-1].at.date() + timedelta(days=rng.randint(1, 5))
            if day >= self.end:
                return
            channel = draft.channel if rng.random() < 0.5 else self._channel(plan, situation)
            start = self.calendar.at_hour(rng, day, channel)
            draft = self._contact(plan.name, situation, channel, customer, start, case_seed, previous=draft)

    def _channel(self, plan: _TeamPlan, situation: _Situation) -> str:
        options = [(c, w) for c, w in plan.channel_mix.items() if c in situation.channels]
        if not options:
            return situation.channels[0]
        return self.rng.choices([c for c, _ in options], weights=[w for _, w in options])[0]

    def _agent(self, team: str, day: date) -> DemoEmployee:
        members = [e for e in self.members[team] if e.first_shift <= day]
        return self.rng.choices(members, weights=[0.7 if e.is_new_hire else 1.0 for e in members])[0]

    def _mood(self, situation: _Situation, follow_up: bool) -> str:
        if situation.rude:
            return "angry"
        if not situation.complaint:
            return "calm"
        if follow_up:
            return self.rng.choice(("frustrated", "angry"))
        weights = _MOODS.get(situation.key, _MOODS["complaint"])
        return self.rng.choices(("calm", "frustrated", "angry"), weights=weights)[0]

    def _display_name(self, customer: _Customer, channel: str) -> tuple[str, str]:
        """Return the name on the record and the first name the agent can use ("" if only a handle)."""
        draw = self.rng.random()
        if channel == "social":
            if draw < 0.55:
                return customer.handle, ""
            return (customer.name if draw < 0.85 else customer.first), customer.first
        if channel == "chat" and draw < 0.3:
            return customer.first, customer.first
        return customer.name, customer.first

    def _first_reply(self, channel: str, start: datetime, respond: float) -> datetime:
        delay = _reply_seconds(self.rng, _FIRST_REPLY[channel], respond)
        return _on_shift(self.rng, start + timedelta(seconds=delay), channel)

    def _contact(self, team: str, situation: _Situation, channel: str, customer: _Customer, start: datetime,
                 case_seed: int, *, in_store: bool = False, incident: _Incident | None = None,
                 previous: _Draft | None = None) -> _Draft | None:
        """Write one interaction and keep it, unless it would run past the end of the window."""
        rng = self.rng
        day = start.date()
        agent = self._agent(team, day)
        performance = {c: _clamp(agent.skill(c, day) + rng.gauss(0, 0.15)) for c in CRITERIA}
        mood = self._mood(situation, previous is not None)
        risk = agent.critical_risk * (2.0 if mood == "angry" else 1.0)
        critical = situation.complaint and rng.random() < risk
        first_reply = None if in_store else self._first_reply(channel, start, performance["respond"])
        slow_start = (first_reply is not None
                      and (first_reply - start).total_seconds() > _SLOW_FIRST_REPLY[channel])

        customer_name, known_name = self._display_name(customer, channel)
        first, _, last = agent.name.partition(" ")
        people = dict(name=known_name, first=customer.first, agent=first, agent_full=agent.name,
                      initials=f"{first[:1]}{last[:1]}", team=team,
                      prev_on=_past_on(day, previous.started_at.date()) if previous else "recently")

        def details_at(now: datetime) -> dict[str, str]:
            # The case's own generator keeps its details (order number, amounts) the same on every
            # contact and at every point of a conversation.
            details_rng = random.Random(case_seed)
            context = _Context(start, now, customer, incident)
            slots = _common_details(details_rng, context)
            situation.details(details_rng, context, slots)
            slots.update(people)
            return slots

        clock = _Clock(rng, channel, start, first_reply, performance["respond"], performance["listen"])
        writer = _Writer(rng, situation, details_at, clock, performance, mood=mood, in_store=in_store,
                         critical=critical, slow_start=slow_start, follow_up=previous is not None)
        lines = writer.write()
        if lines[-1][2] >= self.cutoff:
            return None
        labels: dict[str, object] = {"situation": situation.key}
        if in_store:
            labels["setting"] = "store floor"
        if incident is not None:
            labels["incident"] = incident.ident
        if previous is not None:
            labels["follow_up"] = True
        draft = _Draft(
            seq=len(self.drafts),
            started_at=start,
            channel=channel,
            team=team,
            agent=agent.name,
            customer=customer,
            customer_name=customer_name,
            turns=tuple(Turn(speaker, text, at) for speaker, text, at in lines),
            outcome=Outcome(resolved=writer.resolved, transferred=writer.transferred,
                            csat=self._csat(performance, situation, writer, critical)),
            labels=labels,
        )
        self.drafts.append(draft)
        return draft

    def _csat(self, performance: Mapping[str, float], situation: _Situation, writer: _Writer,
              critical: bool) -> int | None:
        """Return a survey score for about a third of contacts, following the agent's quality."""
        rng = self.rng
        if rng.random() >= 0.35:
            return None
        if critical:
            return 1 if rng.random() < 0.8 else 2
        criteria = [c for c in CRITERIA if c != "apologize" or situation.complaint]
        quality = sum(performance[c] for c in criteria) / len(criteria)
        outcome = 1.0 if writer.resolved else 0.1 if writer.transferred else 0.45
        return int(_clamp(round(1 + 4 * (0.6 * quality + 0.4 * outcome) + rng.gauss(0, 0.55)), 1, 5))


def _finish(drafts: list[_Draft]) -> tuple[tuple[Interaction, ...], tuple[DemoCustomer, ...]]:
    """Number interactions and customers in chronological order and build the records."""
    customer_ids: dict[int, str] = {}
    customers = []
    interactions = []
    for number, draft in enumerate(drafts, start=1):
        customer_id = customer_ids.get(draft.customer.index)
        if customer_id is None:
            customer_id = customer_ids[draft.customer.index] = f"C-{len(customer_ids) + 1:06d}"
            person = draft.customer
            customers.append(DemoCustomer(customer_id, person.name, person.handle, person.city))
        interactions.append(Interaction(
            id=f"demo-{number:06d}",
            channel=draft.channel,
            turns=draft.turns,
            customer_name=draft.customer_name,
            customer_id=customer_id,
            agent=draft.agent,
            team=draft.team,
            started_at=draft.started_at,
            outcome=draft.outcome,
            labels=draft.labels,
        ))
    return tuple(interactions), tuple(customers)
