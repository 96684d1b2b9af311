from datetime import date, datetime, timezone

import pytest

from scoring.model import InvalidInteraction, Turn
from scoring.parsers import ColumnMapping, guess_layout, guess_mapping, parse_rows

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
HEADERS = ["Conversation ID", "Channel", "Sender", "Message", "Timestamp", "Agent", "CSAT"]
MAPPING = ColumnMapping(interaction_id="Conversation ID", channel="Channel", speaker="Sender", text="Message",
                        at="Timestamp", agent="Agent", csat="CSAT")


def rows(*cells: tuple) -> list[dict]:
    return [dict(zip(HEADERS, row)) for row in cells]


def messages(parsed) -> list[str]:
    return [str(issue) for issue in parsed.issues]


def parse(table, **kwargs):
    return parse_rows(table, source="chats.csv", mapping=kwargs.pop("mapping", MAPPING),
                      layout=kwargs.pop("layout", "message"), **kwargs)


# ---------------------------------------------------------------- guessing


@pytest.mark.parametrize("header, field", [
    ("Conversation ID", "interaction_id"), ("ticket_id", "interaction_id"), ("TICKET-ID", "interaction_id"),
    ("message", "text"), ("Body", "text"), ("sender", "speaker"), ("Author", "speaker"), ("role", "speaker"),
    ("Sent At", "at"), ("customer_name", "customer_name"), ("Customer ID", "customer_id"),
    ("Agent Name", "agent"), ("Queue", "team"), ("CSAT Score", "csat"), ("Is Resolved", "resolved"),
    ("Escalated", "transferred"), ("Start Time", "started_at"), ("channel", "channel"),
])
def test_guess_mapping_message_layout(header, field):
    assert getattr(guess_mapping([header], "message"), field) == header


def test_guess_mapping_interaction_layout_and_one_header_per_field():
    mapping = guess_mapping(["Ticket #", "Body", "Created At", "Customer", "Notes"], "interaction")
    assert mapping == ColumnMapping(interaction_id="Ticket #", transcript="Body", started_at="Created At",
                                    customer_name="Customer")
    assert guess_mapping(["id", "ID"], "message").interaction_id == "id"


def test_guess_layout():
    assert guess_layout(["Ticket", "Transcript"]) == "interaction"
    assert guess_layout(["Ticket", "Sender", "Message"]) == "message"
    assert guess_layout(["Ticket", "Sender", "Body"]) == "message"


# ---------------------------------------------------------------- message layout


def test_groups_rows_by_id_and_orders_turns_by_time():
    table = rows(
        ("C1", "chat", "Agent", "Hello Maria", "2026-03-02T10:00:30Z", "Dana", "4"),
        ("C2", "email", "customer", "Where is it?", "", "", ""),
        ("C1", "chat", "Customer", "Hi", "2026-03-02 10:00:00", "Dana", ""),
        ("C2", "email", "Rep", "On its way", "", "Sam", "5"),
    )
    parsed = parse(table)
    assert parsed.issues == []
    (where1, c1), (where2, c2) = parsed.interactions
    assert (where1, where2) == ("rows 2, 4", "rows 3, 5")
    assert c1.turns == (Turn("customer", "Hi", T0), Turn("agent", "Hello Maria", T0.replace(second=30)))
    assert (c1.channel, c1.agent, c1.outcome.csat) == ("chat", "Dana", 4)
    # C2 has no times, so file order stands; values come from the first row that has one.
    assert [t.text for t in c2.turns] == ["Where is it?", "On its way"]
    assert (c2.agent, c2.outcome.csat) == ("Sam", 5)
    assert parsed.rows == 4 and parsed.rejected == 0


def test_file_order_when_some_times_are_missing():
    table = rows(("C1", "chat", "agent", "second", "2026-03-02T10:00:30Z", "", ""),
                 ("C1", "chat", "customer", "first", "", "", ""))
    assert [t.text for t in parse(table).interactions[0][1].turns] == ["second", "first"]


def test_typed_spreadsheet_values():
    table = rows((1042.0, "chat", "agent", 42, datetime(2026, 3, 2, 10), "Dana", 4.0),
                 (1042, "chat", "customer", "ok", date(2026, 3, 2), "Dana", 4))
    parsed = parse(table)
    interaction = parsed.interactions[0][1]
    assert parsed.issues == []
    assert (interaction.id, interaction.outcome.csat) == ("1042", 4)
    # A date cell is midnight UTC, so that row's turn sorts first.
    assert interaction.turns == (Turn("customer", "ok", T0.replace(hour=0)), Turn("agent", "42", T0))


