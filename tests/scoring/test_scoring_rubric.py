"""Rubric loading, validation messages and the dump -> parse round trip."""

from __future__ import annotations

import dataclasses
import re
from types import MappingProxyType

import pytest

from scoring.model import CHANNELS
from scoring.result import CRITERIA
from scoring.rubric import (
    CUE_FAMILIES, DEFAULT_RUBRIC_PATH, POINTS, Rubric, RubricError, dump_rubric, load_rubric, parse_rubric,
)


@pytest.fixture(scope="module")
def seed_text(rubric: Rubric) -> str:
    """The seed rubric in dump_rubric's canonical layout, which the mutations below edit."""
    return dump_rubric(rubric)


def edit(text: str, section: str, old: str, new: str) -> str:
    """Replace the first `old` line prefix inside `[section]` (up to the next table header)."""
    start = text.index(f"[{section}]")
    end = text.find("\n[", start + 1)
    end = len(text) if end < 0 else end
    body = text[start:end]
    line = re.search(rf"^{re.escape(old)}.*$", body, re.MULTILINE)
    assert line, f"{old!r} not in [{section}]"
    return text[:start] + body[:line.start()] + new + body[line.end():] + text[end:]


def test_seed_rubric_loads_with_every_criterion_channel_and_cue_family(rubric):
    assert rubric.version == "2026.3"
    assert tuple(rubric.criteria) == CRITERIA
    assert tuple(rubric.response_targets) == CHANNELS
    assert rubric.response_targets["social"] == 3600 and rubric.response_targets["email"] == 86400
    assert set(rubric.cues) == set(CUE_FAMILIES)
    assert all(rubric.cues[family] for family in CUE_FAMILIES)
    for name in CRITERIA:
        assert set(rubric.criteria[name].points) == set(POINTS[name])


def test_default_path_is_the_seed_file():
    assert DEFAULT_RUBRIC_PATH.name == "rubric.toml" and DEFAULT_RUBRIC_PATH.parent.name == "seed_data"
    assert load_rubric(DEFAULT_RUBRIC_PATH) == load_rubric()


def test_dump_then_parse_gives_an_equal_rubric(rubric, seed_text):
    assert parse_rubric(seed_text) == rubric


def test_round_trip_keeps_edits_and_awkward_text(rubric):
    awkward = 'Say "sorry" \\ then\tfix it\x7f'
    fix = dataclasses.replace(rubric.criteria["fix"], weight=2.25, description=awkward)
    edited = dataclasses.replace(
        rubric,
        name="Team \"B\" rubric — v2",
        criteria=MappingProxyType({**rubric.criteria, "fix": fix}),
        cues=MappingProxyType({**rubric.cues, "perk": ("coupon", "free upgrade", "it's on us")}),
    )
    assert parse_rubric(dump_rubric(edited)) == edited


def test_integer_numbers_load_as_floats(seed_text):
    rubric = parse_rubric(edit(seed_text, "criteria.listen", "weight =", "weight = 2"))
    assert rubric.criteria["listen"].weight == 2.0 and isinstance(rubric.criteria["listen"].weight, float)


@pytest.mark.parametrize("section, old, new, message", [
    ("criteria.fix", "weight =", 'weight = "high"',
     'criteria.fix.weight: expected a number >= 0, got "high"'),
    ("criteria.fix", "weight =", "weight = -1", "criteria.fix.weight: expected a number >= 0, got -1"),
    ("criteria.fix", "weight =", "weight = true", "criteria.fix.weight: expected a number >= 0, got true"),
    ("criteria.fix", "base =", "base = 120", "criteria.fix.base: expected a number from 0 to 100, got 120"),
    ("criteria.fix", "weight =", "weight = 1.0\ncolour = 3", "criteria.fix.colour: unknown key"),
    ("criteria.fix.points", "transfer =", "transfer = 25",
     "criteria.fix.points.transfer: expected a number <= 0"),
    ("criteria.fix.points", "resolution =", "resolution = -5",
     "criteria.fix.points.resolution: expected a number >= 0"),
    ("criteria.fix.points", "refusal =", "", "criteria.fix.points.refusal: missing"),
    ("criteria.fix.points", "refusal =", "refusal = -10\nbonus = 3",
     "criteria.fix.points.bonus: unknown key"),
    ("response_targets", "chat =", "chat = 0", "response_targets.chat: expected a number > 0, got 0"),
    ("response_targets", "chat =", "chat = -120", "response_targets.chat: expected a number > 0"),
    ("response_targets", "phone =", "", "response_targets.phone: missing"),
    ("timing", "first_response_share =", "first_response_share = 1.5",
     "timing.first_response_share: expected a number from 0 to 1, got 1.5"),
    ("timing", "speech_words_per_second =", "speech_words_per_second = 0",
     "timing.speech_words_per_second: expected a number > 0"),
    ("cues.perk", "phrases =", "phrases = []\n#", "cues.perk.phrases: expected at least one phrase"),
    ("cues.perk", "phrases =", 'phrases = "coupon"\n#',
     'cues.perk.phrases: expected a list of phrases, got "coupon"'),
    ("cues.perk", "phrases =", "phrases = [3]\n#", "cues.perk.phrases[0]: expected text, got int"),
    ("cues.perk", "phrases =", 'phrases = ["coupon", "disc(ou)nt"]\n#',
     "cues.perk.phrases[1]: unsupported character '('"),
    ("cues.perk", "phrases =", 'phrases = ["free.*upgrade"]\n#',
     "cues.perk.phrases[0]: '*' must stand alone"),
    ("cues.perk", "phrases =", 'phrases = ["* off"]\n#', "must start and end with a word"),
    ("cues.perk", "phrases =", 'phrases = [" "]\n#', "cues.perk.phrases[0]: empty phrase"),
    ("cues.resolution", "phrases =", 'phrases = ["can\'t refund", "cannot refund"]\n#',
     "cues.resolution.phrases[1]: \"cannot refund\" duplicates phrases[0]"),
    ("cues.perk", "phrases =", 'phrases = ["coupon"]\nweights = [1]\n#', "cues.perk.weights: unknown key"),
])
def test_bad_rubric_is_rejected_naming_the_field(seed_text, section, old, new, message):
    text = edit(seed_text, section, old, new)
    if new.endswith("#"):  # the replaced line opened a multi-line array: comment out its remaining lines
        text = _comment_array_tail(text, section)
    with pytest.raises(RubricError) as caught:
        parse_rubric(text, source="rubric.toml")
    assert str(caught.value).startswith("rubric.toml: ")
    assert message in str(caught.value)


