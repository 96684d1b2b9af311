"""Tests for the seeded demo organisation."""

import random
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import fields
from datetime import date, datetime, timedelta, timezone

import pytest

from scoring.model import CHANNELS, interaction_from_dict
from scoring.result import CRITERIA
from seed_data import demo
from seed_data.demo import OWNED_APOLOGY_PHRASES, SITUATIONS, generate_demo

END = date(2026, 3, 1)
CUTOFF = datetime(2026, 3, 1, tzinfo=timezone.utc)
CRITICAL_WORDS = ("calm down", "not my problem", "that's your fault")


@pytest.fixture(scope="module")
def full():
    return generate_demo(end=END)


@pytest.fixture(scope="module")
def small():
    return generate_demo(seed=7, interactions=3_000, end=END)


def agent_text(interaction) -> str:
    return " ".join(t.text for t in interaction.turns if t.speaker == "agent").lower()


def first_reply_seconds(interaction) -> float:
    first = next(t.at for t in interaction.turns if t.speaker == "agent")
    return (first - interaction.started_at).total_seconds()


# Determinism


def test_same_seed_and_end_give_identical_output():
    one = generate_demo(seed=11, interactions=1_500, end=END)
    two = generate_demo(seed=11, interactions=1_500, end=END)
    assert [i.to_dict() for i in one.interactions] == [i.to_dict() for i in two.interactions]
    assert one.employees == two.employees
    assert one.accounts == two.accounts
    assert one.customers == two.customers


def test_different_seed_gives_different_output():
    one = generate_demo(seed=11, interactions=1_500, end=END)
    two = generate_demo(seed=12, interactions=1_500, end=END)
    assert [i.to_dict() for i in one.interactions] != [i.to_dict() for i in two.interactions]
    assert [e.name for e in one.employees] != [e.name for e in two.employees]


def test_end_defaults_to_a_fixed_date_and_is_exclusive():
    organisation = generate_demo(interactions=500)
    cutoff = datetime.combine(demo.DEFAULT_END, datetime.min.time(), tzinfo=timezone.utc)
    assert max(t.at for i in organisation.interactions for t in i.turns) < cutoff
    assert organisation.interactions[-1].started_at > cutoff - timedelta(days=7)


# Counts and shapes


def test_default_size_has_at_least_twenty_thousand_interactions(full):
    assert len(full.interactions) >= 20_000


def test_all_channels_and_twelve_months_are_covered(full):
    assert {i.channel for i in full.interactions} == set(CHANNELS)
    months = {(i.started_at.year, i.started_at.month) for i in full.interactions}
    assert len(months) == 12
    assert min(i.started_at for i in full.interactions).date() >= date(2025, 3, 1)


def test_channel_mix_depends_on_team(full):
    mix = defaultdict(Counter)
    for i in full.interactions:
        mix[i.team][i.channel] += 1
    assert mix["Social Care"].most_common(1)[0][0] == "social"
    assert mix["Billing & Accounts"]["social"] < mix["Billing & Accounts"]["phone"] / 5


def test_ids_are_unique_and_chronological(full):
    ids = [i.id for i in full.interactions]
    assert len(set(ids)) == len(ids)
    assert ids[0] == "demo-000001"
    starts = [i.started_at for i in full.interactions]
    assert starts == sorted(starts)


def test_every_interaction_round_trips_through_the_interchange_format(full):
    for interaction in full.interactions:
        assert interaction_from_dict(interaction.to_dict()) == interaction


def test_timestamps_are_ordered_and_in_the_past(full):
    for interaction in full.interactions:
        times = [t.at for t in interaction.turns]
        assert all(t is not None for t in times)
        assert interaction.started_at <= times[0]
        assert times == sorted(times), interaction.id
        assert times[-1] < CUTOFF


def test_turn_counts_and_social_length(full):
    assert all(4 <= len(i.turns) <= demo.MAX_TURNS for i in full.interactions)
    assert Counter(len(i.turns) for i in full.interactions)[demo.MAX_TURNS] > 0
    social = [t.text for i in full.interactions if i.channel == "social" for t in i.turns]
    assert max(len(text) for text in social) <= 280


