"""Scenario files: every shipped one loads; each kind of bad file names the file and the field."""

from __future__ import annotations

import re

import pytest

from practice.scenarios import SCENARIO_DIR, ScenarioError, load_scenarios, parse_scenario
from scoring.model import Interaction, Turn
from practice.engine import shipped_scorer

GOOD = (SCENARIO_DIR / "double_charge.toml").read_text(encoding="utf-8")


def test_every_shipped_scenario_loads():
    scenarios = load_scenarios()
    assert len(scenarios) >= 10
    assert {"late_birthday_order", "chair_wrong_address", "bounced_check_pension", "phone_loop_unmanned_chat",
            "angry_tweet", "power_outage_block", "broken_vending_machine", "rude_store_customer", "double_charge",
            "cancel_subscription"} <= set(scenarios)
    assert sum(s.core for s in scenarios.values()) >= 5
    assert all(s.timed for s in scenarios.values() if s.channel == "social")


@pytest.mark.parametrize("key", sorted(load_scenarios()))
def test_every_opening_reads_as_a_problem_to_the_scorer(key):
    """The rubric's apologize and fix criteria apply from the first message on."""
    scenario = load_scenarios()[key]
    result = shipped_scorer().score(Interaction(id=key, channel=scenario.channel,
                                                turns=(Turn("customer", scenario.opening), Turn("agent", "Okay."))))
    assert result.criteria["apologize"].applicable and result.criteria["fix"].applicable


def test_stored_scenarios_override_and_add():
    changed = GOOD.replace('title = "Double charge"', 'title = "Charged twice"')
    scenarios = load_scenarios(stored=[("double_charge", changed), ("my_own", GOOD)])
    assert scenarios["double_charge"].title == "Charged twice"
    assert scenarios["my_own"].key == "my_own"


BAD = [
    ('channel = "chat"', 'channel = "fax"', "channel", "expected one of phone, chat, email, social"),
    ('difficulty = "easy"', 'difficulty = 3', "difficulty", "expected one of easy, medium, hard"),
    ("core = true", 'core = "yes"', "core", "expected true or false"),
    ("patience = 3", "patience = 9", "persona.patience", "expected a whole number 1-5, got 9"),
    ('temperament = "anxious"', 'temperament = "grumpy"', "persona.temperament", "expected one of"),
    ('name = "Lena Fischer"\n', "", "persona.name", "missing"),
    ('practises = ["listen", "fix", "overcommunicate"]', 'practises = ["listen", "charm"]', "practises[1]",
     "expected one of listen"),
    ('opening = "You charged', 'opening = ""\nx = "You charged', "", "unknown key"),
    ('channel = "chat"', 'channel = "chat"\nreply_within_seconds = 60', "reply_within_seconds",
     "time pressure is for social and phone"),
    ('key = "card"', 'key = "order_number"', "facts[1].key", "used by an earlier fact"),
    ('answer = "The order is {value}."', 'answer = "The order is {order}."', "facts[0].answer",
     "only {value} and {label}"),
    ('ask = ["card",', 'ask = ["card?!",', "facts[1].ask[0]", ""),
    ('cues = ["refund",', 'cues = [42,', "fix.cues[0]", ""),
    ('speaker = "agent"', 'speaker = "robot"', "model[1].speaker", "expected one of agent, customer"),
    ("[fix]", "[fixes]", "fixes", "unknown key"),
]


@pytest.mark.parametrize(("old", "new", "field", "reason"), BAD, ids=[case[2] or case[3] for case in BAD])
def test_a_bad_scenario_names_the_file_and_the_field(old, new, field, reason):
    assert old in GOOD
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(GOOD.replace(old, new, 1), "seed_data/scenarios/double_charge.toml")
    message = str(caught.value)
    assert message.startswith("seed_data/scenarios/double_charge.toml: ")
    if field:
        assert re.search(rf": {re.escape(field)}(\.\w+)?: ", message), message
    assert reason in message


def test_invalid_toml_and_bad_keys_are_named():
    with pytest.raises(ScenarioError, match=r"^broken\.toml: invalid TOML"):
        parse_scenario("title = ", "broken.toml")
    with pytest.raises(ScenarioError, match=r"^stored scenario Bad Key: key: expected lowercase"):
        parse_scenario(GOOD, "stored scenario Bad Key", key="Bad Key")


def test_a_bad_shipped_file_stops_loading_with_its_name(tmp_path):
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(GOOD.replace("patience = 3", "patience = 0"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.toml: persona\.patience"):
        load_scenarios(tmp_path)
