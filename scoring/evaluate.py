"""Measure the scorer against people's judgement on labelled files.

`python -m scoring evaluate --data DIR` reads every .csv, .jsonl and .json file of DIR (or one
file) and tells each file's kind by its columns or keys, never by its name:

- agent acts: CSV with a `text` column and 0/1 label columns, one agent reply per row (scored as
  a single agent turn on the social channel). Label columns map to scorer signals by name:
    "Refer to specialist team" (or "transfer")               -> signals.transfer
    every "Request ..." column (or "question"), OR-ed          -> signals.question
    "Offer further help" (or "further help")                  -> further help: the overcommunicate
                                                                 evidence holds a `further_help` cue
    "Provide delivery date", "delivery date" or "timeline"   -> signals.timeline
    "Apology", "Apologize" or "Apologise"                     -> signals.apology
  Other columns ("Provide URL", "Investigate issue") are not scored. F1 of the positive class.
- politeness: CSV with `text` and a numeric `score` column (Stanford Politeness Corpus style),
  one request per row, scored as a single agent turn. Measures: Spearman's rho of
  signals.courtesy against the score, and the accuracy of courtesy at separating the top from the
  bottom quartile of scores: courtesy above the neutral 50 says polite, below says impolite, and
  exactly 50 (no evidence either way) counts as half right.
- rated dialogues: JSONL interactions (the scoring CLI format) whose `labels` hold
  `satisfaction` and/or `accomplishment` (STC3 style). Measures: Spearman's rho of `overall`
  against satisfaction and of the `fix` score against accomplishment (over the interactions where
  it applies), and for comparison the sentiment of the customer's last turn against each.

Held-out discipline: every row is put in the "tune" or the "check" half by a hash of its id, so
cues can be tuned on one half and checked on the other; the table reports both and the whole.
Apology and timeline labels are absent from the public data; tests/scoring/labelled holds
hand-written agent replies with those labels, in the agent-acts format, for the same harness.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoring.model import Interaction, InvalidInteraction, Turn, interaction_from_dict
from scoring.result import ScoreResult
from scoring.scorer import Scorer
from scoring.sentiment import sentiment

HALVES = ("tune", "check", "all")
SUFFIXES = (".csv", ".jsonl", ".json")

# Targets and published reference points, printed beside the figures.
TARGETS = {"transfer": 0.85, "question": 0.85, "further_help": 0.8, "timeline": 0.8, "apology": 0.95,
           "courtesy_accuracy": 0.80, "overall_satisfaction": 0.5, "fix_accomplishment": 0.5}
BASELINES = {"courtesy_accuracy": "0.838 trained classifier; humans 0.867"}

SIGNAL_NAMES = {"transfer": "transfer (passing on) F1", "question": "clarifying question F1",
                "further_help": "offer of further help F1", "timeline": "timeline (time/date) F1",
                "apology": "apology F1"}


class EvaluationError(ValueError):
    """Data that cannot be evaluated; the message names the file."""


def act_signal(column: str) -> str | None:
    """Return the scorer signal an agent-act label column measures, or None when none does."""
    name = " ".join(column.strip().lower().replace("_", " ").split())
    if name in ("refer to specialist team", "transfer"):
        return "transfer"
    if name.startswith("request ") or name in ("question", "clarifying question"):
        return "question"
    if name in ("offer further help", "further help"):
        return "further_help"
    if name in ("provide delivery date", "delivery date", "timeline"):
        return "timeline"
    if name in ("apology", "apologize", "apologise"):
        return "apology"
    return None


def half_of(row_id: str) -> str:
    """Return "tune" or "check" for a row id, stably (first bit of its BLAKE2 hash)."""
    return "tune" if hashlib.blake2b(row_id.encode("utf-8"), digest_size=1).digest()[0] & 1 else "check"


# -- statistics --------------------------------------------------------------------------------

def f1(predicted: Sequence[bool], gold: Sequence[bool]) -> float | None:
    """Return the F1 of the positive class, or None when neither side has a positive."""
    tp = sum(p and g for p, g in zip(predicted, gold))
    positives = sum(predicted) + sum(gold)
    return 2 * tp / positives if positives else None


def _ranks(values: Sequence[float]) -> list[float]:
    """Return 1-based ranks, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Return Spearman's rho (Pearson on tie-averaged ranks), or None when a side is constant."""
    if len(xs) < 3:
        return None
    rx, ry = _ranks(xs), _ranks(ys)
    mean = (len(xs) + 1) / 2
    cov = sum((a - mean) * (b - mean) for a, b in zip(rx, ry))
    var = math.sqrt(sum((a - mean) ** 2 for a in rx) * sum((b - mean) ** 2 for b in ry))
    return cov / var if var else None


