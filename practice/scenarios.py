"""Practice scenarios: one TOML file each in seed_data/scenarios/, or stored in the app as TOML text.

A scenario's shape (keys in brackets are optional):

    title = "Late order needed for a birthday"
    summary = "What the trainee is told before starting."
    channel = "chat"                 # phone | chat | email | social
    difficulty = "medium"            # easy | medium | hard
    core = true                      # counts towards certification
    company_at_fault = true          # an apology that owns the mistake is expected
    perk_fitting = true              # a perk for the trouble delights rather than puzzles
    [reply_within_seconds = 90]      # time pressure: each reply must come this soon (social and phone)
    [max_turns = 8]                  # the trainee's messages before the customer runs out of time
    practises = ["fix", "overcommunicate"]   # rubric criteria the scenario trains (scoring.result.CRITERIA)
    opening = "The customer's first message."

    [persona]
    name = "Maria Lopez"
    temperament = "anxious"          # calm | anxious | impatient | angry: the starting mood
    patience = 3                     # 1..5: how much bad handling they take before leaving

    [situation]                      # words the customer's replies are built from
    problem = "the present I ordered"
    need = "it here before Saturday"
    competitor = "the toy shop on the high street"

    [[facts]]                        # revealed only when the trainee asks
    key = "order_number"
    label = "order number"
    value = "RP-48213"
    ask = ["order number", "which order"]   # phrases that unlock it (rubric phrase syntax)
    [answer = "It's {value}."]

    [fix]
    description = "What counts as fixing it."
    cues = ["express", "overnight"]  # phrases that offer the fix (rubric phrase syntax)

    [[model]]                        # a model conversation, customer and agent turns
    speaker = "agent"
    text = "..."

Errors are ScenarioError naming the source (file or stored key) and the field path.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.cues import PhraseError, phrase_tokens
from scoring.errors import SourceFieldError, show_value as _show
from scoring.model import CHANNELS, SPEAKERS
from scoring.result import CRITERIA

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "seed_data" / "scenarios"
DIFFICULTIES = ("easy", "medium", "hard")
TEMPERAMENTS = ("calm", "anxious", "impatient", "angry")
TIMED_CHANNELS = ("social", "phone")
KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_]{0,99}")
DEFAULT_MAX_TURNS = 8


class ScenarioError(SourceFieldError):
    """A scenario that cannot be used; the message names the source and the field path."""


@dataclass(frozen=True)
class Persona:
    name: str
    temperament: str
    patience: int


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str
    ask: tuple[str, ...]
    answer: str

    def answer_text(self) -> str:
        return self.answer.format(value=self.value, label=self.label)


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    summary: str
    channel: str
    difficulty: str
    core: bool
    company_at_fault: bool
    perk_fitting: bool
    reply_within_seconds: int | None
    max_turns: int
    practises: tuple[str, ...]
    opening: str
    persona: Persona
    situation: Mapping[str, str]
    facts: tuple[Fact, ...]
    fix_description: str
    fix_cues: tuple[str, ...]
    model: tuple[tuple[str, str], ...]  # (speaker, text)

    @property
    def timed(self) -> bool:
        return self.reply_within_seconds is not None


_SITUATION_KEYS = ("problem", "need", "competitor")


def parse_scenario(text: str, source: str, key: str | None = None) -> Scenario:
    """Parse and validate scenario TOML; `key` defaults to the source's file stem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "", f"invalid TOML: {exc}") from None
    key = key if key is not None else Path(source).stem
    if not KEY_PATTERN.fullmatch(key):
        raise ScenarioError(source, "key", f"expected lowercase letters, digits and _ (at most 100), got {key!r}")
    return _Validator(source).scenario(key, data)


