"""Parse interactions from JSONL, plain-text transcripts, WebVTT captions and table rows.

Parsers never raise on bad input. Each returns a ParsedFile: the valid interactions and
where they came from, a ParseIssue for every problem (file, line or row, field, reason),
and notes that need no action. An interaction with any problem is left out whole, and so
is every record of an id that a file uses more than once, so that a caller can refuse
the file or import only what is valid without guessing. A bad *argument* (for example
channel="fax") raises InvalidInteraction: that is the caller's mistake, not the file's.

Plain-text transcripts
----------------------
A turn starts on a line "Speaker: text". Speaker labels are case-insensitive:

    agent      Agent, Rep, Representative, Support, or the agent's full name
    customer   Customer, Caller, Client, or the customer's full name

A label is one to three words followed by ":". A line may start with a time offset from
the start of the interaction, "[mm:ss]" or "[hh:mm:ss]" (seconds may have a fraction).
A line without a label continues the previous turn, as does a line indented deeper than
the line that opened the turn: indent a continuation that itself starts with "Word: ".
Unindented, "Note: call back" reads as the unknown speaker "Note" and is reported;
"Note:call back" (no space after the colon, unknown label) and URLs read as text.

Offsets become turn times only when the start is known (the header's "start:" or the
started_at argument). Without a start, turns keep their order without times and a note
(not an issue) says which transcripts' offsets went unused.

A file may hold several transcripts, each opened by a header line:

    ### id: CALL-123 channel: phone agent: Dana Lee customer: Maria Lopez start: 2026-03-02T10:00:00Z

Keys: id, channel, agent, customer (or customer_name), customer_id, team, start (or
started_at), resolved, transferred, csat. A key is a word followed by ":" and a space;
its value runs to the next key, so a value cannot contain "word: " itself. Header values
override the function's arguments, which act as defaults. Once a file has a header, every
transcript needs one with an id, and text before the first header is an issue. A file
without headers is one transcript whose id is `interaction_id`, else the file name
without its extension.

WebVTT
------
Cues carry the speaker in a voice tag, "<v Dana Lee>Hello". A cue's start time is the
offset of its text from `started_at` (turns have no times without it). Consecutive cues
of the same voice make one turn. A voice is the agent's if it is listed in
`agent_voices`; without that list, if its first word is Agent or Support, it starts with
"Rep" (Rep, Rep 2, Representative), or it equals the `agent` argument. Every other voice
is a customer. A file with voices but no agent voice is an issue.

Tables
------
parse_rows reads rows of a CSV or XLSX sheet in one of two layouts: "message" (one row
per message, grouped by interaction id) or "interaction" (one row per interaction, the
transcript column in the plain-transcript grammar). Row numbers are those a spreadsheet
shows: the header is row 1. Spreadsheet times without a time zone are taken as UTC.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import PurePath
from typing import Any, Literal

from scoring.model import (
    Interaction,
    InvalidInteraction,
    Turn,
    format_timestamp,
    interaction_from_dict,
    parse_timestamp,
)

Layout = Literal["message", "interaction"]


@dataclass(frozen=True, slots=True)
class ParseIssue:
    """One problem in an input file; `location` is "line 7", "row 12", "rows 3-5" or "" for the whole file."""

    source: str
    location: str
    field: str | None
    reason: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.source, self.location, self.field, self.reason) if part)


@dataclass
class ParsedFile:
    """What a parser made of one file."""

    source: str
    interactions: list[tuple[str, Interaction]] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Records read: non-blank JSONL lines, non-blank table rows, transcripts, or cues.
    rows: int = 0
    # Records left out because of issues: interactions, or rows that name none.
    rejected: int = 0


# ---------------------------------------------------------------------------- shared


class _Collector:
    """Build a ParsedFile; leave out every record of an id used more than once."""

    def __init__(self, source: str):
        self.parsed = ParsedFile(source)
        self._first_location: dict[str, str] = {}
        self._repeated_ids: set[str] = set()
        self._offsets_unused: list[str] = []

    def issue(self, location: str, field_name: str | None, reason: str) -> None:
        self.parsed.issues.append(ParseIssue(self.parsed.source, location, field_name, reason))

    def accept(self, location: str, interaction: Interaction, id_field: str | None) -> None:
        self._claim(interaction.id, location, id_field)
        problem = _unstorable_text(interaction)
        if problem is not None:
            self.issue(location, *problem)
            self.parsed.rejected += 1
        else:
            self.parsed.interactions.append((location, interaction))

    def reject(self, location: str, interaction_id: str | None = None, id_field: str | None = None) -> None:
        if interaction_id is not None:
            self._claim(interaction_id, location, id_field)
        self.parsed.rejected += 1

    def offsets_unused(self, interaction_id: str) -> None:
        self._offsets_unused.append(interaction_id)

    def _claim(self, interaction_id: str, location: str, id_field: str | None) -> None:
        first = self._first_location.setdefault(interaction_id, location)
        if first != location:
            self._repeated_ids.add(interaction_id)
            self.issue(location, id_field, f"id {interaction_id!r} is also used on {first}")

    def finish(self) -> ParsedFile:
        parsed = self.parsed
        if self._repeated_ids:
            kept = [(where, i) for where, i in parsed.interactions if i.id not in self._repeated_ids]
            parsed.rejected += len(parsed.interactions) - len(kept)
            parsed.interactions = kept
        if self._offsets_unused:
            parsed.notes.append("time offsets were not used because the start time is unknown: "
                                + _short_list(self._offsets_unused))
        return parsed


def _short_list(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def _unstorable_text(interaction: Interaction) -> tuple[str, str] | None:
    """Return (field, reason) for text a database cannot store: NUL, or lone surrogates from JSON escapes."""
    values = [("id", interaction.id), ("customer_name", interaction.customer_name),
              ("customer_id", interaction.customer_id), ("agent", interaction.agent),
              ("team", interaction.team)]
    values += [(f"turns[{i}].text", turn.text) for i, turn in enumerate(interaction.turns)]
    for name, value in values:
        if value is None:
            continue
        if "\x00" in value:
            return name, "contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return name, "contains an invalid character (a lone UTF-16 surrogate)"
    return None


_PROBE_RECORD = {"id": "probe", "channel": "phone", "turns": [{"speaker": "agent", "text": ""}]}
_OUTCOME_KEYS = ("resolved", "transferred", "csat")
_SCALARS = (str, int, float, datetime)


def _normalise(key: str, value: Any) -> Any:
    """Validate one interaction-level value with the model's own rules and wording; return it normalised."""
    if isinstance(value, _SCALARS):
        return _normalise_scalar(key, value)
    return _normalise_scalar.__wrapped__(key, value)


