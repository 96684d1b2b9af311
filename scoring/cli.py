"""Command line: `python -m scoring score FILE.jsonl`, `evaluate --data DIR`, `train-courtesy --data DIR`.

`score` reads the JSONL interchange format (one interaction per line, `-` for stdin) and writes one
JSON line per scored interaction (ScoreResult.to_dict()) to stdout, in input order. A malformed line
is reported on stderr as `FILE:LINE: reason` and skipped. `--workers N` scores in N processes, a block
of lines at a time. Exit status: 0 when every line was scored, 1 when some line was rejected, 2 for an
unreadable input or rubric file.

`evaluate` measures the scorer against the labelled files of a folder (see scoring.evaluate) and
prints one table, or JSON with --json. Exit status: 0, or 2 when the folder is missing, holds no
labelled file, or a file is unreadable or of an unknown format.

`train-courtesy` learns the courtesy points of the politeness strategies from the rated requests of
a folder (see scoring.courtesy_training), writes them (default scoring/courtesy_points.toml) and
prints them with their figures. Exit status: 0, or 2 as for `evaluate`.

`compile` compiles the scorer's hot modules with mypyc (see scoring.native) unless a build of this
source is already in use; `--check` only tells whether it is. Exit status: 0, or 1 when the build
failed or, with --check, is not in use.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from scoring import courtesy_training, native, politeness
from scoring import evaluate as evaluation
from scoring.model import Interaction, InvalidInteraction, interaction_from_dict
from scoring.parallel import Results, ScoringPool, workers_option
from scoring.result import ScoreResult
from scoring.rubric import RubricError, load_rubric
from scoring.scorer import Scorer, default_scorer

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2
UNPARSABLE = object()  # a line already reported; not None, which is the JSON line "null"
BLOCK = 200  # interactions sent to the workers at a time with --workers


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser; each command is a subcommand."""
    parser = argparse.ArgumentParser(prog="python -m scoring",
                                     description="Score customer-service interactions.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    score = commands.add_parser(
        "score", help="score interactions from a JSONL file",
        description="Score each interaction of a JSONL file; write one JSON line each to stdout.")
    score.add_argument("file", metavar="FILE", help="JSONL interactions, or - for stdin")
    score.add_argument("--rubric", metavar="FILE", help="rubric TOML (default: seed_data/rubric.toml)")
    score.add_argument("--workers", type=workers_option, default=1, metavar="N",
                       help="score in N processes, about one per core (default: 1)")
    score.set_defaults(run=run_score)
    evaluate = commands.add_parser(
        "evaluate", help="measure the scorer against human-labelled files",
        description="Score the labelled files of a folder and print agreement with people's judgement.")
    evaluate.add_argument("--data", metavar="DIR", required=True,
                          help="folder of labelled .csv/.jsonl files (or one file)")
    evaluate.add_argument("--rubric", metavar="FILE", help="rubric TOML (default: seed_data/rubric.toml)")
    evaluate.add_argument("--json", action="store_true", help="print the table as JSON")
    evaluate.set_defaults(run=run_evaluate)
    train = commands.add_parser(
        "train-courtesy", help="learn the courtesy points of the politeness strategies",
        description="Learn each politeness strategy's courtesy points from the tune half of rated requests.")
    train.add_argument("--data", metavar="DIR", required=True,
                       help="folder of labelled files (or one file); its politeness CSVs are used")
    train.add_argument("--out", metavar="FILE", default=str(politeness.POINTS_PATH),
                       help="points file to write (default: scoring/courtesy_points.toml)")
    train.add_argument("--source", metavar="TEXT",
                       help="where the data comes from and its licence, written into the file")
    train.add_argument("--l2", metavar="X", type=_positive, default=courtesy_training.L2,
                       help=f"L2 penalty on the weights (default {courtesy_training.L2:g})")
    train.add_argument("--rubric", metavar="FILE", help="rubric TOML (default: seed_data/rubric.toml)")
    train.set_defaults(run=run_train_courtesy)
    compile_ = commands.add_parser(
        "compile", help="compile the scorer's hot modules with mypyc",
        description="Compile the scorer's hot modules to C; the package uses them while they match the source.")
    compile_.add_argument("--check", action="store_true", help="only tell whether the compiled modules are in use")
    compile_.set_defaults(run=run_compile)
    return parser