def test_speaker_may_be_the_agents_or_customers_name():
    mapping = ColumnMapping(interaction_id="id", speaker="from", text="text", agent="agent",
                            customer_name="customer")
    table = [{"id": "A", "from": "Dana Lee", "text": "hi", "agent": "Dana Lee", "customer": "Maria"},
             {"id": "A", "from": "maria", "text": "hello", "agent": "", "customer": ""}]
    parsed = parse_rows(table, source="x.csv", mapping=mapping, layout="message", channel="chat")
    assert [t.speaker for t in parsed.interactions[0][1].turns] == ["agent", "customer"]


def test_bad_cells_name_row_and_column_and_reject_the_interaction_with_its_rows():
    table = rows(
        ("C1", "chat", "Agent", "Hello", "2026-03-02T10:00:30Z", "Dana", ""),   # row 2
        ("C2", "chat", "Customer", "Fine", "", "", ""),                        # row 3
        ("C1", "chat", "Bot", "beep", "yesterday", "Dana", "9"),               # row 4
        ("C1", "chat", "Customer", "", "", "Sam", ""),                         # row 5
        ("C1", "phone", "Customer", "ok", "", "", ""),                         # row 6
    )
    parsed = parse(table)
    assert messages(parsed) == [
        "chats.csv: row 4: CSAT: expected a whole number 1-5, got '9'",
        "chats.csv: row 4: Sender: unknown speaker 'Bot'; expected Agent, Rep, Representative, Support, "
        "Customer, Caller or Client (or the agent's or customer's name)",
        "chats.csv: row 4: Timestamp: not an ISO 8601 timestamp: 'yesterday'",
        "chats.csv: row 5: Agent: 'Sam' here but 'Dana' on row 2",
        "chats.csv: row 5: Message: empty message",
        "chats.csv: row 6: Channel: 'phone' here but 'chat' on row 2",
        "chats.csv: rows 2, 4-6: Conversation ID: interaction 'C1' not imported because of the problems on "
        "rows 4-6",
    ]
    assert [i.id for _, i in parsed.interactions] == ["C2"]
    assert parsed.rejected == 1


def test_missing_id_is_an_issue_of_its_own_row():
    parsed = parse(rows(("", "chat", "Agent", "Hello", "", "", ""),
                        ("C1", "chat", "Agent", "Hi", "", "", "")))
    assert messages(parsed) == ["chats.csv: row 2: Conversation ID: missing interaction id"]
    assert [i.id for _, i in parsed.interactions] == ["C1"] and parsed.rejected == 1


def test_blank_rows_are_skipped_but_keep_row_numbers():
    table = rows(("C1", "chat", "Agent", "Hello", "", "", ""), ("", "", "", "", None, None, None),
                 ("C1", "chat", "Robot", "Hi", "", "", ""))
    parsed = parse(table)
    assert messages(parsed)[0].startswith("chats.csv: row 4: Sender: unknown speaker 'Robot'")
    assert parsed.rows == 2


def test_first_row_number():
    parsed = parse(rows(("C1", "chat", "Bot", "Hello", "", "", "")), first_row_number=5)
    assert parsed.issues[0].location == "row 5"


def test_surplus_cells_are_an_issue():
    row = {**rows(("C1", "chat", "Agent", "Hello", "", "", ""))[0], None: [" text, after a comma", ""]}
    parsed = parse([row])
    assert messages(parsed) == [
        "chats.csv: row 2: 1 cell(s) beyond the last header column, starting 'text, after a comma'"]


def test_default_channel_fills_missing_channel():
    mapping = ColumnMapping(interaction_id="Conversation ID", speaker="Sender", text="Message")
    parsed = parse(rows(("C1", "", "Agent", "Hello", "", "", "")), mapping=mapping, channel="social")
    assert parsed.interactions[0][1].channel == "social"
    parsed = parse(rows(("C1", "", "Agent", "Hello", "", "", "")), channel="email")
    assert parsed.interactions[0][1].channel == "email"