# Table rows repeat the same channel, agent and team on every row; typed keeps 1, 1.0 and True apart.
@lru_cache(maxsize=4096, typed=True)
def _normalise_scalar(key: str, value: Any) -> Any:
    try:
        probe = interaction_from_dict({**_PROBE_RECORD, key: value})
    except OverflowError:
        raise InvalidInteraction(key, f"out of range: {value!r}") from None
    return getattr(probe.outcome if key in _OUTCOME_KEYS else probe, key)


def _timestamp(value: Any, field_name: str) -> datetime:
    try:
        return parse_timestamp(value, field_name)
    except OverflowError:
        raise InvalidInteraction(field_name, f"out of range: {value!r}") from None


def _defaults(**values: Any) -> dict[str, Any]:
    """Validate interaction fields given as arguments; a bad one raises InvalidInteraction."""
    return {key: _normalise(key, value) for key, value in values.items() if value not in (None, "")}


def _build(fields_: Mapping[str, Any], turns: Sequence[Turn]) -> Interaction:
    """Assemble an Interaction through the model's validation (raises InvalidInteraction)."""
    record = {**fields_, "turns": [{"speaker": t.speaker, "text": t.text, "at": t.at} for t in turns]}
    try:
        return interaction_from_dict(record)
    except OverflowError:
        raise InvalidInteraction("turns", "a time is out of range") from None


def _shift(start: datetime | None, offset: timedelta | None) -> datetime | None:
    if start is None or offset is None:
        return None
    try:
        return start + offset
    except OverflowError:
        raise InvalidInteraction("start", "time offsets run past the year 9999") from None


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    # Split on line breaks only: str.splitlines would also split on U+2028, form feeds and the like.
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    return list(enumerate(lines, start=1))


def _show(value: Any) -> str:
    return format_timestamp(value) if isinstance(value, datetime) else repr(value)


# ---------------------------------------------------------------------------- JSONL


def parse_jsonl(text_or_lines: str | Iterable[str], *, source: str) -> ParsedFile:
    """Parse one interaction per line in the interchange format; blank lines are skipped."""
    out = _Collector(source)
    if isinstance(text_or_lines, str):
        lines: Iterable[tuple[int, str]] = _numbered_lines(text_or_lines)
    else:
        lines = enumerate(text_or_lines, start=1)
    for number, line in lines:
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        out.parsed.rows += 1
        location = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            out.issue(location, None, f"not valid JSON: {exc.msg} at column {exc.colno}")
            out.reject(location)
            continue
        except (ValueError, RecursionError) as exc:  # integers over 4300 digits, nesting too deep
            out.issue(location, None, f"not valid JSON: {exc}")
            out.reject(location)
            continue
        try:
            interaction = interaction_from_dict(record)
        except InvalidInteraction as exc:
            out.issue(location, exc.field, exc.reason)
            out.reject(location, _record_id(record), "id")
            continue
        except OverflowError as exc:  # the model lets this escape for huge csat integers and year-1 times
            out.issue(location, None, f"a value is out of range: {exc}")
            out.reject(location, _record_id(record), "id")
            continue
        out.accept(location, interaction, "id")
    return out.finish()


def _record_id(record: Any) -> str | None:
    raw = record.get("id") if isinstance(record, Mapping) else None
    if isinstance(raw, (str, int)) and not isinstance(raw, bool) and str(raw).strip():
        return str(raw).strip()
    return None


