from datetime import datetime, timezone

import pytest

from scoring.model import InvalidInteraction, Turn
from scoring.parsers import parse_plain_transcript

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


def messages(parsed) -> list[str]:
    return [str(issue) for issue in parsed.issues]


def only(parsed):
    assert parsed.issues == [], messages(parsed)
    assert len(parsed.interactions) == 1
    return parsed.interactions[0][1]


def test_single_transcript_takes_its_id_from_the_file_name():
    parsed = parse_plain_transcript("Agent: Hello\nCustomer: Hi there\n", source="uploads/CALL-9.txt")
    interaction = only(parsed)
    assert interaction.id == "CALL-9"
    assert interaction.channel == "phone"
    assert interaction.turns == (Turn("agent", "Hello"), Turn("customer", "Hi there"))


def test_explicit_id_and_defaults_apply():
    i = only(parse_plain_transcript("Agent: Hello", source="x.txt", interaction_id="T-1", channel="chat",
                                    agent="Dana Lee", customer_name="Maria", team="Orders"))
    assert (i.id, i.channel, i.agent, i.customer_name, i.team) == (
        "T-1", "chat", "Dana Lee", "Maria", "Orders")


@pytest.mark.parametrize("label, speaker", [
    ("agent", "agent"), ("AGENT", "agent"), ("Rep", "agent"), ("Representative", "agent"),
    ("support", "agent"),
    ("Customer", "customer"), ("caller", "customer"), ("Client", "customer"),
])
def test_speaker_label_table(label, speaker):
    interaction = only(parse_plain_transcript(f"{label}: words", source="t.txt"))
    assert interaction.turns[0].speaker == speaker


def test_agent_and_customer_names_work_as_labels():
    text = "Dana Lee: Hello Maria\nmaria lopez: Hi"
    interaction = only(parse_plain_transcript(text, source="t.txt", agent="Dana Lee",
                                              customer_name="Maria Lopez"))
    assert [t.speaker for t in interaction.turns] == ["agent", "customer"]


def test_continuation_lines_join_the_previous_turn():
    text = ("Customer: My order is late.\n"
            "It was due Friday.\n"
            "\n"
            "    Order number: 48213\n"
            "See https://example.com/orders\n"
            "PS:no space after the colon\n"
            "Agent: Sorry about that.")
    interaction = only(parse_plain_transcript(text, source="t.txt"))
    assert interaction.turns[0].text == ("My order is late.\nIt was due Friday.\nOrder number: 48213\n"
                                         "See https://example.com/orders\nPS:no space after the colon")
    assert interaction.turns[1] == Turn("agent", "Sorry about that.")


def test_uniformly_indented_transcript_still_reads_labels():
    interaction = only(parse_plain_transcript("  Agent: Hello\n  Customer: Hi\n    more", source="t.txt"))
    assert interaction.turns == (Turn("agent", "Hello"), Turn("customer", "Hi\nmore"))


def test_glued_known_label_starts_a_turn():
    interaction = only(parse_plain_transcript("Agent:Hello\nCustomer:Hi", source="t.txt"))
    assert [t.text for t in interaction.turns] == ["Hello", "Hi"]


def test_offsets_become_times_from_the_start():
    text = "[00:00] Agent: Hello\n[01:05.5] Customer: Hi\n[1:02:03] Agent: Still there?\nCustomer: yes"
    interaction = only(parse_plain_transcript(text, source="t.txt", started_at="2026-03-02T10:00:00Z"))
    assert [t.at for t in interaction.turns] == [
        START, datetime(2026, 3, 2, 10, 1, 5, 500000, tzinfo=timezone.utc),
        datetime(2026, 3, 2, 11, 2, 3, tzinfo=timezone.utc), None]


def test_offsets_without_a_start_keep_order_and_leave_a_note():
    parsed = parse_plain_transcript("[00:00] Agent: Hello\n[00:05] Customer: Hi", source="CALL-1.txt")
    interaction = only(parsed)
    assert [t.at for t in interaction.turns] == [None, None]
    assert parsed.notes == ["time offsets were not used because the start time is unknown: CALL-1"]


def test_a_line_before_any_speaker_is_an_issue():
    parsed = parse_plain_transcript("Hello there\nAgent: Hi", source="t.txt")
    assert messages(parsed) == ["t.txt: line 1: text before the first speaker label"]
    assert parsed.interactions == [] and parsed.rejected == 1


def test_an_unknown_speaker_label_is_an_issue():
    parsed = parse_plain_transcript("Agent: Hi\nCustomer: Hello\nSupervisor: I'm listening", source="t.txt")
    assert messages(parsed) == [
        "t.txt: line 3: unknown speaker 'Supervisor'; expected Agent, Rep, Representative, Support, "
        "Customer, Caller or Client (or the agent's or customer's name)"]
    assert parsed.interactions == []


