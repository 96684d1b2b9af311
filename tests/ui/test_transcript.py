"""The transcript component: evidence marked at the right characters, user text always inert."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest

from scoring.model import Turn
from scoring.result import Evidence
from ui.transcript import Highlight, highlight_html, points, transcript_html


class Parsed(HTMLParser):
    """Collect the tags and the text the browser would show."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""
        self.marked: list[str] = []
        self._in_mark = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self._in_mark += 1
            self.marked.append("")

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark -= 1

    def handle_data(self, data):
        self.text += data
        if self._in_mark:
            self.marked[-1] += data


def test_marks_exactly_the_spans_and_keeps_the_rest():
    text = "Hi Maria, I'm so sorry about that."
    html = highlight_html(text, [Highlight(3, 8, 10, "+10 used the name"), Highlight(14, 22, 45, "+45 apologized")])
    parsed = Parsed(html)
    assert parsed.text == text
    assert parsed.marked == ["Maria", "so sorry"]
    assert [attrs["class"] for tag, attrs in parsed.tags if tag == "mark"] == ["rp-gain", "rp-gain"]
    assert [attrs["title"] for tag, attrs in parsed.tags if tag == "mark"] == ["+10 used the name", "+45 apologized"]


def test_overlapping_spans_are_cut_at_every_edge_and_titled_with_every_note():
    text = "sorry, but that's our policy"
    html = highlight_html(text, [Highlight(0, 5, 45, "apology"), Highlight(0, 28, -10, "deflection")])
    parsed = Parsed(html)
    assert parsed.text == text
    assert parsed.marked == ["sorry", ", but that's our policy"]
    marks = [attrs for tag, attrs in parsed.tags if tag == "mark"]
    assert [m["class"] for m in marks] == ["rp-mixed", "rp-loss"]
    assert marks[0]["title"] == "apology · deflection"
    assert "<mark" not in html.split("</mark>", 1)[0][1:]  # marks never nest


def test_spans_without_width_or_beyond_the_text_are_harmless():
    text = "Thanks"
    parsed = Parsed(highlight_html(text, [Highlight(0, 0, -5, "slow reply"), Highlight(3, 99, 5, "tail")]))
    assert parsed.text == text
    assert parsed.marked == ["nks"]


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "**bold** and _italic_ and [link](javascript:alert(1))",
    "$x$ and $$\\int x$$",
    "\"quoted\" & 'single' </mark><b>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_text_stays_inert_text(payload):
    text = f"Hello {payload} bye"
    html = highlight_html(text, [Highlight(0, len(text) - 4, 5, payload)])
    parsed = Parsed(html)
    assert parsed.text == text  # shown literally, character for character
    assert {tag for tag, _ in parsed.tags} == {"mark"}  # no tag came from the text
    assert parsed.tags[0][1]["title"] == payload  # the note is a quoted attribute, not markup
    assert "<script" not in html and "<img" not in html and "<b>" not in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_whole_transcript_escapes_turns_notes_and_labels(payload):
    at = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
    turns = [Turn("customer", payload), Turn("agent", f"Sorry {payload}", at)]
    evidence = [Evidence(1, 0, 5, "apology", 45.0, payload), Evidence(1, 0, 0, "response_time", -12.5, "slow")]
    html = transcript_html(turns, evidence, agent_label=payload, customer_label="Maria")
    parsed = Parsed(html)
    assert {tag for tag, _ in parsed.tags} <= {"div", "mark", "ul", "li", "span"}
    assert {name for _, attrs in parsed.tags for name in attrs} <= {"class", "title"}
    assert payload in parsed.text


def test_transcript_lists_each_turns_evidence_with_points_under_it():
    turns = [Turn("customer", "My order is late"), Turn("agent", "I'm so sorry, I'll reship it today.")]
    evidence = [Evidence(1, 4, 12, "apology", 45.0, "apologized"),
                Evidence(1, 14, 28, "resolution", 40.0, "offered a concrete resolution"),
                Evidence(1, 0, 0, "response_time", -2.5, "first reply after 3 min (target 2 min)")]
    parsed = Parsed(transcript_html(turns, evidence))
    assert parsed.marked == ["so sorry", "I'll reship it"]
    assert "+45apologized “so sorry”" in parsed.text
    assert "−2.5first reply after 3 min (target 2 min)" in parsed.text
    assert [a["class"] for t, a in parsed.tags if t == "div" and "rp-turn" in a.get("class", "")] == [
        "rp-turn rp-customer", "rp-turn rp-agent"]


def test_points_are_signed():
    assert (points(15), points(-10), points(-2.5), points(0)) == ("+15", "−10", "−2.5", "±0")