# ---------------------------------------------------------------------------- plain-text transcripts

SPEAKER_LABELS: Mapping[str, str] = {
    "agent": "agent",
    "rep": "agent",
    "representative": "agent",
    "support": "agent",
    "customer": "customer",
    "caller": "customer",
    "client": "customer",
}

HEADER_KEYS: Mapping[str, str] = {
    "id": "id",
    "channel": "channel",
    "agent": "agent",
    "customer": "customer_name",
    "customer_name": "customer_name",
    "customer_id": "customer_id",
    "team": "team",
    "start": "started_at",
    "started_at": "started_at",
    "resolved": "resolved",
    "transferred": "transferred",
    "csat": "csat",
}

# Anything bracketed starting with a digit is meant as an offset: report a malformed one, not read it as text.
_NO_TURNS = "no 'Agent: …' or 'Customer: …' lines"
_OFFSET = re.compile(r"\[(\d[\d:.]*)\][ \t]*")
_OFFSET_VALUE = re.compile(r"(?:(\d{1,3}):)?(\d{1,3}):(\d{2}(?:\.\d{1,3})?)")
_WORD = r"[^\W\d_](?:[^\W\d_]|['’.-])*"
_LABELLED_LINE = re.compile(rf"(?P<label>{_WORD}(?: {_WORD}){{0,2}})[ \t]*:(?P<gap>[ \t]*)(?P<text>.*)")
_HEADER_KEY = re.compile(r"(?<!\S)([A-Za-z][A-Za-z_]*):(?=\s|$)")


@dataclass
class _DraftTurn:
    indent: int
    speaker: str
    parts: list[str]
    offset: timedelta | None


def _speaker_role(label: str, agent: str | None, customer: str | None) -> str | None:
    key = " ".join(label.split()).casefold()
    if key in SPEAKER_LABELS:
        return SPEAKER_LABELS[key]
    if agent and key == " ".join(agent.split()).casefold():
        return "agent"
    if customer and key == " ".join(customer.split()).casefold():
        return "customer"
    return None


def _expected_labels() -> str:
    labels = [label.capitalize() for label in SPEAKER_LABELS]
    return ", ".join(labels[:-1]) + f" or {labels[-1]} (or the agent's or customer's name)"


def _offset(text: str) -> timedelta | None:
    match = _OFFSET_VALUE.fullmatch(text)
    if match is None:
        return None
    hours, minutes, seconds = match.group(1), int(match.group(2)), float(match.group(3))
    if seconds >= 60 or (hours is not None and minutes >= 60):
        return None
    return timedelta(hours=int(hours or 0), minutes=minutes, seconds=seconds)


def _parse_turn_lines(lines: Iterable[tuple[int, str]], *, agent: str | None,
                      customer: str | None) -> tuple[list[_DraftTurn], list[tuple[int, str]]]:
    """Read "Speaker: text" lines into draft turns; return them and (line number, reason) problems."""
    turns: list[_DraftTurn] = []
    problems: list[tuple[int, str]] = []
    for number, line in lines:
        body = line.strip()
        if not body:
            continue
        indent = len(line) - len(line.lstrip())
        if turns and indent > turns[-1].indent:
            turns[-1].parts.append(body)
            continue
        offset = None
        offset_match = _OFFSET.match(body)
        if offset_match:
            offset = _offset(offset_match.group(1))
            if offset is None:
                problems.append((number, f"bad time offset {offset_match.group().strip()!r}: "
                                         "expected [mm:ss] or [hh:mm:ss]"))
                continue
            body = body[offset_match.end():]
        labelled = _LABELLED_LINE.fullmatch(body)
        role = _speaker_role(labelled["label"], agent, customer) if labelled else None
        # An unknown word glued to its text ("Note:see") or a URL ("https://…") is ordinary text.
        if labelled and role is None:
            glued = not labelled["gap"] and labelled["text"]
            if glued or labelled["text"].startswith("//"):
                labelled = None
        if labelled:
            if role is None:
                label = labelled["label"]
                problems.append((number, f"unknown speaker {label!r}; expected {_expected_labels()}"))
                continue
            text = labelled["text"].strip()
            turns.append(_DraftTurn(indent, role, [text] if text else [], offset))
        elif offset_match:
            problems.append((number, "expected 'Speaker: text' after the time offset"))
        elif turns:
            turns[-1].parts.append(body)
        else:
            problems.append((number, "text before the first speaker label"))
    return turns, problems


def _turns(drafts: Sequence[_DraftTurn], start: datetime | None) -> tuple[list[Turn], bool]:
    """Return the turns and whether offsets were given but could not be used."""
    turns = [Turn(d.speaker, "\n".join(d.parts), _shift(start, d.offset)) for d in drafts]
    return turns, start is None and any(d.offset is not None for d in drafts)


