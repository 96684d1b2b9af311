"""Properties: no input makes a parser raise, and JSONL round-trips an Interaction."""

import json
from datetime import date, datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from scoring.model import CHANNELS, SPEAKERS, Interaction, Outcome, Turn
from scoring.parsers import (
    ColumnMapping,
    ParsedFile,
    parse_jsonl,
    parse_plain_transcript,
    parse_rows,
    parse_webvtt,
)


def assert_well_formed(parsed: ParsedFile, source: str) -> None:
    assert isinstance(parsed, ParsedFile)
    ids = [interaction.id for _, interaction in parsed.interactions]
    assert len(ids) == len(set(ids))
    for location, interaction in parsed.interactions:
        assert isinstance(interaction, Interaction) and interaction.turns
        assert location
    for issue in parsed.issues:
        assert issue.source == source and str(issue).startswith(source)
    assert parsed.rows >= 0 and parsed.rejected >= 0


def garbled(fragments: list[str]) -> st.SearchStrategy[str]:
    """Lines mostly from well-formed pieces, random text mixed in, joined by assorted line breaks."""
    line = st.one_of(st.sampled_from(fragments), st.text(max_size=30))
    return st.tuples(st.lists(line, max_size=25), st.sampled_from(["\n", "\r\n", "\r"])).map(
        lambda parts: parts[1].join(parts[0]))


TRANSCRIPT_PIECES = [
    "Agent: Hello, how can I help?", "Customer: My order is late.", "[00:05] Agent: Sorry",
    "[1:02:03] Caller: hi",
    "[99:99] Rep: x", "[0:5]", "### id: A", "### id: B channel: chat start: 2026-03-02T10:00:00Z csat: 4",
    "### id: A channel: fax", "### nonsense", "    indented: continuation", "Bob: who?", "Note:glued",
    "https://example.com", "", "Dana Lee: hi", "### id: C agent: Dana Lee start: 9999-12-31T23:59:59Z",
    "[999:59] Agent: late", "\x00", "Agent:", "  Customer: indented",
]
VTT_PIECES = [
    "WEBVTT", "", "", "NOTE a note", "00:01.000 --> 00:02.000", "00:00:03.000 --> 00:00:04.500 align:start",
    "99:59.999 --> 00:00.000", "00:61.000 --> 00:62.000", "999999:00:00.000 --> 999999:00:01.000", "cue-1",
    "<v Agent>Hello", "<v Maria Lopez>My order", "<v>nameless", "</v> stray", "<v.loud Rep>ok</v>",
    "plain text",
    "<i>no voice</i>", "&amp; &lt;", "<v Agent>a<v Customer>b", "STYLE",
]
JSON_PIECES = [
    '{"id": "a", "channel": "chat", "turns": [{"speaker": "agent", "text": "hi"}]}',
    '{"id": "a", "channel": "chat", "turns": [{"speaker": "bot", "text": "hi"}]}',
    '{"id": "b", "channel": "phone", "turns": [{"speaker": "customer", "text": "x", "at": "2026-03-02"}], '
    '"csat": 5, "resolved": "yes"}',
    '{"id": 7, "channel": "email", "turns": [], "started_at": "0001-01-01T00:00:00+01:00"}',
    '{"id": "c", "channel": "chat", "turns": [{"speaker": "agent", "text": "\\u0000"}], "csat": 1e400}',
    "[", "{", "null", "[]", '"text"', "NaN", "1" * 5000, "[" * 5000,
]


@given(st.one_of(st.text(), garbled(TRANSCRIPT_PIECES)), st.sampled_from([None, "2026-03-02T10:00:00Z"]))
def test_plain_transcript_never_raises(text, started_at):
    assert_well_formed(parse_plain_transcript(text, source="t.txt", started_at=started_at), "t.txt")


@given(st.one_of(st.text(), garbled(VTT_PIECES).map(lambda t: "WEBVTT\n\n" + t), garbled(VTT_PIECES)),
       st.sampled_from([None, "9999-12-31T00:00:00Z"]), st.sampled_from([None, ["Maria Lopez"]]))
