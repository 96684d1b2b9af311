"""Learning the courtesy points: the logistic fit, training on hand-written rated requests, the CLI."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import courtesy_training as training
from scoring import politeness
from scoring.evaluate import read_csv

REPO = Path(__file__).resolve().parents[2]

POLITE = ["Thanks for the details! Could you post the log?", "Great question. Would you share the config?",
          "Hi, I think the cache might help; could you clear it?", "Thank you! Can you try the beta?"]
RUDE = ["Why didn't you read the docs?", "So what is the point of this?", "You must post the code.",
        "Why is this not in the question?"]


def write_requests(folder: Path, copies: int = 6) -> Path:
    """Write rated requests: each polite text scored high, each rude one low, under distinct ids."""
    path = folder / "requests.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text", "score"])
        for n in range(copies):
            writer.writerows([f"p{n}-{i}", text, 1.0 + i / 10] for i, text in enumerate(POLITE))
            writer.writerows([f"r{n}-{i}", text, -1.0 - i / 10] for i, text in enumerate(RUDE))
            writer.writerow([f"m{n}", "The log is attached.", 0.0])
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def test_fit_logistic_separates_and_l2_shrinks():
    examples = [([0], 0.0, 1.0)] * 9 + [([0], 0.0, 0.0)] + [([1], 0.0, 0.0)] * 9 + [([1], 0.0, 1.0)]
    loose, tight = training.fit_logistic(examples, 2, 0.1), training.fit_logistic(examples, 2, 10.0)
    assert loose[0] > tight[0] > 0 > tight[1] > loose[1]


def test_fit_logistic_counts_the_offset():
    examples = [([0], 2.0, 1.0), ([0], 2.0, 0.0)]  # the offset already says polite: the feature says less
    assert training.fit_logistic(examples, 1, 0.1)[0] < 0


def test_training_learns_the_direction_of_each_strategy_and_is_reproducible(tmp_path, rubric):
    files = [read_csv(write_requests(tmp_path))]
    first, second = training.train(files, rubric), training.train(files, rubric)
    assert first == second and set(first.points) == set(politeness.LEARNED)
    assert first.points["gratitude"] > 0 > first.points["why_question"]
    out = tmp_path / "points.toml"
    training.write_points(first, out, "hand-written requests")
    assert out.read_text(encoding="utf-8") == training.points_toml(second, "hand-written requests")
    assert dict(politeness.learned_points(out)) == first.points


def test_training_needs_rated_requests(tmp_path, rubric):
    path = tmp_path / "acts.csv"
    path.write_text("id,text,Offer further help\nr1,Anything else?,1\n", encoding="utf-8")
    with pytest.raises(training.EvaluationError, match="fewer than 8 rated requests"):
        training.train([read_csv(path)], rubric)


@pytest.mark.parametrize("table,message", [
    ("[points]\nmystery = 1.0\n", "points.mystery: not a learned strategy"),
    ("[points]\ngratitude = 'high'\n", "points.gratitude: expected a number"),
    ("gratitude = 1.0\n", "expected a [points] table"),
])
def test_points_file_errors_name_the_file_and_field(tmp_path, table, message):
    path = tmp_path / "bad.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(politeness.CourtesyPointsError) as error:
        politeness.learned_points(path)
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)


def test_train_courtesy_cli_writes_the_points_and_reports_the_halves(tmp_path):
    write_requests(tmp_path)
    out = tmp_path / "points.toml"
    done = run("train-courtesy", "--data", str(tmp_path), "--out", str(out),
               "--source", "hand-written requests")
    assert done.returncode == 0, done.stderr
    assert "# Data: hand-written requests" in out.read_text(encoding="utf-8")
    assert "courtesy top/bottom-quartile accuracy: tune" in done.stdout and f"written to {out}" in done.stdout


def test_train_courtesy_cli_reports_a_folder_without_rated_requests(tmp_path):
    done = run("train-courtesy", "--data", str(tmp_path), "--out", str(tmp_path / "points.toml"))
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert not (tmp_path / "points.toml").exists()


def test_train_courtesy_cli_needs_a_positive_l2(tmp_path):
    done = run("train-courtesy", "--data", str(tmp_path), "--l2", "0")
    assert done.returncode == 2 and "expected a number > 0, got '0'" in done.stderr