def _parse_header(text: str) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
    """Read "key: value" pairs; return normalised fields and (key, reason) problems."""
    keys = list(_HEADER_KEY.finditer(text))
    problems: list[tuple[str | None, str]] = []
    leading = text[: keys[0].start()] if keys else text
    if leading.strip():
        problems.append((None, f"expected 'key: value' pairs, got {leading.strip()!r}"))
    values: dict[str, Any] = {}
    for key, following in zip(keys, keys[1:] + [None]):
        name = key.group(1)
        target = HEADER_KEYS.get(name.lower())
        value = text[key.end(): following.start() if following else len(text)].strip()
        if target is None:
            problems.append((name, f"unknown header key; expected one of {', '.join(HEADER_KEYS)}"))
        elif target in values:
            problems.append((name, "given twice"))
        else:
            try:
                values[target] = _normalise(target, value)
            except InvalidInteraction as exc:
                problems.append((name, exc.reason))
    return values, problems


def parse_plain_transcript(text: str, *, source: str, interaction_id: str | None = None,
                           channel: str = "phone", started_at: datetime | str | None = None,
                           agent: str | None = None, customer_name: str | None = None,
                           customer_id: str | None = None, team: str | None = None) -> ParsedFile:
    """Parse "Agent: …" / "Customer: …" transcripts, optionally several under "###" headers."""
    out = _Collector(source)
    defaults = _defaults(channel=channel, started_at=started_at, agent=agent, customer_name=customer_name,
                         customer_id=customer_id, team=team)
    lines = _numbered_lines(text)
    header_numbers = [n for n, line in lines if line.lstrip().startswith("###")]
    if not header_numbers:
        content = [(n, line) for n, line in lines if line.strip()]
        if content:
            name = interaction_id or PurePath(source).stem
            _transcript(out, f"line {content[0][0]}", {**defaults, "id": _normalise("id", name)}, [], lines)
        return out.finish()
    preamble = [n for n, line in lines[: header_numbers[0] - 1] if line.strip()]
    if preamble:
        out.issue(f"line {preamble[0]}", None, "text before the first '###' header")
        out.reject(f"line {preamble[0]}")
    for header, following in zip(header_numbers, header_numbers[1:] + [len(lines) + 1]):
        header_text = lines[header - 1][1].lstrip()[3:]
        values, problems = _parse_header(header_text)
        if "id" not in values and not any(key and key.lower() == "id" for key, _ in problems):
            problems.append(("id", "missing: every transcript after a '###' header needs an id"))
        _transcript(out, f"line {header}", {**defaults, **values}, problems, lines[header:following - 1])
    return out.finish()


def _transcript(out: _Collector, location: str, fields_: dict[str, Any],
                header_problems: list[tuple[str | None, str]], lines: Sequence[tuple[int, str]]) -> None:
    """Parse one transcript's lines and accept or reject it."""
    out.parsed.rows += 1
    drafts, line_problems = _parse_turn_lines(lines, agent=fields_.get("agent"),
                                              customer=fields_.get("customer_name"))
    problems = [(location, key, reason) for key, reason in header_problems]
    problems += [(f"line {n}", None, reason) for n, reason in line_problems]
    if not drafts and not problems:
        problems.append((location, None, _NO_TURNS))
    _settle_transcript(out, location, "id", fields_, drafts, problems, field_of=lambda key: key)


def _settle_transcript(out: _Collector, location: str, id_field: str | None, fields_: Mapping[str, Any],
                       drafts: Sequence[_DraftTurn], problems: list[tuple[str, str | None, str]], *,
                       field_of: Callable[[str], str | None]) -> None:
    """Accept the transcript's interaction, or report its problems and reject it.

    `field_of` names, in the caller's terms, the field of an error the model finds last.
    """
    interaction = None
    offsets_unused = False
    if not problems:
        try:
            turns, offsets_unused = _turns(drafts, fields_.get("started_at"))
            interaction = _build(fields_, turns)
        except InvalidInteraction as exc:
            problems.append((location, field_of(exc.field), exc.reason))
    if interaction is None:
        for where, key, reason in problems:
            out.issue(where, key, reason)
        out.reject(location, fields_.get("id"), id_field)
        return
    if offsets_unused:
        out.offsets_unused(interaction.id)
    out.accept(location, interaction, id_field)


# ---------------------------------------------------------------------------- WebVTT

_TIMING_FORM = "'hh:mm:ss.mmm --> hh:mm:ss.mmm'"
_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_TIMING = re.compile(r"(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t].*)?")
_VTT_STAMP = re.compile(r"(?:(\d{1,6}):)?(\d{2}):(\d{2})\.(\d{3})")
_VOICE_TAG = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+([^>]*))?>|</v>")
_ANY_TAG = re.compile(r"<[^>]*>")
_AGENT_VOICE = re.compile(r"(?:agent|support)\b|rep", re.IGNORECASE)


@dataclass
class _VoiceTurn:
    voice: str
    texts: list[str]
    offset: timedelta