def test_webvtt_never_raises(text, started_at, agent_voices):
    parsed = parse_webvtt(text, source="c.vtt", started_at=started_at, agent_voices=agent_voices)
    assert_well_formed(parsed, "c.vtt")


@given(st.one_of(st.text(), garbled(JSON_PIECES)))
def test_jsonl_never_raises(text):
    assert_well_formed(parse_jsonl(text, source="a.jsonl"), "a.jsonl")


COLUMNS = ["ID", "Who", "Text", "When", "Channel", "CSAT", "Resolved", "Transcript", "Agent"]
CELL = st.one_of(
    st.none(), st.text(max_size=20),
    st.sampled_from(["agent", "Customer", "C1", "C2", "chat", "4", "yes", "Dana"]),
    st.integers(), st.floats(), st.booleans(), st.datetimes(), st.dates(),
    st.sampled_from(TRANSCRIPT_PIECES).map(lambda s: s + "\nCustomer: ok"),
)


@given(rows=st.lists(st.fixed_dictionaries({c: CELL for c in COLUMNS}), max_size=12),
       mapping=st.builds(ColumnMapping, **{name: st.sampled_from([None, *COLUMNS, "Missing"]) for name in (
           "interaction_id", "speaker", "text", "at", "channel", "csat", "resolved", "transcript", "agent")}),
       layout=st.sampled_from(["message", "interaction"]), channel=st.sampled_from([None, "chat"]))
def test_parse_rows_never_raises(rows, mapping, layout, channel):
    parsed = parse_rows(rows, source="t.xlsx", mapping=mapping, layout=layout, channel=channel)
    assert_well_formed(parsed, "t.xlsx")


# ---------------------------------------------------------------- round trip

# What the interchange format keeps: stripped non-empty text, whole seconds in UTC, years with four digits.
# Storable text: no NUL, no lone surrogates (the parsers refuse both, as databases do).
storable_chars = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
clean_text = st.text(storable_chars, min_size=1, max_size=20).filter(
    lambda s: s == s.strip() and s != "")
optional_text = st.none() | clean_text
moments = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.just(timezone.utc)).map(lambda d: d.replace(microsecond=0))
turns = st.builds(Turn, speaker=st.sampled_from(SPEAKERS), text=st.text(storable_chars),
                  at=st.none() | moments)
label_values = (st.none() | st.booleans() | st.integers() | st.text()
                | st.floats(allow_nan=False, allow_infinity=False))
interactions = st.builds(
    Interaction, id=clean_text, channel=st.sampled_from(CHANNELS),
    turns=st.lists(turns, min_size=1).map(tuple),
    customer_name=optional_text, customer_id=optional_text, agent=optional_text, team=optional_text,
    started_at=st.none() | moments,
    outcome=st.builds(Outcome, resolved=st.none() | st.booleans(), transferred=st.none() | st.booleans(),
                      csat=st.none() | st.integers(1, 5)),
    labels=st.none() | st.dictionaries(st.text(), label_values, min_size=1),
)


@given(st.lists(interactions, max_size=5, unique_by=lambda i: i.id))
def test_jsonl_round_trip(originals):
    text = "\n".join(json.dumps(i.to_dict()) for i in originals)
    parsed = parse_jsonl(text, source="round.jsonl")
    assert parsed.issues == []
    assert [i for _, i in parsed.interactions] == originals


def test_round_trip_keeps_dates_before_the_strategy_range_readable():
    # Guard for the strategy's lower bound: the interchange format writes four-digit years from 1000 on.
    original = Interaction("x", "chat", (Turn("agent", "hi", datetime(1000, 1, 1, tzinfo=timezone.utc)),))
    parsed = parse_jsonl(json.dumps(original.to_dict()), source="r.jsonl")
    assert [i for _, i in parsed.interactions] == [original]
    assert date(1000, 1, 1) == parsed.interactions[0][1].turns[0].at.date()
