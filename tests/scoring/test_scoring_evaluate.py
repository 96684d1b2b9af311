"""The evaluate harness on small synthetic files, its statistics, and the `evaluate` CLI."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import evaluate as ev

REPO = Path(__file__).resolve().parents[2]
LABELLED = Path(__file__).resolve().parent / "labelled"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A folder with one file of each kind, under names that do not tell the kind."""
    write_csv(tmp_path / "a.csv", ["id", "brand", "text", "Request DM", "Refer to specialist team",
                                   "Offer further help", "Provide URL"], [
        ["r1", "x", "Could you send us your order number in DM?", 1, 0, 0, 0],
        ["r2", "x", "Our billing team is best placed to help, please contact our billing team.", 0, 1, 0, 0],
        ["r3", "x", "Glad it works now! Anything else we can help with?", 0, 0, 1, 1],
        ["r4", "x", "Here is the guide: https://example.com/guide", 0, 0, 0, 1],
    ])
    write_csv(tmp_path / "b.csv", ["id", "text", "score"], [
        [f"p{n}", text, score] for n, (text, score) in enumerate([
            ("Thanks so much for the help! Could you perhaps share the log?", 1.2),
            ("Hi, would you mind posting the config? Great question by the way.", 0.9),
            ("I think it might be the cache; could you try clearing it, please?", 0.7),
            ("What is this?", -0.2),
            ("Why didn't you read the docs? You must post the code.", -1.1),
            ("So what exactly is the point of this?", -0.9),
            ("Where is the file?", -0.1),
            ("Can you post it?", 0.1),
        ])])
    dialogues = [
        {"id": f"d{n}", "channel": "social", "labels": {"satisfaction": sat, "accomplishment": acc},
         "turns": [{"speaker": "customer", "text": "My internet has been down since Monday."},
                   {"speaker": "agent", "text": agent},
                   {"speaker": "customer", "text": reaction}]}
        for n, (agent, reaction, sat, acc) in enumerate([
            ("Sorry about that. I've reset your line, it should work now.", "It works now, thanks a lot!",
             1.2, 1.5),
            ("Please restart the router.", "OK, I see, thanks.", 0.6, 0.8),
            ("Please call 10000.", "Why do I have to call? This is useless, you never fix anything.",
             -1.2, -1.3),
            ("We are checking.", "Still down. When will you fix it?", -0.5, -0.6),
        ])]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(d) for d in dialogues) + "\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("not data", encoding="utf-8")
    return tmp_path


# -- statistics --------------------------------------------------------------------------------

def test_f1_spearman_and_quartile_accuracy():
    assert ev.f1([True, True, False, False], [True, False, True, False]) == 0.5
    assert ev.f1([False], [False]) is None
    assert ev.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert ev.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert ev.spearman([1, 1, 1], [1, 2, 3]) is None
    # top quartile (scores 7, 8) rated above 50, bottom (1, 2) below; a neutral 50 counts half
    assert ev.quartile_accuracy([40, 45, 50, 50, 50, 50, 60, 70], [1, 2, 3, 4, 5, 6, 7, 8]) == 1.0
    assert ev.quartile_accuracy([50, 45, 50, 50, 50, 50, 60, 50], [1, 2, 3, 4, 5, 6, 7, 8]) == 0.75


def test_halves_are_stable_and_both_used():
    halves = [ev.half_of(f"row-{n}") for n in range(200)]
    assert halves == [ev.half_of(f"row-{n}") for n in range(200)]
    assert 60 < halves.count("tune") < 140


def test_act_columns_map_to_signals():
    assert ev.act_signal("Refer to specialist team") == "transfer"
    assert ev.act_signal("Request device and OS version") == "question"
    assert ev.act_signal("Offer further help") == "further_help"
    assert ev.act_signal("Provide delivery date") == "timeline"
    assert ev.act_signal("Apology") == "apology"
    assert ev.act_signal("Provide URL") is None


# -- harness -----------------------------------------------------------------------------------

def test_kinds_are_told_by_content_and_every_measure_is_reported(data, scorer):
    table, files = ev.run(data, scorer)
    assert {f.path.name: f.kind for f in files} == {"a.csv": "acts", "b.csv": "politeness",
                                                    "c.jsonl": "dialogues"}
    rows = {row["measure"]: row for row in table}
    assert rows[ev.SIGNAL_NAMES["question"]]["all"] == 1.0
    assert rows[ev.SIGNAL_NAMES["transfer"]]["all"] == 1.0
    assert rows[ev.SIGNAL_NAMES["further_help"]]["all"] == 1.0
    assert rows["courtesy top/bottom-quartile accuracy"]["all"] == 1.0
    assert rows["courtesy Spearman rho"]["all"] > 0.7
    assert rows["rho(overall, satisfaction)"]["all"] > 0.7
    assert rows["rho(fix, accomplishment)"]["all"] > 0.7
    for row in table:
        assert row["n_all"] == row["n_tune"] + row["n_check"]


def test_hand_labelled_apology_and_timeline_set(scorer):
    """Hand-written agent replies (tests/scoring/labelled): apology F1 >= 0.95, timeline F1 >= 0.8."""
    table, _ = ev.run(LABELLED, scorer)
    rows = {row["measure"]: row["all"] for row in table}
    assert rows[ev.SIGNAL_NAMES["apology"]] >= 0.95
    assert rows[ev.SIGNAL_NAMES["timeline"]] >= 0.8
    assert rows[ev.SIGNAL_NAMES["transfer"]] >= 0.85


# -- command line ------------------------------------------------------------------------------

def test_cli_prints_the_table_and_json(data):
    done = run("evaluate", "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert "apology and timeline F1: no such labels in these files" in done.stdout
    assert "'Refer to specialist team' -> transfer" in done.stdout
    assert "rho(overall, satisfaction)" in done.stdout
    as_json = run("evaluate", "--data", str(data), "--json")
    assert as_json.returncode == 0
    parsed = json.loads(as_json.stdout)
    assert {m["measure"] for m in parsed["measures"]} >= {"courtesy Spearman rho", "rho(fix, accomplishment)"}
    assert {f["kind"] for f in parsed["files"]} == {"acts", "politeness", "dialogues"}


def test_cli_missing_folder_exits_2(tmp_path):
    done = run("evaluate", "--data", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == f"error: {tmp_path / 'nowhere'}: no such folder"


def test_cli_unknown_file_format_exits_2_naming_the_file(tmp_path):
    bad = write_csv(tmp_path / "mystery.csv", ["id", "comment", "rating"], [["1", "nice", "5"]])
    done = run("evaluate", "--data", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {bad}: unknown format: no 'text' column")
    write_csv(bad, ["id", "text", "Likes"], [["1", "nice", "12"]])
    done = run("evaluate", "--data", str(tmp_path))
    assert done.returncode == 2 and f"error: {bad}: unknown format: expected 'text' with 0/1" in done.stderr
    bad.unlink()
    (tmp_path / "x.jsonl").write_text('{"id": "a", "channel": "chat", "turns": [{"speaker": "agent", '
                                      '"text": "hi"}]}\n', encoding="utf-8")
    done = run("evaluate", "--data", str(tmp_path))
    assert done.returncode == 2 and "'satisfaction' or 'accomplishment'" in done.stderr


def test_cli_folder_without_labelled_files_exits_2(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    done = run("evaluate", "--data", str(tmp_path))
    assert done.returncode == 2 and "no labelled files" in done.stderr


def test_cli_requires_data():
    done = run("evaluate")
    assert done.returncode == 2 and "--data" in done.stderr
