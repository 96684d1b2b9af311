"""Command line for the store: `python -m store COMMAND …`.

    python -m store import FILE [FILE …] [--keep-valid] [--layout message|interaction]
                           [--channel CHANNEL] [--map FIELD=COLUMN …] [--database-url URL]

`import` prints a summary line per file on stdout and issues and notes on stderr, and
exits 1 if any file had issues (with --keep-valid its valid interactions are imported
all the same), 2 if the database cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from scoring.model import CHANNELS
from scoring.parsers import ColumnMapping
from store.db import make_engine, make_session_factory
from store.importer import import_file


def _mapping_pair(text: str) -> tuple[str, str]:
    name, equals, column = text.partition("=")
    known = [f.name for f in fields(ColumnMapping)]
    if not equals or not column.strip():
        raise argparse.ArgumentTypeError(f"expected FIELD=COLUMN, got {text!r}")
    if name.strip() not in known:
        raise argparse.ArgumentTypeError(f"unknown field {name.strip()!r}; fields are {', '.join(known)}")
    return name.strip(), column.strip()


def run_import(args: argparse.Namespace) -> int:
    """Import each file in its own transaction; return the exit status."""
    engine = make_engine(args.database_url)
    try:
        if not inspect(engine).has_table("import_batches"):
            print("python -m store import: the database has no Rapport tables yet; create them first",
                  file=sys.stderr)
            return 2
        session_factory = make_session_factory(engine)
        all_ok = True
        for path in args.files:
            # disable=None: a bar only on a terminal, so logs and pipes stay clean.
            with tqdm(desc=path.name, unit=" interactions", file=sys.stderr, disable=None,
                      leave=False) as bar:
                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)
                try:
                    report = import_file(path, session_factory=session_factory, keep_valid=args.keep_valid,
                                         mapping=dict(args.map) or None, layout=args.layout,
                                         channel=args.channel, progress=progress)
                except OSError as exc:
                    print(f"{path}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
                    all_ok = False
                    continue
            for note in report.notes:
                print(f"{report.filename}: note: {note}", file=sys.stderr)
            for issue in report.issues:
                print(issue, file=sys.stderr)
            hint = ""
            if report.batch_id is None and report.issues and report.interactions:
                hint = "; --keep-valid imports the valid ones"
            print(report.summary() + hint)
            all_ok = all_ok and report.ok
        return 0 if all_ok else 1
    except SQLAlchemyError as exc:
        print(f"python -m store import: database error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with one subcommand per task."""
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database-url", metavar="URL",
                          help="database to use (default: RAPPORT_DATABASE_URL, else the local SQLite file)")
    parser = argparse.ArgumentParser(prog="python -m store", description="Manage Rapport's database.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    importing = commands.add_parser(
        "import", parents=[database], help="import interactions from files",
        description="Import CSV, XLSX, JSONL, plain-text transcript or WebVTT files. A file with problems is "
                    "not imported unless --keep-valid is given; interactions already stored are skipped.")
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE")
    importing.add_argument("--keep-valid", action="store_true",
                           help="import the valid interactions of a file that has problems")
    importing.add_argument("--layout", choices=("message", "interaction"),
                           help="tables: one row per message or per interaction (default: guessed)")
    importing.add_argument("--channel", choices=CHANNELS,
                           help="channel of transcripts, captions and rows that name none (default: phone "
                                "for transcripts and captions)")
    importing.add_argument("--map", action="append", default=[], type=_mapping_pair, metavar="FIELD=COLUMN",
                           help="tables: read FIELD from COLUMN instead of the guessed column (repeatable)")
    importing.set_defaults(run=run_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
