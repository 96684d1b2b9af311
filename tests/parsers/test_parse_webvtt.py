from datetime import datetime, timedelta, timezone

import pytest

from scoring.parsers import parse_webvtt

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)

CALL = """\
WEBVTT - call 7
Kind: captions

NOTE recorded on line 3

STYLE
::cue { color: white }

1
00:00:01.000 --> 00:00:04.000
<v Agent>Thanks for calling,
how can I help?

2
00:00:05.000 --> 00:00:07.500 align:start
<v.loud Maria Lopez>My <i>order</i> &amp; my refund</v>

00:08.250 --> 00:09.000
<v Maria Lopez>are both late.

00:10.000 --> 00:11.000
<v Agent>I'm sorry.</v> <v Maria Lopez>OK.
"""


def messages(parsed) -> list[str]:
    return [str(issue) for issue in parsed.issues]


def test_cues_become_turns_merged_by_voice():
    parsed = parse_webvtt(CALL, source="call-7.vtt", started_at=START)
    assert parsed.issues == []
    (location, interaction), = parsed.interactions
    assert (location, interaction.id, interaction.channel) == ("line 1", "call-7", "phone")
    assert [(t.speaker, t.text) for t in interaction.turns] == [
        ("agent", "Thanks for calling, how can I help?"),
        ("customer", "My order & my refund are both late."),
        ("agent", "I'm sorry."),
        ("customer", "OK."),
    ]
    assert [t.at - START for t in interaction.turns] == [
        timedelta(seconds=1), timedelta(seconds=5), timedelta(seconds=10), timedelta(seconds=10)]
    assert parsed.rows == 4


def test_without_a_start_turns_have_no_times_and_a_note_says_so():
    parsed = parse_webvtt(CALL, source="call-7.vtt")
    assert all(t.at is None for t in parsed.interactions[0][1].turns)
    assert parsed.notes == ["time offsets were not used because the start time is unknown: call-7"]


def test_hours_in_cue_times():
    text = "WEBVTT\n\n01:02:03.004 --> 01:02:04.000\n<v Support>hi\n"
    interaction = parse_webvtt(text, source="x.vtt", started_at=START).interactions[0][1]
    assert interaction.turns[0].at == START + timedelta(hours=1, minutes=2, seconds=3, milliseconds=4)


@pytest.mark.parametrize("voice", ["Agent", "agent 2", "Support Team", "Rep", "Representative", "Dana Lee"])
def test_agent_voice_rule(voice):
    text = f"WEBVTT\n\n00:01.000 --> 00:02.000\n<v {voice}>hello\n\n00:03.000 --> 00:04.000\n<v Maria>hi\n"
    parsed = parse_webvtt(text, source="x.vtt", agent="Dana Lee")
    assert [t.speaker for t in parsed.interactions[0][1].turns] == ["agent", "customer"]


def test_agent_voices_argument_decides_and_other_voices_are_customers():
    text = ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Dana>hello\n\n00:03.000 --> 00:04.000\n<v Maria>hi\n\n"
            "00:05.000 --> 00:06.000\n<v Agent>pardon\n\n00:07.000 --> 00:08.000\n<v Tom>me too\n")
    parsed = parse_webvtt(text, source="x.vtt", agent_voices=["dana"])
    speakers = [t.speaker for t in parsed.interactions[0][1].turns]
    assert speakers == ["agent", "customer", "customer", "customer"]


def test_missing_header_names_line_1():
    parsed = parse_webvtt("00:01.000 --> 00:02.000\n<v Agent>hello\n", source="x.vtt")
    assert messages(parsed) == ["x.vtt: line 1: missing 'WEBVTT' header on the first line"]
    assert parsed.interactions == [] and parsed.rejected == 1


def test_bad_timing_line_is_named():
    text = "WEBVTT\n\ncue-1\n00:01.000 --> 00:02\n<v Agent>hello\n\n00:03.000 --> 00:04.000\n<v Maria>x\n"
    parsed = parse_webvtt(text, source="x.vtt")
    assert messages(parsed) == [
        "x.vtt: line 4: bad cue timing '00:01.000 --> 00:02': expected 'hh:mm:ss.mmm --> hh:mm:ss.mmm'"]


def test_out_of_range_minutes_are_a_bad_timing():
    parsed = parse_webvtt("WEBVTT\n\n00:61:00.000 --> 00:62:00.000\n<v Agent>x\n", source="x.vtt")
    assert messages(parsed)[0].startswith("x.vtt: line 3: bad cue timing '00:61:00.000 --> 00:62:00.000'")


def test_block_without_timing_is_named():
    parsed = parse_webvtt("WEBVTT\n\nhello there\n<v Agent>x\n", source="x.vtt")
    assert messages(parsed) == ["x.vtt: line 3: expected a cue timing line 'hh:mm:ss.mmm --> hh:mm:ss.mmm'"]


def test_cue_without_voice_tag_is_named():
    text = ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Agent>hello\n\n"
            "00:03.000 --> 00:04.000\n<i>who said this?</i>\n")
    parsed = parse_webvtt(text, source="x.vtt")
    assert messages(parsed) == ["x.vtt: line 7: voice: cue has no <v Speaker> voice tag"]
    assert parsed.interactions == []


def test_text_outside_a_voice_and_nameless_voices_are_named():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Agent>hello</v> stray\n<v>who?\n"
    parsed = parse_webvtt(text, source="x.vtt")
    assert messages(parsed) == ["x.vtt: line 4: voice: text outside a <v Speaker> voice tag",
                                "x.vtt: line 5: voice: voice tag without a speaker name"]


def test_no_agent_voice_is_an_issue():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Dana>hello\n\n00:03.000 --> 00:04.000\n<v Maria>hi\n"
    parsed = parse_webvtt(text, source="x.vtt")
    assert messages(parsed) == [
        "x.vtt: line 4: voice: no agent voice among 'Dana', 'Maria': name the agent's voices, "
        "or call the voice Agent, Support or Rep"]


def test_cue_ending_before_it_starts_is_an_issue():
    parsed = parse_webvtt("WEBVTT\n\n00:05.000 --> 00:04.000\n<v Agent>x\n", source="x.vtt")
    assert messages(parsed) == ["x.vtt: line 3: the cue ends before it starts"]


def test_cue_glued_to_the_header_is_an_issue():
    parsed = parse_webvtt("WEBVTT\n00:01.000 --> 00:02.000\n<v Agent>x\n", source="x.vtt")
    assert messages(parsed) == [
        "x.vtt: line 2: a cue must be separated from the WEBVTT header by a blank line"]


def test_crlf_and_bom_are_accepted():
    text = "\ufeffWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v Agent>hello\r\n"
    parsed = parse_webvtt(text, source="x.vtt")
    assert parsed.issues == [] and parsed.interactions[0][1].turns[0].text == "hello"


def test_header_only_file_yields_nothing():
    parsed = parse_webvtt("WEBVTT\n", source="x.vtt")
    assert parsed.interactions == [] and parsed.issues == []
