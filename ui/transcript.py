"""A conversation with the scorer's evidence highlighted in the words, as safe HTML.

Transcript text is user data: every piece of it is escaped before any markup is added, and the result
goes to `st.html` (never Markdown), so HTML, script, Markdown and LaTeX in a turn stay inert text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from itertools import pairwise
from typing import Protocol

import streamlit as st

from scoring.result import Evidence

STYLE = """<style>
.rp-transcript { display: flex; flex-direction: column; gap: .6rem; font-size: .95rem; line-height: 1.45; }
.rp-turn { max-width: 80%; padding: .5rem .75rem; border-radius: .6rem; border: 1px solid rgba(128,128,128,.25); }
.rp-customer { align-self: flex-start; background: rgba(128,128,128,.08); }
.rp-agent { align-self: flex-end; background: rgba(28,131,225,.08); }
.rp-who { font-size: .75rem; font-weight: 600; opacity: .75; margin-bottom: .15rem; }
.rp-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.rp-transcript mark { color: inherit; padding: 0 .1rem; border-radius: .2rem; }
.rp-transcript mark.rp-gain { background: rgba(33,195,84,.28); }
.rp-transcript mark.rp-loss { background: rgba(255,75,75,.30); }
.rp-transcript mark.rp-mixed { background: rgba(255,170,0,.35); }
.rp-notes { list-style: none; margin: .35rem 0 0; padding: 0; font-size: .8rem; }
.rp-notes li { margin: .1rem 0; }
.rp-points { display: inline-block; min-width: 3.2rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.rp-notes .rp-gain .rp-points { color: rgb(21,130,55); }
.rp-notes .rp-loss .rp-points { color: rgb(200,30,30); }
.rp-cue { opacity: .75; font-style: italic; }
</style>"""


class TurnLike(Protocol):
    speaker: str
    text: str
    at: datetime | None


@dataclass(frozen=True)
class Highlight:
    """A span of one turn's text to mark: character offsets (end exclusive), signed points and why."""

    start: int
    end: int
    effect: float
    note: str


def tone(effect: float) -> str:
    return "gain" if effect > 0 else "loss" if effect < 0 else "mixed"


def highlight_html(text: str, highlights: Sequence[Highlight]) -> str:
    """Return `text` as escaped HTML with every highlighted span wrapped in <mark>.

    Overlapping spans are cut at every span edge; each piece is marked once, titled with every note that
    covers it, and coloured by their points: all gains, all losses, or mixed.
    """
    spans = [h for h in highlights if 0 <= h.start < h.end]
    edges = sorted({0, len(text), *(min(h.start, len(text)) for h in spans), *(min(h.end, len(text)) for h in spans)})
    out = []
    for start, end in pairwise(edges):
        piece = escape(text[start:end])
        covering = [h for h in spans if h.start <= start and end <= h.end]
        if not covering:
            out.append(piece)
            continue
        tones = {tone(h.effect) for h in covering}
        title = escape(" · ".join(h.note for h in covering), quote=True)
        out.append(f'<mark class="rp-{tones.pop() if len(tones) == 1 else "mixed"}" title="{title}">{piece}</mark>')
    return "".join(out)


def points(effect: float) -> str:
    """Format signed points: '+15', '−10', '−2.5'."""
    magnitude = f"{abs(effect):.1f}".removesuffix(".0")
    return f"+{magnitude}" if effect > 0 else f"−{magnitude}" if effect < 0 else "±0"


def transcript_html(turns: Sequence[TurnLike], evidence: Sequence[Evidence], *, agent_label: str = "Agent",
                    customer_label: str = "Customer") -> str:
    """Return the conversation as HTML: one bubble per turn, evidence marked in the text and listed beneath."""
    by_turn: dict[int, list[Evidence]] = {}
    for item in evidence:
        by_turn.setdefault(item.turn, []).append(item)
    bubbles = []
    for index, turn in enumerate(turns):
        items = sorted(by_turn.get(index, ()), key=lambda e: (e.start, e.end))
        text = highlight_html(turn.text, [Highlight(e.start, e.end, e.effect, f"{points(e.effect)} {e.reason}")
                                          for e in items])
        who = agent_label if turn.speaker == "agent" else customer_label
        when = f" · {turn.at:%d %b %Y %H:%M:%S} UTC" if turn.at is not None else ""
        notes = "".join(
            f'<li class="rp-{tone(e.effect)}"><span class="rp-points">{escape(points(e.effect))}</span>'
            f"{escape(e.reason)}"
            + (f' <span class="rp-cue">“{escape(turn.text[e.start:e.end])}”</span>' if e.end > e.start else "")
            + "</li>"
            for e in items
        )
        bubbles.append(
            f'<div class="rp-turn rp-{"agent" if turn.speaker == "agent" else "customer"}">'
            f'<div class="rp-who">{escape(who)}{escape(when)}</div><div class="rp-text">{text}</div>'
            + (f'<ul class="rp-notes">{notes}</ul>' if notes else "") + "</div>"
        )
    return f'<div class="rp-transcript">{"".join(bubbles)}</div>'


def render_transcript(turns: Sequence[TurnLike], evidence: Sequence[Evidence], *, agent_label: str = "Agent",
                      customer_label: str = "Customer") -> None:
    """Show the conversation with the evidence highlighted (see transcript_html)."""
    st.html(STYLE + transcript_html(turns, evidence, agent_label=agent_label, customer_label=customer_label))
