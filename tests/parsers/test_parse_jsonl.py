import json

from scoring.parsers import ParseIssue, parse_jsonl

GOOD = {"id": "c-1", "channel": "chat", "turns": [{"speaker": "customer", "text": "Hi"},
                                                   {"speaker": "agent", "text": "Hello!"}]}


def line(record: dict) -> str:
    return json.dumps(record)


def messages(parsed) -> list[str]:
    return [str(issue) for issue in parsed.issues]


def test_reads_one_interaction_per_line_and_skips_blank_lines():
    text = "\n".join([line(GOOD), "", "   ", line({**GOOD, "id": "c-2"})]) + "\n"
    parsed = parse_jsonl(text, source="chats.jsonl")
    assert parsed.issues == []
    assert [(where, i.id) for where, i in parsed.interactions] == [("line 1", "c-1"), ("line 4", "c-2")]
    assert parsed.rows == 2 and parsed.rejected == 0


def test_accepts_an_iterable_of_lines_with_newlines_and_a_bom():
    lines = ["\ufeff" + line(GOOD) + "\n", line({**GOOD, "id": "c-2"}) + "\r\n"]
    parsed = parse_jsonl(lines, source="a.jsonl")
    assert [i.id for _, i in parsed.interactions] == ["c-1", "c-2"]


def test_bad_json_names_the_line_and_column():
    parsed = parse_jsonl(line(GOOD) + "\n\n{\"id\": \"c-2\",\n", source="chats.jsonl")
    assert messages(parsed) == [
        "chats.jsonl: line 3: not valid JSON: Expecting property name enclosed in double quotes at column 14"]
    assert [i.id for _, i in parsed.interactions] == ["c-1"]
    assert parsed.rejected == 1


def test_invalid_record_names_line_and_field():
    bad_turn = {**GOOD, "id": "c-2", "turns": [{"speaker": "bot", "text": "beep"}]}
    parsed = parse_jsonl("\n".join([line(GOOD), line(bad_turn), line({**GOOD, "id": "c-3", "csat": 9})]),
                         source="chats.jsonl")
    assert messages(parsed) == [
        "chats.jsonl: line 2: turns[0].speaker: expected 'agent' or 'customer', got 'bot'",
        "chats.jsonl: line 3: csat: expected a whole number 1-5, got 9",
    ]
    assert parsed.issues[0] == ParseIssue("chats.jsonl", "line 2", "turns[0].speaker",
                                          "expected 'agent' or 'customer', got 'bot'")


def test_a_line_that_is_not_an_object_is_an_issue():
    parsed = parse_jsonl("[1, 2]", source="a.jsonl")
    assert messages(parsed) == ["a.jsonl: line 1: record: expected a JSON object"]


def test_an_id_used_twice_rejects_every_record_of_it():
    text = "\n".join([line(GOOD), line({**GOOD, "id": "c-2"}), line(GOOD)])
    parsed = parse_jsonl(text, source="a.jsonl")
    assert messages(parsed) == ["a.jsonl: line 3: id: id 'c-1' is also used on line 1"]
    assert [i.id for _, i in parsed.interactions] == ["c-2"]
    assert parsed.rejected == 2


def test_an_invalid_record_still_claims_its_id():
    text = "\n".join([line(GOOD), line({**GOOD, "channel": "fax"})])
    parsed = parse_jsonl(text, source="a.jsonl")
    assert "a.jsonl: line 2: id: id 'c-1' is also used on line 1" in messages(parsed)
    assert parsed.interactions == []


def test_values_the_model_cannot_handle_are_issues_not_exceptions():
    huge_csat = line({**GOOD, "csat": 0}).replace('"csat": 0', '"csat": 1' + "0" * 400)
    year_one = line({**GOOD, "id": "c-2", "started_at": "0001-01-01T00:00:00+05:00"})
    too_deep = "[" * 100_000
    long_int = "1" * 5000
    parsed = parse_jsonl("\n".join([huge_csat, year_one, too_deep, long_int]), source="a.jsonl")
    assert [issue.location for issue in parsed.issues] == ["line 1", "line 2", "line 3", "line 4"]
    assert parsed.interactions == [] and parsed.rejected == 4


def test_text_a_database_cannot_store_is_an_issue():
    nul = {**GOOD, "turns": [{"speaker": "agent", "text": "a\u0000b"}]}
    surrogate = {**GOOD, "id": "c-2", "customer_name": "\ud800"}
    parsed = parse_jsonl("\n".join([line(nul), line(surrogate)]), source="a.jsonl")
    assert messages(parsed) == [
        "a.jsonl: line 1: turns[0].text: contains a NUL character",
        "a.jsonl: line 2: customer_name: contains an invalid character (a lone UTF-16 surrogate)",
    ]


def test_line_separator_characters_inside_strings_do_not_split_lines():
    record = {**GOOD, "turns": [{"speaker": "agent", "text": "one\u2028two\x85three\x0cfour"}]}
    parsed = parse_jsonl(json.dumps(record, ensure_ascii=False), source="a.jsonl")
    assert parsed.issues == []
    assert parsed.interactions[0][1].turns[0].text == "one\u2028two\x85three\x0cfour"