def test_mapping_problems_are_reported_against_the_header_row():
    mapping = ColumnMapping(interaction_id="Conversation ID", text="Body", at="When")
    parsed = parse(rows(("C1", "chat", "Agent", "Hello", "", "", "")), mapping=mapping)
    assert messages(parsed) == [
        "chats.csv: row 1: speaker: no column holds this field; name it in the column mapping",
        "chats.csv: row 1: channel: no channel column; choose the channel of the whole file",
        "chats.csv: row 1: text: column 'Body' is not in the header",
        "chats.csv: row 1: at: column 'When' is not in the header",
    ]
    assert parsed.interactions == []


def test_unused_columns_are_a_note_not_an_issue():
    mapping = ColumnMapping(interaction_id="Conversation ID", speaker="Sender", text="Message",
                            channel="Channel")
    parsed = parse(rows(("C1", "chat", "Agent", "Hello", "", "", "")), mapping=mapping)
    assert parsed.issues == []
    assert parsed.notes == ["columns not used: Timestamp, Agent, CSAT"]


def test_no_rows_gives_nothing():
    parsed = parse([])
    assert parsed.interactions == [] and parsed.issues == []


def test_bad_default_channel_raises():
    with pytest.raises(InvalidInteraction):
        parse(rows(("C1", "", "Agent", "Hello", "", "", "")), channel="fax")


# ---------------------------------------------------------------- interaction layout

TRANSCRIPT_MAPPING = ColumnMapping(interaction_id="Ticket", transcript="Transcript", started_at="Start",
                                   agent="Agent", csat="CSAT", channel="Channel")


def tickets(*cells: tuple) -> list[dict]:
    return [dict(zip(["Ticket", "Channel", "Start", "Agent", "CSAT", "Transcript"], row)) for row in cells]


def test_interaction_layout_reads_transcripts():
    table = tickets(("T1", "phone", "2026-03-02T10:00:00Z", "Dana", "5",
                     "[00:00] Agent: Hello\n[00:09] Customer: Hi\nsecond line"),
                    ("T2", "chat", "", "Dana", "", "Customer: hey\nDana: hi"))
    parsed = parse(table, mapping=TRANSCRIPT_MAPPING, layout="interaction")
    assert parsed.issues == []
    (where1, t1), (where2, t2) = parsed.interactions
    assert (where1, where2) == ("row 2", "row 3")
    assert t1.turns == (Turn("agent", "Hello", T0), Turn("customer", "Hi\nsecond line", T0.replace(second=9)))
    assert t1.outcome.csat == 5
    assert [t.speaker for t in t2.turns] == ["customer", "agent"]


def test_interaction_layout_issues_name_row_column_and_transcript_line():
    table = tickets(("T1", "phone", "", "", "", "Agent: Hello\nBob: Hi"),
                    ("T2", "phone", "", "", "6", "Agent: fine"),
                    ("T3", "phone", "", "", "", ""),
                    ("T4", "phone", "", "", "", "[00:05] Agent: timed"))
    parsed = parse(table, mapping=TRANSCRIPT_MAPPING, layout="interaction")
    assert messages(parsed) == [
        "chats.csv: row 2: Transcript: line 2: unknown speaker 'Bob'; expected Agent, Rep, Representative, "
        "Support, Customer, Caller or Client (or the agent's or customer's name)",
        "chats.csv: row 3: CSAT: expected a whole number 1-5, got '6'",
        "chats.csv: row 4: Transcript: empty transcript",
    ]
    assert [i.id for _, i in parsed.interactions] == ["T4"]
    assert parsed.notes == ["time offsets were not used because the start time is unknown: T4"]
    assert parsed.rejected == 3


def test_interaction_layout_repeated_ids_reject_every_row():
    table = tickets(("T1", "phone", "", "", "", "Agent: one"), ("T2", "phone", "", "", "", "Agent: two"),
                    ("T1", "phone", "", "", "", "Agent: three"))
    parsed = parse(table, mapping=TRANSCRIPT_MAPPING, layout="interaction")
    assert messages(parsed) == ["chats.csv: row 4: Ticket: id 'T1' is also used on row 2"]
    assert [i.id for _, i in parsed.interactions] == ["T2"] and parsed.rejected == 2


def test_interaction_layout_requires_a_transcript_column():
    parsed = parse(tickets(("T1", "phone", "", "", "", "Agent: one")),
                   mapping=ColumnMapping(interaction_id="Ticket", channel="Channel"), layout="interaction")
    assert messages(parsed) == [
        "chats.csv: row 1: transcript: no column holds this field; name it in the column mapping"]
