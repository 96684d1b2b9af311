"""Fuzz the scoring command line: no input crashes it; it answers with scores, named errors and exit 0, 1 or 2."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.cli import build_parser
from scoring.model import CHANNELS, SPEAKERS

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
TURNS = st.lists(st.fixed_dictionaries(
    {"speaker": st.sampled_from([*SPEAKERS, "bot", ""]) | JSON_VALUES, "text": st.text(max_size=60) | JSON_VALUES},
    optional={"at": st.sampled_from(["2026-03-02T10:00:00Z", "yesterday", "9999-12-31T23:59:59+14:00"])
              | JSON_VALUES}), max_size=5)
RECORDS = st.fixed_dictionaries(
    {"id": st.text(max_size=10) | JSON_VALUES, "channel": st.sampled_from([*CHANNELS, "fax"]) | JSON_VALUES,
     "turns": TURNS | JSON_VALUES},
    optional={"csat": JSON_VALUES, "resolved": JSON_VALUES, "started_at": JSON_VALUES,
              "customer_name": JSON_VALUES},
)
LINES = st.lists(st.one_of(RECORDS.map(json.dumps), JSON_VALUES.map(json.dumps), st.text(max_size=40),
                           st.just("[" * 3000)), max_size=8).map(lambda lines: "\n".join(lines).encode("utf-8"))
ERROR_LINE = re.compile(r"^(in\.jsonl:\d+: .+|error: .+)$")


def score_bytes(data: bytes) -> tuple[int, str, str]:
    """Run `score` on a file holding `data`; return the exit status, stdout and stderr."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "in.jsonl")
        with open(path, "wb") as handle:
            handle.write(data)
        args = build_parser().parse_args(["score", path])
        out, err = io.StringIO(), io.StringIO()
        status = args.run(args, out, err)
    return status, out.getvalue(), err.getvalue().replace(path, "in.jsonl")


def assert_clear_answer(status: int, out: str, err: str) -> None:
    assert status in (0, 1, 2)
    for line in out.splitlines():
        assert 0 <= json.loads(line)["overall"] <= 100
    for line in err.splitlines():
        assert ERROR_LINE.match(line), line
    assert (status == 0) == (err == "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINES)
def test_any_json_lines_get_scores_or_named_errors(data):
    assert_clear_answer(*score_bytes(data))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_get_scores_or_named_errors(data):
    assert_clear_answer(*score_bytes(data))