def test_email_turns_have_greetings_and_sign_offs(full):
    emails = [i for i in full.interactions if i.channel == "email"]
    first_turns = [i.turns[0].text for i in emails]
    assert all("\n\n" in text for text in first_turns)
    assert statistics.mean(len(i.turns[1].text) for i in emails) > 2 * statistics.mean(
        len(t.text) for i in full.interactions if i.channel == "social" for t in i.turns)


def test_business_hours_and_evening_social_posts(full):
    phone = [i.started_at for i in full.interactions if i.channel == "phone" and "incident" not in i.labels]
    assert sum(s.weekday() < 5 and 8 <= s.hour < 20 for s in phone) / len(phone) > 0.85
    social = [i.started_at for i in full.interactions if i.channel == "social"]
    assert sum(s.hour >= 18 or s.weekday() >= 5 for s in social) / len(social) > 0.3


# People


def test_teams_and_employees(full):
    assert 4 <= len(full.teams) <= 5
    assert 38 <= len(full.employees) <= 42
    assert len({e.name for e in full.employees}) == len(full.employees)
    assert {e.team for e in full.employees} == {t.name for t in full.teams}
    for employee in full.employees:
        assert set(employee.skills) == set(CRITERIA) == set(employee.growth)


def test_new_hires_are_recent_and_veterans_long_serving(full):
    new_hires = [e for e in full.employees if e.is_new_hire]
    assert 3 <= len(new_hires) <= 8
    for employee in full.employees:
        months_before_end = (END - employee.hire_date).days / 30.44
        if employee.is_new_hire:
            assert 1 <= months_before_end <= 3.2
        else:
            assert months_before_end > 12 + 12


def test_agents_only_handle_interactions_after_their_hire_date(full):
    hired = {e.name: e.hire_date for e in full.employees}
    handled = Counter(i.agent for i in full.interactions)
    for interaction in full.interactions:
        assert interaction.started_at.date() > hired[interaction.agent]
        assert interaction.team == full.employee(interaction.agent).team
    assert all(handled[e.name] > 0 for e in full.employees if e.is_new_hire)


def test_most_agents_improve_a_few_decline_and_new_hires_improve_fastest(full):
    def monthly_growth(employee):
        return statistics.mean(employee.growth.values())

    veterans = [e for e in full.employees if not e.is_new_hire]
    declining = [e for e in veterans if monthly_growth(e) < 0]
    assert 1 <= len(declining) <= 2
    assert sum(monthly_growth(e) > 0 for e in veterans) >= 0.9 * len(veterans)
    fastest_veteran = max(monthly_growth(e) for e in veterans)
    assert all(monthly_growth(e) > fastest_veteran for e in full.employees if e.is_new_hire)
    new_hire = next(e for e in full.employees if e.is_new_hire)
    assert new_hire.skill("fix", END) > new_hire.skill("fix", new_hire.hire_date)


def test_demo_accounts(full):
    accounts = {a.username: a for a in full.accounts}
    assert {name: a.role for name, a in accounts.items()} == {
        "admin": "admin", "trainer": "trainer", "newhire": "agent", "exec": "executive"}
    team_names = {t.name for t in full.teams}
    assert len(accounts["trainer"].teams) == 2 and set(accounts["trainer"].teams) <= team_names
    new_hire = full.employee(accounts["newhire"].employee)
    assert new_hire.is_new_hire
    assert accounts["newhire"].teams == (new_hire.team,)


# Customers


def test_customers_have_stable_ids_and_repeat_contacts(full):
    assert 6_000 <= len(full.customers) <= 9_000
    assert all(re.fullmatch(r"C-\d{6}", c.customer_id) for c in full.customers)
    assert {c.customer_id for c in full.customers} == {i.customer_id for i in full.interactions}
    contacts = Counter(i.customer_id for i in full.interactions)
    assert sum(3 <= n <= 10 for n in contacts.values()) > 1_000
    channels = defaultdict(set)
    for i in full.interactions:
        channels[i.customer_id].add(i.channel)
    assert sum(len(c) >= 3 for c in channels.values()) > 100
    assert all(i.customer_name for i in full.interactions)
    assert any(i.customer_name.startswith("@") for i in full.interactions if i.channel == "social")


