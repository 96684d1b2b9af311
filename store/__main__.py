"""Command line for the store: `python -m store COMMAND …`.

    python -m store migrate [--database-url URL]
    python -m store demo [--interactions N] [--workers N] [--database-url URL]
    python -m store users add USERNAME --role ROLE [--team TEAM …] [--employee NAME] [--database-url URL]
    python -m store import FILE [FILE …] [--keep-valid] [--layout message|interaction]
                           [--channel CHANNEL] [--map FIELD=COLUMN …] [--workers N] [--database-url URL]
    python -m store rescore --by USERNAME [--version VERSION] [--database-url URL]
    python -m store backup FILE [--database-url URL]
    python -m store restore FILE [--database-url URL]

Every command first migrates the database to the latest schema.

`import` prints a summary line per file on stdout and issues and notes on stderr, and
exits 1 if any file had issues (with --keep-valid its valid interactions are imported
all the same), 2 if the database cannot be used.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from scoring.model import CHANNELS
from scoring.parallel import workers_option
from scoring.parsers import ColumnMapping
from settings import get_settings
from store import audit
from store.backup import BackupError, backup, restore
from store.bootstrap import prepare_database
from store.db import make_engine, make_session_factory
from store.demo import is_empty, load_demo
from store.importer import import_file
from store.models import ROLES, Employee, Interaction, RubricVersion, Team, User
from store.rubric_editing import rescore_then_activate
from store.rubrics import rescoring_versions
from store.users import create_user, current_account


def _mapping_pair(text: str) -> tuple[str, str]:
    name, equals, column = text.partition("=")
    known = [f.name for f in fields(ColumnMapping)]
    if not equals or not column.strip():
        raise argparse.ArgumentTypeError(f"expected FIELD=COLUMN, got {text!r}")
    if name.strip() not in known:
        raise argparse.ArgumentTypeError(f"unknown field {name.strip()!r}; fields are {', '.join(known)}")
    return name.strip(), column.strip()


def _on_migrated_database(command: str, run: Callable[[argparse.Namespace, Engine], int]
                          ) -> Callable[[argparse.Namespace], int]:
    """Wrap a command: migrate the database first, report database errors as exit 2, dispose the engine."""

    def wrapped(args: argparse.Namespace) -> int:
        engine = make_engine(args.database_url)
        try:
            prepare_database(engine)
            return run(args, engine)
        except SQLAlchemyError as exc:
            print(f"python -m store {command}: database error: {exc}", file=sys.stderr)
            return 2
        finally:
            engine.dispose()

    return wrapped


def run_import(args: argparse.Namespace, engine: Engine) -> int:
    """Import each file in its own transaction; return the exit status."""
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
                                     channel=args.channel, progress=progress, workers=args.workers)
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


def run_migrate(args: argparse.Namespace, engine: Engine) -> int:
    """Report that the database is at the latest schema (the wrapper migrated it)."""
    print("database schema is up to date")
    return 0


def run_demo(args: argparse.Namespace, engine: Engine) -> int:
    """Load the demo organisation into an empty database."""
    with make_session_factory(engine).begin() as session:
        if not is_empty(session):
            print("python -m store demo: the database already holds interactions or accounts; demo data "
                  "goes only into an empty database", file=sys.stderr)
            return 1
        counts = load_demo(session, today=date.today(), interactions=args.interactions, workers=args.workers)
    print(f"demo organisation loaded: {counts.added} interactions")
    return 0


def run_users_add(args: argparse.Namespace, engine: Engine) -> int:
    """Create a local account, asking for the password twice without echo."""
    password = args.password if args.password is not None else getpass.getpass("Password: ")
    if args.password is None and getpass.getpass("Repeat password: ") != password:
        print("python -m store users add: the passwords do not match", file=sys.stderr)
        return 1
    try:
        with make_session_factory(engine).begin() as session:
            teams = dict(session.execute(select(Team.name, Team.id)).all())
            unknown = [name for name in args.team if name not in teams]
            if unknown:
                print(f"python -m store users add: --team: no team named {', '.join(map(repr, unknown))}",
                      file=sys.stderr)
                return 1
            employee_id = None
            if args.employee:
                employee_id = session.scalar(select(Employee.id).where(Employee.name == args.employee))
                if employee_id is None:
                    print(f"python -m store users add: --employee: no employee named {args.employee!r}",
                          file=sys.stderr)
                    return 1
            user = create_user(session, username=args.username, password=password, role=args.role,
                               display_name=args.display_name or args.username, employee_id=employee_id,
                               team_ids=tuple(teams[name] for name in args.team))
            audit.record(session, action="user_created", username="command line", target=user.username,
                         detail={"role": user.role, "teams": list(args.team), "employee": args.employee})
    except ValueError as exc:
        print(f"python -m store users add: {exc}", file=sys.stderr)
        return 1
    print(f"created {user.role} {user.username!r}")
    return 0


def run_rescore(args: argparse.Namespace, engine: Engine) -> int:
    """Rescore every interaction under a saved version, then activate it; resumable after an interruption."""
    session_factory = make_session_factory(engine)
    with session_factory() as session:
        user_id = session.scalar(select(User.id).where(User.username == args.by))
        by = current_account(session, user_id=user_id) if user_id is not None else None
        if by is None or by.role not in ("admin", "trainer"):
            print(f"python -m store rescore: --by: no active admin or trainer named {args.by!r}",
                  file=sys.stderr)
            return 1
        if args.version is None:
            waiting = rescoring_versions(session)
            if not waiting:
                print("python -m store rescore: no saved version is waiting to be rescored; name one with "
                      "--version", file=sys.stderr)
                return 1
            version_id = waiting[0][0]
        else:
            version_id = session.scalar(select(RubricVersion.id).where(RubricVersion.version == args.version))
            if version_id is None:
                print(f"python -m store rescore: --version: no rubric version {args.version!r}",
                      file=sys.stderr)
                return 1
        total = session.scalar(select(func.count()).select_from(Interaction))
    with tqdm(desc="rescoring", total=total, unit=" interactions", file=sys.stderr, disable=None,
              leave=False) as bar:
        done = rescore_then_activate(session_factory, version_id=version_id, by=by,
                                     progress=lambda scored: bar.update(scored - bar.n))
    print(f"rescored {done} interactions; version {version_id} is active")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    """Write a consistent copy of the SQLite database to a new file."""
    try:
        info = backup(database_url=args.database_url or get_settings().database_url, destination=args.file)
    except BackupError as exc:
        print(f"python -m store backup: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {info.interactions} interactions and {info.users} accounts (schema {info.revision}) "
          f"to {info.path}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Replace the SQLite database with a checked backup; keep the replaced one beside it."""
    try:
        info, kept = restore(database_url=args.database_url or get_settings().database_url, source=args.file)
    except BackupError as exc:
        print(f"python -m store restore: {exc}", file=sys.stderr)
        return 2
    if kept is not None:
        print(f"the replaced database is kept as {kept}")
    print(f"restored {info.interactions} interactions and {info.users} accounts from {info.path}; "
          "the schema is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with one subcommand per task."""
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database-url", metavar="URL",
                          help="database to use (default: RAPPORT_DATABASE_URL, else the local SQLite file)")
    scoring = argparse.ArgumentParser(add_help=False)
    scoring.add_argument("--workers", type=workers_option, default=1, metavar="N",
                         help="score in N processes, about one per core (default: 1)")
    parser = argparse.ArgumentParser(prog="python -m store", description="Manage Rapport's database.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    migrating = commands.add_parser("migrate", parents=[database], help="migrate the database to the latest schema")
    migrating.set_defaults(run=_on_migrated_database("migrate", run_migrate))

    demo = commands.add_parser("demo", parents=[database, scoring],
                               help="load the demo organisation into an empty database")
    demo.add_argument("--interactions", type=int, default=22_000, metavar="N",
                      help="how many interactions to generate (default: 22000)")
    demo.set_defaults(run=_on_migrated_database("demo", run_demo))

    users = commands.add_parser("users", help="manage local accounts")
    user_commands = users.add_subparsers(dest="users_command", required=True, metavar="COMMAND")
    adding = user_commands.add_parser("add", parents=[database], help="create a local account",
                                      description="Create a local account, e.g. the first admin of a new install.")
    adding.add_argument("username")
    adding.add_argument("--role", required=True, choices=ROLES)
    adding.add_argument("--display-name", default="")
    adding.add_argument("--team", action="append", default=[], metavar="TEAM",
                        help="a team a trainer coaches (repeatable)")
    adding.add_argument("--employee", metavar="NAME", help="the employee an agent account belongs to")
    adding.add_argument("--password", help="the password (default: asked for without echo)")
    adding.set_defaults(run=_on_migrated_database("users add", run_users_add))

    importing = commands.add_parser(
        "import", parents=[database, scoring], help="import interactions from files",
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
    importing.set_defaults(run=_on_migrated_database("import", run_import))

    rescoring = commands.add_parser(
        "rescore", parents=[database], help="rescore under a saved rubric version, then activate it",
        description="Score every interaction not yet scored under the version saved on the Rubric page (or "
                    "--version), in committed slices, then make it the active version. Safe to stop and run "
                    "again; replicas may rescore the same version at once.")
    rescoring.add_argument("--by", required=True, metavar="USERNAME",
                           help="the admin or trainer the activation is recorded under in the audit log")
    rescoring.add_argument("--version", help="a stored version (default: the one waiting to be rescored)")
    rescoring.set_defaults(run=_on_migrated_database("rescore", run_rescore))

    backing_up = commands.add_parser("backup", parents=[database], help="copy the SQLite database to a new file",
                                     description="Write a consistent copy of the SQLite database, also while the "
                                                 "app runs. For PostgreSQL use pg_dump.")
    backing_up.add_argument("file", type=Path, metavar="FILE", help="the backup file to create")
    backing_up.set_defaults(run=run_backup)
    restoring = commands.add_parser("restore", parents=[database], help="replace the SQLite database with a backup",
                                    description="Check the backup, keep the current database beside it as "
                                                "NAME.before-restore-TIME, copy the backup in and migrate it. "
                                                "Stop the app first and start it again afterwards.")
    restoring.add_argument("file", type=Path, metavar="FILE", help="a file written by python -m store backup")
    restoring.set_defaults(run=run_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
