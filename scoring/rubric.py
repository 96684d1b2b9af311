"""The versioned rubric: criteria weights and point models, response targets, timing rules, cue phrases.

The rubric is a TOML file (seed_data/rubric.toml by default). Its shape:

    version = "2026.1"                      # stamped on every ScoreResult
    name = "Rapport service rubric"
    [criteria.<criterion>]                  # one table per criterion in scoring.result.CRITERIA
    weight = 1.0                            # share in the overall weighted mean, >= 0
    base = 50.0                             # score before any cue, 0..100
    description = "..."
    [criteria.<criterion>.points]           # signed points per cue; keys are fixed per criterion
                                            # (keys in OUTCOME_POINTS may be left out: 0 points)
    [response_targets]                      # seconds before a reply counts as late, per channel, > 0
    [timing]                                # talk-over rule and first-response share
    [cues.<family>]                         # phrases = ["...", ...] for every cue family below

Unknown keys, missing keys, wrong types, empty phrase lists, duplicate phrases and phrase syntax
errors are rejected with a RubricError naming the source and the field path. Phrase syntax is
described in scoring.cues. dump_rubric writes a rubric back as TOML that parses to an equal Rubric.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Mapping

from scoring.cues import PhraseError, phrase_tokens
from scoring.errors import SourceFieldError, show_value as _show
from scoring.model import CHANNELS
from scoring.result import CRITERIA

DEFAULT_RUBRIC_PATH = Path(__file__).resolve().parent.parent / "seed_data" / "rubric.toml"

CREDIT, PENALTY = 1, -1

# Point keys of each criterion: whether they add or remove points, and what they reward.
POINTS: Mapping[str, Mapping[str, tuple[int, str]]] = {
    "listen": {
        "question": (CREDIT, "asked a clarifying question"),
        "reflection": (CREDIT, "reflected the customer's specifics back"),
        "active_listening": (CREDIT, "checked understanding"),
        "re_ask": (PENALTY, "asked again for something the customer already gave"),
        "talk_over": (PENALTY, "talked over the customer"),
    },
    "empathize": {
        "empathy": (CREDIT, "acknowledged the customer's feelings"),
        "customer_calmed": (CREDIT, "the customer's mood from first to last turn (change times the points)"),
        "customer_name": (CREDIT, "used the customer's name"),
        "courtesy": (CREDIT, "courtesy (each distinct politeness strategy)"),
        "condescension": (PENALTY, "condescended, blamed or argued"),
        "blunt": (PENALTY, "blunt or bossy wording"),
        "critical": (PENALTY, "critical behaviour"),
    },
    "apologize": {
        "apology": (CREDIT, "apologized"),
        "apology_generic": (CREDIT, "generic apology, naming nothing specific"),
        "apology_sincere": (CREDIT, "sincere, emphatic apology"),
        "ownership": (CREDIT, "owned the mistake"),
        "apology_repair": (CREDIT, "repaired: a remedy or step offered with or after the apology"),
        "apology_accepted": (CREDIT, "the customer's reaction after the apology (-1..1 times the points)"),
        "apology_conditional": (PENALTY, "conditional apology"),
        "deflection": (PENALTY, "deflected responsibility"),
        "apology_refused": (PENALTY, "refused to apologize"),
    },
    "fix": {
        "resolution": (CREDIT, "offered a concrete resolution"),
        "resolution_done": (CREDIT, "carried out the resolution"),
        "troubleshooting": (CREDIT, "gave a concrete step to solve it"),
        "customer_confirmed": (CREDIT, "customer confirmed it is solved"),
        "customer_outcome": (CREDIT, "how resolved the customer's last turn reads (-1..1 times the points)"),
        "perk_at_fault": (CREDIT, "added a perk for a problem the company caused"),
        "perk": (CREDIT, "added a perk"),
        "transfer": (PENALTY, "passed the customer on"),
        "helpless": (PENALTY, "said nothing can be done"),
        "refusal": (PENALTY, "refused a remedy"),
    },
    "overcommunicate": {
        "explain": (CREDIT, "explained what happened and why"),
        "next_step": (CREDIT, "said what happens next"),
        "timeline": (CREDIT, "gave a concrete time or date"),
        "follow_up": (CREDIT, "committed to a follow-up"),
        "follow_up_channel": (CREDIT, "named the follow-up channel"),
        "further_help": (CREDIT, "offered further help"),
        "customer_asked_again": (PENALTY, "the customer still had to ask after the reply"),
    },
    "respond": {},
}

# Keys added in rubric 2026.2: the apology's repair and the customer's reactions (graded keys are
# scaled by a -1..1 measure, so their effect is signed). Rubrics written before may leave them out;
# they then count 0 points, so old versions score as they did.
OUTCOME_POINTS = frozenset(("customer_outcome", "customer_calmed", "apology_repair", "apology_accepted",
                            "customer_asked_again"))

AGENT: Final = "agent"
CUSTOMER: Final = "customer"

# Cue families: whose turns they are matched in, and what they detect.
CUE_FAMILIES: Mapping[str, tuple[str, str]] = {
    "apology": (AGENT, "apology words"),
    "apology_sincere": (AGENT, "emphatic apologies (classified with the apology they contain)"),
    "apology_generic": (AGENT, "boilerplate objects of an apology, e.g. 'for any inconvenience'"),
    "apology_conditional": (AGENT, "conditional apologies, e.g. 'sorry if you feel'"),
    "ownership": (AGENT, "owning the mistake; negated ('not our fault') it counts as deflection"),
    "deflection": (AGENT, "deflecting responsibility, e.g. 'company policy'"),
    "empathy": (AGENT, "acknowledging the customer's feelings"),
    "courtesy_gratitude": (AGENT, "politeness: gratitude"),
    "courtesy_please": (AGENT, "politeness: please"),
    "courtesy_greeting": (AGENT, "politeness: greetings"),
    "courtesy_helpful": (AGENT, "politeness: willingness to help"),
    "courtesy_hedge": (AGENT, "politeness: hedges and indirect requests"),
    "courtesy_deference": (AGENT, "politeness: deference and appreciation of the customer"),
    "condescension": (AGENT, "condescension, blame or arguing (not auto-fail)"),
    "blunt": (AGENT, "blunt or bossy wording"),
    "active_listening": (AGENT, "checking or restating what the customer said"),
    "info_request": (AGENT, "requests for information without a question mark, e.g. 'DM us your email'"),
    "resolution": (AGENT, "a concrete remedy offered or done"),
    "troubleshooting": (AGENT, "a concrete step for the customer to solve it"),
    "perk": (AGENT, "a perk for the trouble"),
    "transfer": (AGENT, "passing the customer on to someone else"),
    "helpless": (AGENT, "saying nothing can be done"),
    "explain": (AGENT, "explaining what happened and why"),
    "next_step": (AGENT, "saying what happens next"),
    "follow_up": (AGENT, "committing to a follow-up"),
    "further_help": (AGENT, "offering further help"),
    "critical_dismissive": (AGENT, "critical: dismissing the customer (auto-fail)"),
    "critical_insult": (AGENT, "critical: insulting the customer (auto-fail)"),
    "critical_blame": (AGENT, "critical: blaming the customer (auto-fail)"),
    "problem": (CUSTOMER, "the customer reports a problem or inconvenience"),
    "company_fault": (CUSTOMER, "a problem the company caused (wrong item, double charge, late delivery)"),
    "request": (CUSTOMER, "the customer asks for something"),
    "confirmation": (CUSTOMER, "the customer confirms it is solved"),
}

TIMING_FIELDS: Mapping[str, str] = {
    "first_response_share": "share of the respond penalty carried by the first reply, 0..1",
    "speech_words_per_second": "speaking rate used to estimate when a phone turn ends, > 0",
    "talk_over_grace_seconds": "tolerance before an early agent turn counts as talking over, >= 0",
}


class RubricError(SourceFieldError):
    """A rubric that cannot be used; the message names the source and the field path."""


@dataclass(frozen=True)
class CriterionRule:
    weight: float
    base: float
    description: str
    points: Mapping[str, float]


@dataclass(frozen=True)
class Timing:
    first_response_share: float
    speech_words_per_second: float
    talk_over_grace_seconds: float


@dataclass(frozen=True)
class Rubric:
    version: str
    name: str
    criteria: Mapping[str, CriterionRule]
    response_targets: Mapping[str, float]
    timing: Timing
    cues: Mapping[str, tuple[str, ...]]


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Read and validate a rubric file (default: seed_data/rubric.toml)."""
    path = DEFAULT_RUBRIC_PATH if path is None else Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RubricError(source, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RubricError(source, "", "not UTF-8 text") from None
    return parse_rubric(text, source)


def parse_rubric(text: str, source: str = "<string>") -> Rubric:
    """Parse and validate rubric TOML text; errors name `source` and the field path."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(source, "", f"invalid TOML: {exc}") from None
    return _Validator(source).rubric(data)


class _Validator:
    def __init__(self, source: str):
        self.source = source

    def fail(self, field: str, reason: str) -> RubricError:
        return RubricError(self.source, field, reason)

    def table(self, value: Any, field: str, keys: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(field, f"expected a table, got {_show(value)}")
        prefix = f"{field}." if field else ""
        for key in value:
            if key not in keys and key not in optional:
                allowed = ", ".join(keys + optional) or "no keys"
                raise self.fail(prefix + key, f"unknown key (expected {allowed})")
        for key in keys:
            if key not in value:
                raise self.fail(prefix + key, "missing")
        return value

    def text(self, value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, f"expected text, got {_show(value)}")
        return value

    def number(self, value: Any, field: str, low: float | None = None, high: float | None = None,
               positive: bool = False) -> float:
        if positive:
            wanted = "a number > 0"
        elif low is not None and high is not None:
            wanted = f"a number from {low:g} to {high:g}"
        elif low is not None:
            wanted = f"a number >= {low:g}"
        elif high is not None:
            wanted = f"a number <= {high:g}"
        else:
            wanted = "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(field, f"expected {wanted}, got {_show(value)}")
        too_low = (positive and value <= 0) or (low is not None and value < low)
        if too_low or (high is not None and value > high):
            raise self.fail(field, f"expected {wanted}, got {_show(value)}")
        return float(value)

    def rubric(self, data: dict) -> Rubric:
        self.table(data, "", ("version", "name", "criteria", "response_targets", "timing", "cues"))
        version = self.text(data["version"], "version").strip()
        if not version:
            raise self.fail("version", "must not be empty")
        criteria = self.table(data["criteria"], "criteria", CRITERIA)
        rules = {name: self.criterion(criteria[name], f"criteria.{name}", name) for name in CRITERIA}
        if not any(rule.weight > 0 for rule in rules.values()):
            raise self.fail("criteria", "at least one criterion needs a weight > 0")
        targets = self.table(data["response_targets"], "response_targets", CHANNELS)
        timing = self.table(data["timing"], "timing", tuple(TIMING_FIELDS))
        cues = self.table(data["cues"], "cues", tuple(CUE_FAMILIES))
        return Rubric(
            version=version,
            name=self.text(data["name"], "name"),
            criteria=MappingProxyType(rules),
            response_targets=MappingProxyType({
                channel: self.number(targets[channel], f"response_targets.{channel}", positive=True)
                for channel in CHANNELS}),
            timing=Timing(
                first_response_share=self.number(timing["first_response_share"],
                                                 "timing.first_response_share", 0, 1),
                speech_words_per_second=self.number(timing["speech_words_per_second"],
                                                    "timing.speech_words_per_second", positive=True),
                talk_over_grace_seconds=self.number(timing["talk_over_grace_seconds"],
                                                    "timing.talk_over_grace_seconds", low=0),
            ),
            cues=MappingProxyType({family: self.phrases(cues[family], f"cues.{family}")
                                   for family in CUE_FAMILIES}),
        )

    def criterion(self, value: Any, field: str, name: str) -> CriterionRule:
        table = self.table(value, field, ("weight", "base", "points"), optional=("description",))
        keys = POINTS[name]
        optional = tuple(key for key in keys if key in OUTCOME_POINTS)
        points = self.table(table["points"], f"{field}.points",
                            tuple(key for key in keys if key not in OUTCOME_POINTS), optional)
        points = {key: 0 for key in optional} | points
        return CriterionRule(
            weight=self.number(table["weight"], f"{field}.weight", low=0),
            base=self.number(table["base"], f"{field}.base", 0, 100),
            description=self.text(table.get("description", ""), f"{field}.description"),
            points=MappingProxyType({
                key: self.number(points[key], f"{field}.points.{key}",
                                 low=0 if sign == CREDIT else None, high=None if sign == CREDIT else 0)
                for key, (sign, _) in keys.items()
            }),
        )

    def phrases(self, value: Any, field: str) -> tuple[str, ...]:
        table = self.table(value, field, ("phrases",))
        phrases = table["phrases"]
        if not isinstance(phrases, list):
            raise self.fail(f"{field}.phrases", f"expected a list of phrases, got {_show(phrases)}")
        if not phrases:
            raise self.fail(f"{field}.phrases", "expected at least one phrase")
        seen: dict[tuple[str, ...], int] = {}
        for i, phrase in enumerate(phrases):
            where = f"{field}.phrases[{i}]"
            try:
                tokens = phrase_tokens(phrase)
            except PhraseError as exc:
                raise self.fail(where, str(exc)) from None
            if tokens in seen:
                raise self.fail(where, f"{_show(phrase)} duplicates phrases[{seen[tokens]}]")
            seen[tokens] = i
        return tuple(phrases)


def dump_rubric(rubric: Rubric) -> str:
    """Return TOML text for `rubric` that parse_rubric reads back to an equal Rubric."""
    lines = [
        "# Rapport scoring rubric. Each criterion scores base + the signed points of its cues,",
        "# clamped to 0..100; credits count once per interaction, penalties at most once per agent",
        "# turn and three times in all. Phrases are plain text: case-insensitive whole words with",
        "# flexible spaces, apostrophes and contractions; * is any one word, ... up to three words.",
        "",
        f"version = {_toml_string(rubric.version)}",
        f"name = {_toml_string(rubric.name)}",
    ]
    for name in CRITERIA:
        rule = rubric.criteria[name]
        lines += ["", f"[criteria.{name}]", f"weight = {_toml_number(rule.weight)}",
                  f"base = {_toml_number(rule.base)}", f"description = {_toml_string(rule.description)}",
                  f"[criteria.{name}.points]"]
        lines += [f"{key} = {_toml_number(rule.points[key])}  # {reason}"
                  for key, (_, reason) in POINTS[name].items()]
    lines += ["", "[response_targets]  # seconds before a reply counts as late"]
    lines += [f"{channel} = {_toml_number(rubric.response_targets[channel])}" for channel in CHANNELS]
    lines += ["", "[timing]"]
    lines += [f"{key} = {_toml_number(getattr(rubric.timing, key))}  # {note}"
              for key, note in TIMING_FIELDS.items()]
    for family, (speaker, meaning) in CUE_FAMILIES.items():
        lines += ["", f"[cues.{family}]  # {speaker} turns: {meaning}", "phrases = ["]
        lines += [f"    {_toml_string(phrase)}," for phrase in rubric.cues[family]]
        lines.append("]")
    return "\n".join(lines) + "\n"


def _toml_number(value: float) -> str:
    return repr(float(value))


def _toml_string(value: str) -> str:
    """Quote as a TOML basic string, escaping what TOML forbids raw (quotes, backslashes, controls)."""
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