def load_scenario_file(path: Path) -> Scenario:
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ScenarioError(source, "", f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ScenarioError(source, "", "not UTF-8 text") from None
    return parse_scenario(text, source)


def load_scenarios(directory: Path = SCENARIO_DIR, stored: Iterable[tuple[str, str]] = ()) -> dict[str, Scenario]:
    """Return the shipped scenarios by key, overridden or added to by stored (key, TOML text) pairs."""
    scenarios = {path.stem: load_scenario_file(path) for path in sorted(directory.glob("*.toml"))}
    for key, content in stored:
        scenarios[key] = parse_scenario(content, f"stored scenario {key}", key=key)
    return dict(sorted(scenarios.items(), key=lambda item: (not item[1].core, item[1].title)))


class _Validator:
    def __init__(self, source: str):
        self.source = source

    def fail(self, field: str, reason: str) -> ScenarioError:
        return ScenarioError(self.source, field, reason)

    def table(self, value: Any, field: str, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(field, f"expected a table, got {_show(value)}")
        prefix = f"{field}." if field else ""
        for name in value:
            if name not in keys and name not in optional:
                raise self.fail(prefix + name, f"unknown key (expected {', '.join(keys + optional)})")
        for name in keys:
            if name not in value:
                raise self.fail(prefix + name, "missing")
        return value

    def text(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, f"expected non-empty text, got {_show(value)}")
        return value.strip()

    def flag(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(field, f"expected true or false, got {_show(value)}")
        return value

    def whole(self, value: Any, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(field, f"expected a whole number {low}-{high}, got {_show(value)}")
        return value

    def choice(self, value: Any, field: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            raise self.fail(field, f"expected one of {', '.join(choices)}, got {_show(value)}")
        return value

    def phrases(self, value: Any, field: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(field, f"expected a non-empty list of phrases, got {_show(value)}")
        for i, phrase in enumerate(value):
            try:
                phrase_tokens(phrase)
            except PhraseError as exc:
                raise self.fail(f"{field}[{i}]", str(exc)) from None
        return tuple(value)

    def scenario(self, key: str, data: dict) -> Scenario:
        self.table(data, "", ("title", "summary", "channel", "difficulty", "core", "company_at_fault", "perk_fitting",
                              "practises", "opening", "persona", "situation", "facts", "fix", "model"),
                   optional=("reply_within_seconds", "max_turns"))
        channel = self.choice(data["channel"], "channel", CHANNELS)
        within = data.get("reply_within_seconds")
        if within is not None:
            within = self.whole(within, "reply_within_seconds", 10, 3600)
            if channel not in TIMED_CHANNELS:
                raise self.fail("reply_within_seconds", f"time pressure is for {' and '.join(TIMED_CHANNELS)} "
                                                        f"scenarios, not {channel}")
        practises = data["practises"]
        if not isinstance(practises, list) or not practises:
            raise self.fail("practises", f"expected a non-empty list of criteria, got {_show(practises)}")
        for i, name in enumerate(practises):
            self.choice(name, f"practises[{i}]", CRITERIA)
        persona = self.table(data["persona"], "persona", ("name", "temperament", "patience"))
        situation = self.table(data["situation"], "situation", _SITUATION_KEYS)
        fix = self.table(data["fix"], "fix", ("description", "cues"))
        return Scenario(
            key=key,
            title=self.text(data["title"], "title"),
            summary=self.text(data["summary"], "summary"),
            channel=channel,
            difficulty=self.choice(data["difficulty"], "difficulty", DIFFICULTIES),
            core=self.flag(data["core"], "core"),
            company_at_fault=self.flag(data["company_at_fault"], "company_at_fault"),
            perk_fitting=self.flag(data["perk_fitting"], "perk_fitting"),
            reply_within_seconds=within,
            max_turns=self.whole(data.get("max_turns", DEFAULT_MAX_TURNS), "max_turns", 3, 20),
            practises=tuple(practises),
            opening=self.text(data["opening"], "opening"),
            persona=Persona(
                name=self.text(persona["name"], "persona.name"),
                temperament=self.choice(persona["temperament"], "persona.temperament", TEMPERAMENTS),
                patience=self.whole(persona["patience"], "persona.patience", 1, 5),
            ),
            situation={name: self.text(situation[name], f"situation.{name}") for name in _SITUATION_KEYS},
            facts=self.facts(data["facts"]),
            fix_description=self.text(fix["description"], "fix.description"),
            fix_cues=self.phrases(fix["cues"], "fix.cues"),
            model=self.model(data["model"]),
        )

    def facts(self, value: Any) -> tuple[Fact, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("facts", f"expected at least one [[facts]] table, got {_show(value)}")
        facts, keys = [], set()
        for i, raw in enumerate(value):
            where = f"facts[{i}]"
            table = self.table(raw, where, ("key", "label", "value", "ask"), optional=("answer",))
            fact_key = self.text(table["key"], f"{where}.key")
            if fact_key in keys:
                raise self.fail(f"{where}.key", f"{_show(fact_key)} is used by an earlier fact")
            keys.add(fact_key)
            answer = self.text(table.get("answer", "It's {value}."), f"{where}.answer")
            try:
                answer.format(value="", label="")
            except (KeyError, IndexError, ValueError) as exc:
                raise self.fail(f"{where}.answer", f"only {{value}} and {{label}} may be filled in ({exc})") from None
            facts.append(Fact(key=fact_key, label=self.text(table["label"], f"{where}.label"),
                              value=self.text(table["value"], f"{where}.value"),
                              ask=self.phrases(table["ask"], f"{where}.ask"), answer=answer))
        return tuple(facts)

    def model(self, value: Any) -> tuple[tuple[str, str], ...]:
        if not isinstance(value, list) or len(value) < 2:
            raise self.fail("model", "expected a model conversation of at least two [[model]] turns")
        turns = []
        for i, raw in enumerate(value):
            table = self.table(raw, f"model[{i}]", ("speaker", "text"))
            turns.append((self.choice(table["speaker"], f"model[{i}].speaker", SPEAKERS),
                          self.text(table["text"], f"model[{i}].text")))
        if not any(speaker == "agent" for speaker, _ in turns):
            raise self.fail("model", "the model conversation needs at least one agent turn")
        return tuple(turns)