def test_unresolved_problems_bring_customers_back(full):
    follow_ups = [i for i in full.interactions if i.labels.get("follow_up") and i.channel != "social"]
    assert len(follow_ups) > 1_000
    reminders = ("second time", "was in touch", "spoke to one of your colleagues")
    for interaction in follow_ups:
        opening = next(t.text for t in interaction.turns if t.speaker == "customer")
        assert any(r in opening for r in reminders), opening


# Skills show up in the text


def test_owned_apologies_follow_apology_skill(full):
    ranked = sorted(full.employees, key=lambda e: e.skills["apologize"])
    shares = {}
    for employee in (ranked[0], ranked[-1]):
        handled = [i for i in full.interactions if i.agent == employee.name]
        owned = [i for i in handled if any(p in agent_text(i) for p in OWNED_APOLOGY_PHRASES)]
        shares[employee.name] = len(owned) / len(handled)
    assert shares[ranked[-1].name] > shares[ranked[0].name] + 0.2


def test_fix_skill_decides_resolution_and_transfers(full):
    by_agent = defaultdict(list)
    for i in full.interactions:
        by_agent[i.agent].append(i)
    ranked = sorted((e for e in full.employees if not e.is_new_hire), key=lambda e: e.skills["fix"])
    weakest, strongest = by_agent[ranked[0].name], by_agent[ranked[-1].name]

    def share(interactions, outcome):
        return statistics.mean(getattr(i.outcome, outcome) for i in interactions)

    assert share(strongest, "resolved") > share(weakest, "resolved")
    assert share(strongest, "transferred") < share(weakest, "transferred")
    assert not any(i.outcome.resolved and i.outcome.transferred for i in full.interactions)


def test_response_skill_drives_social_reply_times(full):
    social_care = [e for e in full.employees if e.team == "Social Care" and not e.is_new_hire]
    ranked = sorted(social_care, key=lambda e: e.skills["respond"])
    medians = []
    for employee in (ranked[0], ranked[-1]):
        replies = [first_reply_seconds(i) for i in full.interactions
                   if i.agent == employee.name and i.channel == "social"]
        medians.append(statistics.median(replies))
    assert medians[1] < medians[0]
    chats = [first_reply_seconds(i) for i in full.interactions if i.channel == "chat"]
    emails = [first_reply_seconds(i) for i in full.interactions if i.channel == "email"]
    assert statistics.median(chats) < 120 < statistics.median(emails) < 2 * 86_400


def test_phone_calls_sometimes_talk_over_the_customer(full):
    overlaps = 0
    for interaction in (i for i in full.interactions if i.channel == "phone"):
        for before, after in zip(interaction.turns, interaction.turns[1:]):
            if before.speaker == "customer" and after.speaker == "agent":
                speaking = 0.4 + len(before.text.split()) / 2.6
                overlaps += (after.at - before.at).total_seconds() < speaking - 1
    assert overlaps > 100


def test_critical_behaviour_is_rare_and_concentrated(full):
    critical = [i for i in full.interactions if any(w in agent_text(i) for w in CRITICAL_WORDS)]
    assert 0.001 < len(critical) / len(full.interactions) < 0.006
    top_two = Counter(i.agent for i in critical).most_common(2)
    assert sum(n for _, n in top_two) >= 0.7 * len(critical)


def test_csat_covers_a_third_and_follows_quality(full):
    rated = [i for i in full.interactions if i.outcome.csat is not None]
    assert 0.3 < len(rated) / len(full.interactions) < 0.4
    assert {i.outcome.csat for i in rated} == {1, 2, 3, 4, 5}
    resolved = statistics.mean(i.outcome.csat for i in rated if i.outcome.resolved)
    transferred = statistics.mean(i.outcome.csat for i in rated if i.outcome.transferred)
    assert resolved > transferred + 0.8