def _vtt_time(stamp: str) -> timedelta | None:
    match = _VTT_STAMP.fullmatch(stamp)
    if not match:
        return None
    hours, minutes, seconds, millis = match.groups()
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    return timedelta(hours=int(hours or 0), minutes=int(minutes), seconds=int(seconds),
                     milliseconds=int(millis))


def _blocks(lines: Iterable[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    """Yield runs of non-blank lines."""
    block: list[tuple[int, str]] = []
    for number, line in lines:
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _voice_segments(
        payload: Sequence[tuple[int, str]]) -> tuple[list[tuple[str, str, int]], list[tuple[int, str]]]:
    """Split cue text into (voice, text, line) segments; return them and (line, reason) problems."""
    if not any(match.group(0) != "</v>" for _, line in payload for match in _VOICE_TAG.finditer(line)):
        return [], [(payload[0][0], "cue has no <v Speaker> voice tag")]
    segments: list[tuple[str, str, int]] = []
    problems: list[tuple[int, str]] = []
    # A voice span runs on across lines until </v> or the next <v>; "" is a nameless voice, already reported.
    voice: str | None = None
    for number, line in payload:
        pieces: list[tuple[str | None, str]] = []
        position = 0
        for match in _VOICE_TAG.finditer(line):
            pieces.append((voice, line[position:match.start()]))
            if match.group(0) == "</v>":
                voice = None
            else:
                voice = " ".join((match.group(1) or "").split())
                if not voice:
                    problems.append((number, "voice tag without a speaker name"))
            position = match.end()
        pieces.append((voice, line[position:]))
        for piece_voice, raw in pieces:
            text = " ".join(html.unescape(_ANY_TAG.sub("", raw)).split())
            if not text:
                continue
            if piece_voice is None:
                problems.append((number, "text outside a <v Speaker> voice tag"))
            elif piece_voice:
                segments.append((piece_voice, text, number))
    return segments, problems


def _agent_voice_test(agent_voices: Iterable[str] | None, agent: str | None) -> Callable[[str], bool]:
    if agent_voices is not None:
        named = {" ".join(v.split()).casefold() for v in agent_voices}
        return lambda voice: voice.casefold() in named
    agent_key = " ".join(agent.split()).casefold() if agent else None
    return lambda voice: bool(_AGENT_VOICE.match(voice)) or voice.casefold() == agent_key


def parse_webvtt(text: str, *, source: str, interaction_id: str | None = None, channel: str = "phone",
                 started_at: datetime | str | None = None, agent_voices: Iterable[str] | None = None,
                 agent: str | None = None, customer_name: str | None = None, customer_id: str | None = None,
                 team: str | None = None) -> ParsedFile:
    """Parse a WebVTT file whose cues carry <v Speaker> voice tags into one interaction."""
    out = _Collector(source)
    fields_ = _defaults(id=interaction_id or PurePath(source).stem, channel=channel, started_at=started_at,
                        agent=agent, customer_name=customer_name, customer_id=customer_id, team=team)
    blocks = list(_blocks(_numbered_lines(text)))
    problems: list[tuple[int, str | None, str]] = []
    if blocks and blocks[0][0][0] == 1 and _VTT_HEADER.fullmatch(blocks[0][0][1].rstrip()):
        header, blocks = blocks[0], blocks[1:]
        problems += [(n, None, "a cue must be separated from the WEBVTT header by a blank line")
                     for n, line in header if "-->" in line][:1]
    else:
        problems.append((1, None, "missing 'WEBVTT' header on the first line"))
    turns: list[_VoiceTurn] = []
    first_voice_line: int | None = None
    for block in blocks:
        first_number, first_line = block[0]
        if first_line.split()[0] in ("NOTE", "STYLE", "REGION"):
            continue
        if "-->" in first_line:
            timing_index = 0
        elif len(block) > 1 and "-->" in block[1][1]:
            timing_index = 1
        else:
            problems.append((first_number, None, f"expected a cue timing line {_TIMING_FORM}"))
            continue
        out.parsed.rows += 1
        timing_number, timing = block[timing_index]
        timing_match = _VTT_TIMING.fullmatch(timing.strip())
        start = _vtt_time(timing_match.group(1)) if timing_match else None
        end = _vtt_time(timing_match.group(2)) if timing_match else None
        if start is None or end is None:
            reason = f"bad cue timing {timing.strip()!r}: expected {_TIMING_FORM}"
            problems.append((timing_number, None, reason))
            continue
        if end < start:
            problems.append((timing_number, None, "the cue ends before it starts"))
        payload = block[timing_index + 1:]
        if not payload:
            continue
        segments, voice_problems = _voice_segments(payload)
        problems += [(n, "voice", reason) for n, reason in voice_problems]
        for voice, segment, number in segments:
            first_voice_line = first_voice_line or number
            if turns and turns[-1].voice.casefold() == voice.casefold():
                turns[-1].texts.append(segment)
            else:
                turns.append(_VoiceTurn(voice, [segment], start))
    is_agent = _agent_voice_test(agent_voices, fields_.get("agent"))
    voices = list(dict.fromkeys(t.voice for t in turns))
    # Only on an otherwise sound file: the agent's voice may be in a cue that was reported.
    if voices and not problems and not any(is_agent(v) for v in voices):
        problems.append((first_voice_line or 1, "voice",
                         f"no agent voice among {', '.join(map(repr, voices))}: name the agent's voices, "
                         "or call the voice Agent, Support or Rep"))
    location = "line 1"
    if not problems and turns:
        try:
            start_at = fields_.get("started_at")
            interaction = _build(fields_, [
                Turn("agent" if is_agent(t.voice) else "customer", " ".join(t.texts),
                     _shift(start_at, t.offset))
                for t in turns
            ])
        except InvalidInteraction as exc:
            problems.append((1, exc.field, exc.reason))
        else:
            if start_at is None:
                out.offsets_unused(interaction.id)
            out.accept(location, interaction, "id")
    if problems:
        for number, key, reason in sorted(problems, key=lambda p: p[0]):
            out.issue(f"line {number}", key, reason)
        out.reject(location, fields_["id"], "id")
    return out.finish()


# ---------------------------------------------------------------------------- tables


@dataclass
class ColumnMapping:
    """The file's column for each Rapport field; None where the file has none."""

    interaction_id: str | None = None
    channel: str | None = None
    speaker: str | None = None
    text: str | None = None
    at: str | None = None
    customer_name: str | None = None
    customer_id: str | None = None
    agent: str | None = None
    team: str | None = None
    started_at: str | None = None
    resolved: str | None = None
    transferred: str | None = None
    csat: str | None = None
    transcript: str | None = None  # the "interaction" layout's whole conversation

    def columns(self, layout: Layout | None = None) -> dict[str, str]:
        """Return {field: column} for mapped fields, only those the layout uses when it is given."""
        wanted = LAYOUT_FIELDS[layout] if layout else {f.name for f in fields(self)}
        mapped = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}
        return {name: column for name, column in mapped.items() if name in wanted}


# Interaction-level fields and their keys in the interchange format.
_INTERACTION_KEYS = {"interaction_id": "id", "channel": "channel", "customer_name": "customer_name",
                     "customer_id": "customer_id", "agent": "agent", "team": "team",
                     "started_at": "started_at", "resolved": "resolved", "transferred": "transferred",
                     "csat": "csat"}
_TEXT_KEYS = {"id", "customer_name", "customer_id", "agent", "team"}

LAYOUT_FIELDS: Mapping[str, frozenset[str]] = {
    "message": frozenset(_INTERACTION_KEYS) | {"speaker", "text", "at"},
    "interaction": frozenset(_INTERACTION_KEYS) | {"transcript"},
}
REQUIRED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "message": ("interaction_id", "speaker", "text"),
    "interaction": ("interaction_id", "transcript"),
}