def _comment_array_tail(text: str, section: str) -> str:
    start = text.index(f"[{section}]")
    close = text.index("\n]", start)
    head, body = text[:start], text[start:close + 2]
    lines = body.split("\n")
    marker = next(i for i, line in enumerate(lines) if line.endswith("#"))
    commented = lines[:marker + 1] + ["# " + line for line in lines[marker + 1:]]
    return head + "\n".join(commented) + text[close + 2:]


def test_missing_criterion_is_rejected(seed_text):
    start = seed_text.index("[criteria.respond]")
    end = seed_text.index("[response_targets]")
    with pytest.raises(RubricError, match=r"^x\.toml: criteria\.respond: missing$"):
        parse_rubric(seed_text[:start] + seed_text[end:], source="x.toml")


def test_unknown_criterion_and_top_level_key_are_rejected(seed_text):
    with pytest.raises(RubricError, match=r"criteria\.speed: unknown key \(expected listen, empathize"):
        parse_rubric(seed_text + "\n[criteria.speed]\nweight = 1\n")
    with pytest.raises(RubricError, match=r"<string>: owner: unknown key"):
        parse_rubric('owner = "me"\n' + seed_text)


def test_missing_cue_family_and_wrong_types_are_rejected(seed_text):
    start = seed_text.index("[cues.perk]")
    end = seed_text.index("[cues.transfer]")
    with pytest.raises(RubricError, match=r"cues\.perk: missing"):
        parse_rubric(seed_text[:start] + seed_text[end:])
    with pytest.raises(RubricError, match=r"version: expected text, got 2026"):
        parse_rubric(seed_text.replace('version = "2026.3"', "version = 2026"))
    fix_start, fix_end = seed_text.index("[criteria.fix]"), seed_text.index("[criteria.overcommunicate]")
    without_fix = seed_text[:fix_start] + seed_text[fix_end:]
    first_table = without_fix.index("\n[") + 1
    with pytest.raises(RubricError, match=r"criteria\.fix: expected a table, got 3"):
        parse_rubric(without_fix[:first_table] + "criteria.fix = 3\n" + without_fix[first_table:])


def test_all_weights_zero_is_rejected(seed_text):
    text = seed_text
    for name in CRITERIA:
        text = edit(text, f"criteria.{name}", "weight =", "weight = 0")
    with pytest.raises(RubricError, match="at least one criterion needs a weight > 0"):
        parse_rubric(text)


def test_invalid_toml_and_unreadable_file_are_reported_with_the_source(tmp_path):
    with pytest.raises(RubricError, match=r"^bad\.toml: invalid TOML: "):
        parse_rubric("version = ", source="bad.toml")
    missing = tmp_path / "nope.toml"
    with pytest.raises(RubricError, match=rf"^{re.escape(str(missing))}: cannot read: "):
        load_rubric(missing)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe version")
    with pytest.raises(RubricError, match="not UTF-8 text"):
        load_rubric(binary)


def test_rubric_error_is_a_value_error_with_its_parts():
    error = RubricError("r.toml", "criteria.fix.weight", "expected a number >= 0")
    assert isinstance(error, ValueError)
    parts = (error.source, error.field, error.reason)
    assert parts == ("r.toml", "criteria.fix.weight", "expected a number >= 0")


def test_rubrics_without_the_2026_2_keys_score_them_zero():
    seed_text = DEFAULT_RUBRIC_PATH.read_text(encoding="utf-8")
    for line in ("customer_outcome = 60\n", "customer_calmed = 20\n", "apology_repair = 15\n",
                 "apology_accepted = 30\n"):
        assert line in seed_text
        seed_text = seed_text.replace(line, "")
    older = parse_rubric(seed_text)
    assert older.criteria["fix"].points["customer_outcome"] == 0
    assert older.criteria["apologize"].points["apology_repair"] == 0
    assert parse_rubric(dump_rubric(older)) == older