def test_bad_offsets_are_issues():
    parsed = parse_plain_transcript("[00:75] Agent: Hi\n[0:5] Customer: x\n[00:10] hello", source="t.txt")
    assert messages(parsed) == [
        "t.txt: line 1: bad time offset '[00:75]': expected [mm:ss] or [hh:mm:ss]",
        "t.txt: line 2: bad time offset '[0:5]': expected [mm:ss] or [hh:mm:ss]",
        "t.txt: line 3: expected 'Speaker: text' after the time offset",
    ]


def test_blank_file_yields_nothing_and_no_issue():
    parsed = parse_plain_transcript("\n \n", source="t.txt")
    assert parsed.interactions == [] and parsed.issues == [] and parsed.rows == 0


HEADED = """\
### id: CALL-123 channel: phone agent: Dana Lee customer: Maria Lopez start: 2026-03-02T10:00:00Z
[00:00] Agent: Thanks for calling, this is Dana.
[00:07] Maria Lopez: My order is late.

### id: CHAT-7 channel: chat team: Orders customer_id: C-9 resolved: yes transferred: no csat: 4
Customer: hello?
Rep: Hi!
"""


def test_several_transcripts_under_headers():
    parsed = parse_plain_transcript(HEADED, source="calls.txt")
    assert parsed.issues == []
    (first_at, first), (second_at, second) = parsed.interactions
    assert (first_at, second_at) == ("line 1", "line 5")
    assert (first.id, first.agent, first.customer_name, first.started_at) == ("CALL-123", "Dana Lee",
                                                                               "Maria Lopez", START)
    assert [t.at for t in first.turns] == [START, datetime(2026, 3, 2, 10, 0, 7, tzinfo=timezone.utc)]
    assert [t.speaker for t in first.turns] == ["agent", "customer"]
    assert (second.id, second.channel, second.team, second.customer_id) == ("CHAT-7", "chat", "Orders", "C-9")
    assert (second.outcome.resolved, second.outcome.transferred, second.outcome.csat) == (True, False, 4)
    assert parsed.rows == 2


def test_header_values_override_arguments():
    parsed = parse_plain_transcript("### id: A agent: Sam\nAgent: hi", source="t.txt", agent="Dana",
                                    team="Orders")
    interaction = only(parsed)
    assert (interaction.agent, interaction.team) == ("Sam", "Orders")


def test_header_problems_name_the_header_line_and_key():
    text = ("### id: A chanel: chat\nAgent: hi\n"
            "### channel: chat\nAgent: hi\n"
            "### id: C channel: fax csat: 9\nAgent: hi\n"
            "### id: D id: E\nAgent: hi\n"
            "### oops id: F\nAgent: hi\n")
    parsed = parse_plain_transcript(text, source="t.txt")
    assert messages(parsed) == [
        "t.txt: line 1: chanel: unknown header key; expected one of id, channel, agent, customer, "
        "customer_name, customer_id, team, start, started_at, resolved, transferred, csat",
        "t.txt: line 3: id: missing: every transcript after a '###' header needs an id",
        "t.txt: line 5: channel: expected one of phone, chat, email, social, got 'fax'",
        "t.txt: line 5: csat: expected a whole number 1-5, got '9'",
        "t.txt: line 7: id: given twice",
        "t.txt: line 9: expected 'key: value' pairs, got 'oops'",
    ]
    assert parsed.interactions == [] and parsed.rejected == 5


def test_text_before_the_first_header_is_an_issue():
    parsed = parse_plain_transcript("Agent: stray\n### id: A\nAgent: hi", source="t.txt")
    assert messages(parsed) == ["t.txt: line 1: text before the first '###' header"]
    assert [i.id for _, i in parsed.interactions] == ["A"]


def test_header_without_turns_is_an_issue():
    parsed = parse_plain_transcript("### id: A\n\n### id: B\nAgent: hi", source="t.txt")
    assert messages(parsed) == ["t.txt: line 1: no 'Agent: …' or 'Customer: …' lines"]


def test_repeated_ids_across_headers_reject_both():
    parsed = parse_plain_transcript("### id: A\nAgent: one\n### id: A\nAgent: two", source="t.txt")
    assert messages(parsed) == ["t.txt: line 3: id: id 'A' is also used on line 1"]
    assert parsed.interactions == [] and parsed.rejected == 2


def test_only_the_bad_transcript_is_rejected():
    text = "### id: A\nAgent: one\n### id: B\nBob: two\n### id: C\nAgent: x"
    parsed = parse_plain_transcript(text, source="t.txt")
    assert messages(parsed)[0].startswith("t.txt: line 4: unknown speaker 'Bob'")
    assert [i.id for _, i in parsed.interactions] == ["A", "C"]


def test_bad_arguments_raise():
    with pytest.raises(InvalidInteraction):
        parse_plain_transcript("Agent: hi", source="t.txt", channel="fax")
    with pytest.raises(InvalidInteraction):
        parse_plain_transcript("Agent: hi", source="t.txt", started_at="yesterday")