# Header spellings per field, compared without case, spaces, underscores, hyphens, dots, "#" or "/".
_SHARED_SYNONYMS: dict[str, tuple[str, ...]] = {
    "interaction_id": ("interactionid", "id", "conversationid", "ticketid", "ticket", "ticketnumber",
                       "callid", "chatid", "caseid", "casenumber", "threadid", "sessionid"),
    "channel": ("channel", "channeltype", "medium", "contacttype"),
    "customer_id": ("customerid", "clientid", "accountid", "accountnumber", "customernumber"),
    "customer_name": ("customername", "customer", "clientname", "client", "callername", "caller", "requester",
                      "contactname"),
    "agent": ("agent", "agentname", "rep", "representative", "employee", "employeename", "assignee",
              "handledby", "owner"),
    "team": ("team", "teamname", "group", "queue", "department"),
    "resolved": ("resolved", "isresolved", "solved", "fcr", "firstcontactresolution"),
    "transferred": ("transferred", "istransferred", "transfer", "escalated"),
    "csat": ("csat", "csatscore", "satisfaction", "satisfactionscore", "customersatisfaction", "rating"),
}
_SYNONYMS: Mapping[str, dict[str, tuple[str, ...]]] = {
    "message": {
        **_SHARED_SYNONYMS,
        "speaker": ("speaker", "sender", "author", "role", "from", "who", "party", "speakerrole",
                    "sendertype", "authortype", "speakertype"),
        "text": ("text", "message", "body", "content", "messagetext", "messagebody", "utterance", "comment"),
        "at": ("at", "timestamp", "time", "sentat", "createdat", "datetime", "messagetime", "date", "sent"),
        "started_at": ("startedat", "start", "starttime", "conversationstart", "callstart", "openedat"),
    },
    "interaction": {
        **_SHARED_SYNONYMS,
        "transcript": ("transcript", "conversation", "dialogue", "dialog", "messages", "chatlog", "text",
                       "body", "content"),
        "started_at": ("startedat", "start", "starttime", "callstart", "openedat", "createdat", "timestamp",
                       "datetime", "date", "time"),
    },
}


def _header_key(header: str) -> str:
    return re.sub(r"[\s_\-.#/]+", "", header).casefold()