def test_no_two_interactions_read_the_same(full):
    texts = ["\n".join(t.text for t in i.turns) for i in full.interactions]
    assert len(set(texts)) == len(texts)


# Situations


def test_every_situation_appears(small):
    assert {i.labels["situation"] for i in small.interactions} == set(SITUATIONS)
    assert any(i.labels.get("setting") == "store floor" for i in small.interactions)


def test_outages_come_in_bursts_from_one_area(full):
    by_incident = defaultdict(list)
    for i in full.interactions:
        if "incident" in i.labels:
            by_incident[i.labels["incident"]].append(i)
    assert by_incident
    biggest = max(by_incident.values(), key=len)
    assert len(biggest) >= 50
    span = max(i.started_at for i in biggest) - min(i.started_at for i in biggest)
    assert span <= timedelta(days=2)
    assert len({i.customer_id for i in biggest}) >= 30


def test_enquiries_do_not_apologise_and_complaints_do(full):
    def owned_apology(interaction):
        return any(p in agent_text(interaction) for p in OWNED_APOLOGY_PHRASES)

    def about(*situations):
        return [i for i in full.interactions if i.labels["situation"] in situations]

    assert not any(owned_apology(i) for i in about("opening_hours", "product_question"))
    birthdays = about("late_birthday_order")
    assert sum(owned_apology(i) for i in birthdays) > 0.3 * len(birthdays)


# Tables of situation details, whose templates take slots only their own situation has.
DETAIL_TABLES = {
    "_LOOP_TOPICS": "unmanned_chat_loop", "_PRODUCT_QUESTIONS": "product_question", "_OUTAGE_CAUSES": "outage",
    "_OUTAGE_COMMON": "outage", "_STORE_RUDE_COMMON": "rude_store_customer", "_PASSWORD_COMMON": "password_reset",
}


@pytest.mark.parametrize("variant", [v for variants in demo._VARIANTS.values() for v in variants],
                         ids=lambda v: v.key)
def test_every_template_fills(variant):
    """Render every phrase of every bank, so a rarely chosen one cannot fail in a demo."""
    moment = datetime(2025, 11, 14, 10, 30, tzinfo=timezone.utc)
    customer = demo._make_customers(random.Random(1), 1)[0]
    incident = demo._Incident("INC-1", "power", customer.area, customer.city, "Oak Street",
                              "a cable failed at the Oak Street substation", moment - timedelta(hours=3), 8.0)

    def details_at(now):
        context = demo._Context(moment, now, customer, incident)
        slots = demo._common_details(random.Random(2), context)
        variant.details(random.Random(3), context, slots)
        slots.update(pay_day="1st", name=customer.first, first=customer.first, agent="Maya",
                     agent_full="Maya Thompson", initials="MT", team="Social Care", prev_on="yesterday")
        return slots

    clock = demo._Clock(random.Random(5), "chat", moment, moment, 0.9, 0.9)
    writer = demo._Writer(random.Random(4), variant, details_at, clock, {c: 0.9 for c in CRITERIA}, mood="calm",
                          in_store=False, critical=False, slow_start=False, follow_up=True)
    writer.s["cause"] = writer.fill(variant.cause[0]) if variant.cause else "something happened"
    if not variant.mishap:  # owned apologies are only used when the company is at fault
        writer.s.update(mishap="we slipped up", Mishap="We slipped up")
    for f in fields(variant):
        bank = getattr(variant, f.name)
        if isinstance(bank, tuple):
            for entry in bank:
                for template in entry if isinstance(entry, tuple) else (entry,):
                    assert "{" not in writer.fill(template), template
    for name, value in vars(demo).items():
        if name.startswith("_") and name.isupper() and DETAIL_TABLES.get(name, variant.key) == variant.key:
            for template in _strings(value):
                assert "{" not in writer.fill(template), (name, template)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)