def quartile_bounds(scores: Sequence[float]) -> tuple[float, float]:
    """Return (low, high): scores <= low are the bottom quartile, >= high the top (needs 4 or more)."""
    ordered = sorted(scores)
    quarter = len(ordered) // 4
    return ordered[quarter - 1], ordered[len(ordered) - quarter]


def quartile_accuracy(courtesy: Sequence[float], scores: Sequence[float],
                      neutral: float = 50.0) -> float | None:
    """Return how often courtesy tells top-quartile from bottom-quartile scores (a tie at neutral is half)."""
    if len(scores) < 4:
        return None
    low, high = quartile_bounds(scores)
    right, total = 0.0, 0
    for c, s in zip(courtesy, scores):
        if low < s < high:
            continue
        total += 1
        polite = s >= high
        right += 0.5 if c == neutral else float((c > neutral) == polite)
    return right / total if total else None


# -- reading -------------------------------------------------------------------------------------

@dataclass
class Row:
    """One labelled item: its interaction, its half, and its labels by measure."""

    id: str
    half: str
    interaction: Interaction
    labels: dict[str, Any]


@dataclass
class LabelledFile:
    path: Path
    kind: str  # "acts", "politeness" or "dialogues"
    rows: list[Row]
    columns: dict[str, str] = field(default_factory=dict)  # act column -> signal
    skipped: int = 0