def guess_mapping(headers: Iterable[str], layout: Layout) -> ColumnMapping:
    """Map each field to the first header spelled like one of its synonyms; each header serves one field."""
    by_key: dict[str, str] = {}
    for header in headers:
        if header:
            by_key.setdefault(_header_key(header), header)
    taken: set[str] = set()
    found: dict[str, str] = {}
    for field_name, synonyms in _SYNONYMS[layout].items():
        column = next((by_key[s] for s in synonyms if s in by_key and by_key[s] not in taken), None)
        if column is not None:
            found[field_name] = column
            taken.add(column)
    return ColumnMapping(**found)


def guess_layout(headers: Iterable[str]) -> Layout:
    """Return "interaction" when the headers have a transcript column but no speaker column."""
    headers = list(headers)
    has_transcript = guess_mapping(headers, "interaction").transcript is not None
    has_speaker = guess_mapping(headers, "message").speaker is not None
    return "interaction" if has_transcript and not has_speaker else "message"


def _describe_rows(numbers: Sequence[int]) -> str:
    """Return "row 4" or "rows 2-5, 9"."""
    if len(numbers) == 1:
        return f"row {numbers[0]}"
    spans: list[list[int]] = []
    for n in sorted(set(numbers)):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return "rows " + ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def _cell(value: Any) -> Any:
    """Return a cell's value with blanks as None, whole floats as ints and dates as midnight UTC."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


def _cell_text(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else str(value)


@dataclass
class _RowTurn:
    row: int
    speaker: str
    text: str
    at: datetime | None


@dataclass
class _Group:
    """The rows of one interaction in the message layout."""

    rows: list[int] = field(default_factory=list)
    bad_rows: list[int] = field(default_factory=list)
    fields: dict[str, tuple[Any, int]] = field(default_factory=dict)  # key -> (value, row that gave it)
    turns: list[_RowTurn] = field(default_factory=list)


class _RowReader:
    """Parse rows of one table with a checked mapping."""

    def __init__(self, out: _Collector, columns: Mapping[str, str], channel: str | None):
        self.out = out
        self.columns = columns
        self.channel = channel

    def value(self, row: Mapping[Any, Any], field_name: str) -> Any:
        column = self.columns.get(field_name)
        return _cell(row.get(column)) if column else None

    def interaction_values(self, row: Mapping[Any, Any],
                           problems: list[tuple[str | None, str]]) -> dict[str, Any]:
        """Return the row's normalised interaction-level values, id excluded; add problems for bad cells."""
        values: dict[str, Any] = {}
        for field_name, key in _INTERACTION_KEYS.items():
            raw = self.value(row, field_name)
            if key == "id" or raw is None:
                continue
            try:
                values[key] = _normalise(key, _cell_text(raw) if key in _TEXT_KEYS else raw)
            except InvalidInteraction as exc:
                problems.append((self.columns[field_name], exc.reason))
        surplus = [v for v in row.get(None) or () if _cell(v) is not None]
        if surplus:
            problems.append((None, f"{len(surplus)} cell(s) beyond the last header column, "
                                   f"starting {_cell_text(_cell(surplus[0]))!r}"))
        return values

    def interaction_id(self, row: Mapping[Any, Any], location: str) -> str | None:
        raw = _cell_text(self.value(row, "interaction_id"))
        if raw is None:
            self.out.issue(location, self.columns["interaction_id"], "missing interaction id")
            self.out.reject(location)
        return raw

    def fields_with_channel(self, values: dict[str, Any]) -> dict[str, Any]:
        return values if "channel" in values or self.channel is None else {**values, "channel": self.channel}


def parse_rows(rows: Iterable[Mapping[Any, Any]], *, source: str, mapping: ColumnMapping, layout: Layout,
               first_row_number: int = 2, channel: str | None = None,
               headers: Sequence[str] | None = None) -> ParsedFile:
    """Parse table rows (dicts keyed by column name) in the message or interaction layout.

    `channel` applies where the file has no channel column or the cell is blank. `headers`
    defaults to the first row's keys. Cells under the key None are cells beyond the header
    (csv.DictReader's convention); a non-blank one is a problem of its row.
    """
    out = _Collector(source)
    default_channel = _defaults(channel=channel).get("channel")
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return out.finish()
    headers = [h for h in (headers if headers is not None else first.keys()) if h]
    columns = mapping.columns(layout)
    header_row = f"row {first_row_number - 1}"
    for field_name in REQUIRED_FIELDS[layout]:
        if field_name not in columns:
            out.issue(header_row, field_name, "no column holds this field; name it in the column mapping")
    if "channel" not in columns and default_channel is None:
        out.issue(header_row, "channel", "no channel column; choose the channel of the whole file")
    for field_name, column in columns.items():
        if column not in headers:
            out.issue(header_row, field_name, f"column {column!r} is not in the header")
    ignored = [h for h in headers if h not in set(columns.values())]
    if ignored:
        out.parsed.notes.append(f"columns not used: {', '.join(ignored)}")
    if out.parsed.issues:
        return out.finish()
    reader = _RowReader(out, columns, default_channel)
    numbered = enumerate(_prepend(first, iterator), start=first_row_number)
    if layout == "message":
        _parse_message_rows(reader, numbered)
    else:
        _parse_interaction_rows(reader, numbered)
    return out.finish()


