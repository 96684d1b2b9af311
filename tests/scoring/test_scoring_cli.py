"""The command line: python -m scoring score FILE.jsonl [--rubric FILE]."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

GOOD = {"id": "a", "channel": "chat", "turns": [
    {"speaker": "customer", "text": "My refund never came"},
    {"speaker": "agent", "text": "I'm sorry, I've refunded it now."}]}
OTHER = {"id": "b", "channel": "email", "turns": [
    {"speaker": "agent", "text": "You'll receive it by Friday."}]}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=REPO, input=stdin,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    bad_speaker = {"id": "c", "channel": "chat", "turns": [{"speaker": "customer", "text": "hi"},
                                                            {"speaker": "agent", "text": "hello"},
                                                            {"speaker": "bot", "text": "beep"}]}
    lines = [json.dumps(GOOD), json.dumps(bad_speaker), "{not json", "", json.dumps(OTHER)]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_malformed_lines_are_reported_and_the_rest_scored(jsonl):
    done = run("score", str(jsonl))
    assert done.returncode == 1
    errors = done.stderr.splitlines()
    assert errors[0] == f"{jsonl}:2: turns[2].speaker: expected 'agent' or 'customer', got 'bot'"
    assert errors[1].startswith(f"{jsonl}:3: invalid JSON: ")
    assert len(errors) == 2 and "Traceback" not in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in results] == ["a", "b"]
    assert set(results[0]) == {"id", "rubric_version", "overall", "auto_fail", "critical", "criteria",
                               "signals", "courtesy_evidence"}


def test_stdin_dash_and_clean_input_exit_zero():
    done = run("score", "-", stdin=json.dumps(GOOD) + "\n" + json.dumps(OTHER) + "\n")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["a", "b"]


def test_stdin_errors_are_named_stdin():
    done = run("score", "-", stdin='{"id": "x", "channel": "fax", "turns": []}\n')
    assert done.returncode == 1
    assert done.stderr.strip() == "<stdin>:1: channel: expected one of phone, chat, email, social, got 'fax'"


def test_bad_rubric_exits_2_with_a_message(tmp_path, jsonl):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text((REPO / "seed_data" / "rubric.toml").read_text(encoding="utf-8").replace(
        "weight = 2.0", 'weight = "high"', 1), encoding="utf-8")
    done = run("score", str(jsonl), "--rubric", str(rubric))
    assert done.returncode == 2 and done.stdout == ""
    expected = f'error: bad rubric: {rubric}: criteria.fix.weight: expected a number >= 0, got "high"'
    assert done.stderr.strip() == expected


def test_unreadable_input_exits_2(tmp_path):
    done = run("score", str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error: cannot read ") and "Traceback" not in done.stderr


def test_custom_rubric_version_is_stamped(tmp_path):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text((REPO / "seed_data" / "rubric.toml").read_text(encoding="utf-8").replace(
        'version = "2026.3"', 'version = "test-9"', 1), encoding="utf-8")
    done = run("score", "-", "--rubric", str(rubric), stdin=json.dumps(GOOD))
    assert done.returncode == 0 and json.loads(done.stdout)["rubric_version"] == "test-9"


def test_workers_write_the_same_lines_and_messages_in_input_order(tmp_path):
    lines = [json.dumps({**(GOOD if n % 2 else OTHER), "id": f"i{n}"}) for n in range(40)]
    lines[7], lines[30] = "{not json", '{"id": "x", "channel": "fax", "turns": []}'
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one, two = run("score", str(path)), run("score", str(path), "--workers", "2")
    assert one.returncode == 1 and len(one.stdout.splitlines()) == 38
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)


def test_workers_must_be_a_positive_number(jsonl):
    done = run("score", str(jsonl), "--workers", "0")
    assert done.returncode == 2 and "--workers: expected a whole number of at least 1" in done.stderr


def test_missing_command_is_a_usage_error():
    done = run()
    assert done.returncode == 2 and "usage:" in done.stderr