def _agent_turn(row_id: str, text: str) -> Interaction:
    return Interaction(id=row_id, channel="social", turns=(Turn("agent", text),))


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def read_csv(path: Path) -> LabelledFile:
    """Read an agent-acts or politeness CSV; raise EvaluationError when it is neither."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        header = [name.strip() for name in reader.fieldnames or ()]
        records = list(reader)
    lower = {name.lower(): name for name in header}
    if "text" not in lower:
        raise EvaluationError(f"{path}: unknown format: no 'text' column "
                              f"(columns: {', '.join(header) or 'none'})")
    text_key, id_key = lower["text"], lower.get("id")
    columns = {name: signal for name in header if (signal := act_signal(name))}
    binary = [name for name in header if name.lower() not in ("id", "text", "score", "brand")
              and records and all(r.get(name, "").strip() in ("0", "1") for r in records)]
    if "score" in lower and not columns:
        kind = "politeness"
    elif columns and all(name in binary for name in columns):
        kind = "acts"
    else:
        raise EvaluationError(
            f"{path}: unknown format: expected 'text' with 0/1 label columns (e.g. 'Refer to specialist "
            f"team', 'Request ...', 'Offer further help') or 'text' with a numeric 'score' column; "
            f"got columns {', '.join(header)}")
    out = LabelledFile(path, kind, [], columns)
    for number, record in enumerate(records, start=2):
        row_id = (record.get(id_key) or "").strip() if id_key else ""
        row_id = row_id or f"{path.name}:{number}"
        text = record.get(text_key) or ""
        if kind == "politeness":
            score = _number(record.get(lower["score"], ""))
            if score is None or not text.strip():
                out.skipped += 1
                continue
            labels: dict[str, Any] = {"politeness": score}
        else:
            labels = {}
            for name, signal in columns.items():
                labels[signal] = labels.get(signal, False) or record[name].strip() == "1"
        out.rows.append(Row(row_id, half_of(row_id), _agent_turn(row_id, text), labels))
    return out


def read_jsonl(path: Path) -> LabelledFile:
    """Read rated dialogues; raise EvaluationError when no line carries satisfaction or accomplishment."""
    out = LabelledFile(path, "dialogues", [])
    with path.open(encoding="utf-8-sig") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                interaction = interaction_from_dict(record)
            except (json.JSONDecodeError, InvalidInteraction):
                out.skipped += 1
                continue
            labels = {key: value for key in ("satisfaction", "accomplishment")
                      if isinstance(value := (interaction.labels or {}).get(key), (int, float))
                      and not isinstance(value, bool)}
            if labels:
                out.rows.append(Row(interaction.id, half_of(interaction.id), interaction, labels))
            else:
                out.skipped += 1
    if not out.rows:
        raise EvaluationError(f"{path}: unknown format: expected JSONL interactions whose labels hold "
                              f"'satisfaction' or 'accomplishment'")
    return out


def read_labelled(path: Path) -> LabelledFile:
    """Read one labelled file, telling its kind by its content."""
    try:
        if path.suffix.lower() == ".csv":
            return read_csv(path)
        return read_jsonl(path)
    except UnicodeDecodeError:
        raise EvaluationError(f"{path}: not UTF-8 text") from None
    except csv.Error as exc:
        raise EvaluationError(f"{path}: unreadable CSV: {exc}") from None
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot read: {exc.strerror or exc}") from None


def data_files(data: Path) -> list[Path]:
    """Return the candidate files of a folder (or the file itself); raise EvaluationError if none."""
    if data.is_file():
        return [data]
    if not data.is_dir():
        raise EvaluationError(f"{data}: no such folder")
    files = sorted(p for p in data.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        raise EvaluationError(f"{data}: no labelled files (.csv, .jsonl or .json)")
    return files


# -- measuring -----------------------------------------------------------------------------------

def further_help(result: ScoreResult) -> bool:
    """Tell whether the agent offered further help (the overcommunicate `further_help` cue)."""
    return any(e.cue == "further_help" for e in result.criteria["overcommunicate"].evidence)


_PREDICT: dict[str, Callable[[ScoreResult], bool]] = {
    "transfer": lambda r: r.signals.transfer,
    "question": lambda r: r.signals.question,
    "further_help": further_help,
    "timeline": lambda r: r.signals.timeline,
    "apology": lambda r: r.signals.apology,
}


def _last_customer_sentiment(interaction: Interaction) -> float:
    texts = [t.text for t in interaction.turns if t.speaker == "customer"]
    return sentiment(texts[-1]) if texts else 0.0


def _by_half(rows: Iterable[tuple[str, Any]], measure: Callable[[list], float | None]) -> dict[str, Any]:
    items = list(rows)
    out: dict[str, Any] = {}
    for half in HALVES:
        chosen = [value for h, value in items if half == "all" or h == half]
        out[half] = measure(chosen)
        out[f"n_{half}"] = len(chosen)
    return out


def _row(measure: str, label: str, figures: dict[str, Any], target: float | None,
         baseline: Any = None, files: Sequence[str] = ()) -> dict[str, Any]:
    return {"measure": measure, "label": label, **figures, "target": target, "baseline": baseline,
            "files": list(files)}


def evaluate(files: Sequence[LabelledFile], scorer: Scorer) -> list[dict[str, Any]]:
    """Score every row and return one table row per measure (figures per half)."""
    table: list[dict[str, Any]] = []
    acts = [f for f in files if f.kind == "acts"]
    for signal in _PREDICT:
        sources = [f for f in acts if signal in f.columns.values()]
        if not sources:
            continue
        predict = _PREDICT[signal]
        pairs = [(row.half, (predict(scorer.score(row.interaction)), row.labels[signal]))
                 for f in sources for row in f.rows]
        figures = _by_half(pairs, lambda items: f1([p for p, _ in items], [g for _, g in items]))
        label = " | ".join(sorted({c for f in sources for c, s in f.columns.items() if s == signal}))
        table.append(_row(SIGNAL_NAMES[signal], label, figures, TARGETS[signal],
                          files=[f.path.name for f in sources]))
    polite = [f for f in files if f.kind == "politeness"]
    if polite:
        pairs = [(row.half, (scorer.score(row.interaction).signals.courtesy, row.labels["politeness"]))
                 for f in polite for row in f.rows]
        names = [f.path.name for f in polite]
        table.append(_row("courtesy top/bottom-quartile accuracy", "politeness score",
                          _by_half(pairs, lambda items: quartile_accuracy([c for c, _ in items],
                                                                          [s for _, s in items])),
                          TARGETS["courtesy_accuracy"], BASELINES["courtesy_accuracy"], names))
        table.append(_row("courtesy Spearman rho", "politeness score",
                          _by_half(pairs, lambda items: spearman([c for c, _ in items],
                                                                 [s for _, s in items])),
                          None, files=names))
    dialogues = [f for f in files if f.kind == "dialogues"]
    if dialogues:
        names = [f.path.name for f in dialogues]
        scored = [(row, scorer.score(row.interaction)) for f in dialogues for row in f.rows]
        for label, (criterion, title, target) in {
                "satisfaction": ("overall", "rho(overall, satisfaction)", "overall_satisfaction"),
                "accomplishment": ("fix", "rho(fix, accomplishment)", "fix_accomplishment")}.items():
            rated = [(row, result) for row, result in scored if label in row.labels]
            if not rated:
                continue
            ours = [(row.half, (_score(result, criterion), row.labels[label])) for row, result in rated]
            ours = [(h, pair) for h, pair in ours if pair[0] is not None]
            base = [(row.half, (_last_customer_sentiment(row.interaction), row.labels[label]))
                    for row, _ in rated]
            rho = _by_half(ours, lambda items: spearman([a for a, _ in items], [b for _, b in items]))
            baseline = _by_half(base, lambda items: spearman([a for a, _ in items], [b for _, b in items]))
            table.append(_row(title, label, rho, TARGETS[target], baseline, names))
            table.append(_row(f"baseline rho(last customer turn sentiment, {label})", label, baseline,
                              None, files=names))
    return table


def _score(result: ScoreResult, criterion: str) -> float | None:
    return result.overall if criterion == "overall" else result.criteria[criterion].score


# -- output --------------------------------------------------------------------------------------

def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, dict):  # a baseline given per half: show its whole-data figure
        return _fmt(value.get("all"))
    return str(value)


def format_table(table: list[dict[str, Any]], files: Sequence[LabelledFile]) -> str:
    """Return the plain-text table: one line per measure, then the files read and the label map."""
    headers = ("measure", "tune", "check", "all", "n (all)", "target", "baseline")
    lines = [[r["measure"], _fmt(r["tune"]), _fmt(r["check"]), _fmt(r["all"]), str(r["n_all"]),
              _fmt(r["target"]), _fmt(r["baseline"]) if r["baseline"] is not None else ""] for r in table]
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h)
              for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines]
    out.append("")
    for f in files:
        note = f" ({f.skipped} rows without usable labels skipped)" if f.skipped else ""
        out.append(f"{f.path.name}: {f.kind}, {len(f.rows)} rows{note}")
        for column, signal in f.columns.items():
            out.append(f"  {column!r} -> {signal}")
    reported = {r["measure"] for r in table}
    unlabelled = [signal for signal in ("apology", "timeline") if SIGNAL_NAMES[signal] not in reported]
    if unlabelled:
        out.append(f"{' and '.join(unlabelled)} F1: no such labels in these files; tests/scoring/labelled/ "
                   "holds hand-labelled agent replies (evaluate --data tests/scoring/labelled)")
    out.append("halves: tune/check split by a hash of each row id (scoring.evaluate.half_of)")
    return "\n".join(out) + "\n"


def run(data: Path, scorer: Scorer) -> tuple[list[dict[str, Any]], list[LabelledFile]]:
    """Read the labelled files under `data` and return the table and the files read."""
    files = [read_labelled(path) for path in data_files(data)]
    return evaluate(files, scorer), files