def _positive(text: str) -> float:
    """Parse a number > 0 for argparse."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args, sys.stdout, sys.stderr)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_REJECTED


def run_compile(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build the compiled modules unless this process already uses a build of this source."""
    in_use = native.compiled()
    if args.check:
        out.write(f"scoring: {'compiled' if in_use else 'plain Python'} ({native.build_dir()})\n")
        return EXIT_OK if in_use else EXIT_REJECTED
    if in_use:
        out.write(f"scoring: the compiled modules at {native.build_dir()} match the source\n")
        return EXIT_OK
    try:
        where = native.build()
    except native.BuildError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_REJECTED
    out.write(f"scoring: compiled {', '.join(native.COMPILED)} and {native.C_SOURCE} into {where}\n")
    return EXIT_OK


def run_score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Score every line of args.file to `out`; report rejected lines to `err`."""
    try:
        scorer = default_scorer() if args.rubric is None else Scorer(load_rubric(args.rubric))
    except RubricError as exc:
        err.write(f"error: bad rubric: {exc}\n")
        return EXIT_UNUSABLE
    name = "<stdin>" if args.file == "-" else args.file
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as exc:
        err.write(f"error: cannot read {name}: {exc.strerror or exc}\n")
        return EXIT_UNUSABLE
    rejected = 0
    # One process scores each line as it is read. Workers get a block at a time; the previous block's
    # lines are written while they score the next one.
    size, waiting = (1, 0) if args.workers == 1 else (BLOCK, 1)
    block: list[Interaction] = []
    pending: deque[Results] = deque()

    def write(keep: int) -> None:
        while len(pending) > keep:
            out.writelines(line + "\n" for line in pending.popleft()()[0])

    with ScoringPool([scorer], workers=args.workers, convert=_json_line) as scoring:
        try:
            with stream:
                for number, record in _records(stream, name, err):
                    if record is UNPARSABLE:
                        rejected += 1
                        continue
                    try:
                        block.append(interaction_from_dict(record))
                    except InvalidInteraction as exc:
                        err.write(f"{name}:{number}: {exc}\n")
                        rejected += 1
                        continue
                    if len(block) == size:
                        pending.append(scoring.submit(block))
                        block = []
                        write(keep=waiting)
                if block:
                    pending.append(scoring.submit(block))
        except BrokenPipeError:  # stdout closed by the reader, not a read error; main() handles it
            raise
        except OSError as exc:
            err.write(f"error: cannot read {name}: {exc.strerror or exc}\n")
            return EXIT_UNUSABLE
        write(keep=0)
    return EXIT_REJECTED if rejected else EXIT_OK


def _json_line(result: ScoreResult) -> str:
    """Return a result as its output line; in a worker process with --workers."""
    return json.dumps(result.to_dict(), ensure_ascii=False)


def run_evaluate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the agreement table for the labelled files under args.data."""
    try:
        scorer = default_scorer() if args.rubric is None else Scorer(load_rubric(args.rubric))
    except RubricError as exc:
        err.write(f"error: bad rubric: {exc}\n")
        return EXIT_UNUSABLE
    try:
        table, files = evaluation.run(Path(args.data), scorer)
    except evaluation.EvaluationError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_UNUSABLE
    if args.json:
        files_read = [{"file": f.path.name, "kind": f.kind, "rows": len(f.rows), "skipped": f.skipped,
                       "labels": f.columns} for f in files]
        out.write(json.dumps({"rubric_version": scorer.rubric.version, "measures": table,
                              "files": files_read}, indent=2) + "\n")
    else:
        out.write(evaluation.format_table(table, files))
    return EXIT_OK


def run_train_courtesy(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Learn the courtesy points from args.data, write them to args.out and print them."""
    try:
        rubric = load_rubric(args.rubric)
    except RubricError as exc:
        err.write(f"error: bad rubric: {exc}\n")
        return EXIT_UNUSABLE
    try:
        files = [evaluation.read_labelled(path) for path in evaluation.data_files(Path(args.data))]
        training = courtesy_training.train(files, rubric, args.l2)
        courtesy_training.write_points(training, Path(args.out), args.source)
    except evaluation.EvaluationError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_UNUSABLE
    except OSError as exc:
        err.write(f"error: cannot write {args.out}: {exc.strerror or exc}\n")
        return EXIT_UNUSABLE
    out.write(courtesy_training.report(training, files, rubric))
    out.write(f"written to {args.out}\n")
    return EXIT_OK


def _records(stream: BinaryIO, name: str, err: TextIO) -> Iterator[tuple[int, object]]:
    """Yield (line number, parsed JSON) per non-blank line; UNPARSABLE after reporting an unparsable line."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            err.write(f"{name}:{number}: not valid UTF-8\n")
            yield number, UNPARSABLE
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            err.write(f"{name}:{number}: invalid JSON: {exc.msg} (column {exc.colno})\n")
            yield number, UNPARSABLE
        except RecursionError:
            err.write(f"{name}:{number}: invalid JSON: nested too deeply\n")
            yield number, UNPARSABLE