def _prepend(first: Mapping[Any, Any], rest: Iterator[Mapping[Any, Any]]) -> Iterator[Mapping[Any, Any]]:
    yield first
    yield from rest


def _is_blank(row: Mapping[Any, Any]) -> bool:
    return all(_cell(v) is None for k, v in row.items() if k is not None) and not any(
        _cell(v) is not None for v in row.get(None) or ())


def _parse_message_rows(reader: _RowReader, rows: Iterable[tuple[int, Mapping[Any, Any]]]) -> None:
    out, columns = reader.out, reader.columns
    groups: dict[str, _Group] = {}
    for number, row in rows:
        if _is_blank(row):
            continue
        out.parsed.rows += 1
        location = f"row {number}"
        interaction_id = reader.interaction_id(row, location)
        if interaction_id is None:
            continue
        problems: list[tuple[str | None, str]] = []
        values = reader.interaction_values(row, problems)
        group = groups.setdefault(interaction_id, _Group())
        group.rows.append(number)
        for key, value in values.items():
            known = group.fields.setdefault(key, (value, number))
            if known[0] != value:
                column = columns[_field_of_key(key)]
                problems.append((column, f"{_show(value)} here but {_show(known[0])} on row {known[1]}"))
        agent, customer = group.fields.get("agent", (None,))[0], group.fields.get("customer_name", (None,))[0]
        label = _cell_text(reader.value(row, "speaker"))
        speaker = _speaker_role(label, agent, customer) if label else None
        if speaker is None:
            problems.append((columns["speaker"], f"unknown speaker {label!r}; expected {_expected_labels()}"
                             if label else "missing speaker"))
        text = _cell_text(reader.value(row, "text"))
        if text is None:
            problems.append((columns["text"], "empty message"))
        at = None
        raw_at = reader.value(row, "at")
        if raw_at is not None:
            try:
                at = _timestamp(raw_at, columns["at"])
            except InvalidInteraction as exc:
                problems.append((columns["at"], exc.reason))
        for column, reason in problems:
            out.issue(location, column, reason)
        if problems:
            group.bad_rows.append(number)
        else:
            group.turns.append(_RowTurn(number, speaker, text, at))
    for interaction_id, group in groups.items():
        location = _describe_rows(group.rows)
        if group.bad_rows:
            if len(group.bad_rows) < len(group.rows):
                out.issue(location, columns["interaction_id"], f"interaction {interaction_id!r} not imported "
                          f"because of the problems on {_describe_rows(group.bad_rows)}")
            out.reject(location, interaction_id, columns["interaction_id"])
            continue
        turns = group.turns
        if all(t.at is not None for t in turns):
            turns = sorted(turns, key=lambda t: t.at)
        fields_ = reader.fields_with_channel({key: value for key, (value, _) in group.fields.items()})
        try:
            interaction = _build({**fields_, "id": interaction_id},
                                 [Turn(t.speaker, t.text, t.at) for t in turns])
        except InvalidInteraction as exc:
            out.issue(location, columns.get(_field_of_key(exc.field), exc.field), exc.reason)
            out.reject(location, interaction_id, columns["interaction_id"])
            continue
        out.accept(location, interaction, columns["interaction_id"])


def _field_of_key(key: str) -> str:
    return next((f for f, k in _INTERACTION_KEYS.items() if k == key), key)


def _parse_interaction_rows(reader: _RowReader, rows: Iterable[tuple[int, Mapping[Any, Any]]]) -> None:
    out, columns = reader.out, reader.columns
    id_column, transcript_column = columns["interaction_id"], columns["transcript"]
    for number, row in rows:
        if _is_blank(row):
            continue
        out.parsed.rows += 1
        location = f"row {number}"
        interaction_id = reader.interaction_id(row, location)
        if interaction_id is None:
            continue
        problems: list[tuple[str | None, str]] = []
        values = reader.interaction_values(row, problems)
        transcript = _cell_text(reader.value(row, "transcript"))
        drafts: list[_DraftTurn] = []
        if transcript is None:
            problems.append((transcript_column, "empty transcript"))
        else:
            drafts, line_problems = _parse_turn_lines(_numbered_lines(transcript), agent=values.get("agent"),
                                                      customer=values.get("customer_name"))
            problems += [(transcript_column, f"line {n}: {reason}") for n, reason in line_problems]
            if not drafts and not line_problems:
                problems.append((transcript_column, _NO_TURNS))
        fields_ = {**reader.fields_with_channel(values), "id": interaction_id}
        _settle_transcript(out, location, id_column, fields_, drafts,
                           [(location, column, reason) for column, reason in problems],
                           field_of=lambda key: columns.get(_field_of_key(key), key))
