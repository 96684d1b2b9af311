"""The audit log: read back and filtered for admins; nothing in the app updates or deletes an entry."""

from __future__ import annotations

import ast
from datetime import date, datetime, timezone

import pytest

from settings import ROOT
from store import audit
from store.audit import AuditFilters, audit_choices, audit_entries
from store.models import AuditEntry


@pytest.fixture
def logged(session):
    def entry(at: datetime, username: str, action: str, target: str | None) -> AuditEntry:
        return AuditEntry(at=at, username=username, action=action, target=target, detail={"n": 1})

    session.add_all([
        entry(datetime(2026, 3, 1, 9, tzinfo=timezone.utc), "ann", "sign_in", None),
        entry(datetime(2026, 3, 2, 23, 59, tzinfo=timezone.utc), "ann", "review_override", "interaction:42"),
        entry(datetime(2026, 3, 3, 0, 0, tzinfo=timezone.utc), "bob", "export_csv", "team:Billing_100%"),
        entry(datetime(2026, 3, 4, 12, tzinfo=timezone.utc), "root", "user_updated", "user:ann"),
    ])
    audit.record(session, action="sign_in_failed", username="mallory")
    session.flush()


def actions(frame) -> list[str]:
    return list(frame["action"])


def test_entries_come_newest_first_and_filter_by_user_action_dates_and_target(session, logged):
    everything = audit_entries(session, role="admin", filters=AuditFilters())
    assert actions(everything) == ["sign_in_failed", "user_updated", "export_csv", "review_override", "sign_in"]
    assert list(everything.columns) == ["at", "username", "action", "target", "detail"]
    assert actions(audit_entries(session, role="admin", filters=AuditFilters(username="ann"))) == [
        "review_override", "sign_in"]
    assert actions(audit_entries(session, role="admin", filters=AuditFilters(action="export_csv"))) == ["export_csv"]
    days = AuditFilters(start=date(2026, 3, 2), end=date(2026, 3, 3))  # whole days, both ends included
    assert actions(audit_entries(session, role="admin", filters=days)) == ["export_csv", "review_override"]
    assert actions(audit_entries(session, role="admin", filters=AuditFilters(target_text="INTERACTION:4"))) == [
        "review_override"]
    # LIKE wildcards in the search text are literal.
    assert actions(audit_entries(session, role="admin", filters=AuditFilters(target_text="_100%"))) == ["export_csv"]
    assert actions(audit_entries(session, role="admin", filters=AuditFilters(target_text="%"))) == ["export_csv"]
    assert len(audit_entries(session, role="admin", filters=AuditFilters(), limit=2)) == 2


def test_choices_list_the_users_and_actions_in_the_log(session, logged):
    usernames, choices = audit_choices(session, role="admin")
    assert usernames == ["ann", "bob", "mallory", "root"]
    assert choices == ["export_csv", "review_override", "sign_in", "sign_in_failed", "user_updated"]


@pytest.mark.parametrize("role", ["trainer", "executive", "agent"])
def test_only_admins_read_the_log(session, role):
    with pytest.raises(PermissionError):
        audit_entries(session, role=role, filters=AuditFilters())
    with pytest.raises(PermissionError):
        audit_choices(session, role=role)


def _writes_to_the_audit_log(tree: ast.AST) -> list[int]:
    """Return lines that update or delete audit entries: update(AuditEntry), delete(AuditEntry) (also of its
    table), or a raw UPDATE/DELETE of audit_log."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0] if node.args else None
            names_audit = (isinstance(first, ast.Name) and first.id == "AuditEntry") or (
                isinstance(first, ast.Attribute) and first.attr == "__table__"
                and getattr(first.value, "id", None) == "AuditEntry")
            if name in ("update", "delete") and names_audit:
                lines.append(node.lineno)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.lower().split())
            if "update audit_log" in text or "delete from audit_log" in text:
                lines.append(node.lineno)
    return lines


def test_no_code_in_the_app_updates_or_deletes_audit_entries():
    sources = [*(ROOT / "store").rglob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"),
               ROOT / "app.py"]
    found = {str(path.relative_to(ROOT)): lines for path in sources
             if (lines := _writes_to_the_audit_log(ast.parse(path.read_text(encoding="utf-8"))))}
    assert found == {}


def test_the_check_recognises_a_write():
    tree = ast.parse("session.execute(delete(AuditEntry).where(AuditEntry.id == 1))\n"
                     "session.execute(update(AuditEntry.__table__).values(action='x'))\n"
                     "session.execute(text('DELETE FROM audit_log'))\n")
    assert sorted(_writes_to_the_audit_log(tree)) == [1, 2, 3]


def test_imports_from_the_command_line_are_audited_too(session_factory, tmp_path):
    from sqlalchemy import select

    from store.importer import import_file

    path = tmp_path / "two.jsonl"
    path.write_text('{"id": "a", "channel": "chat", "turns": [{"speaker": "agent", "text": "Hello"}]}\n'
                    '{"id": "b", "channel": "fax", "turns": []}\n', encoding="utf-8")
    import_file(path, session_factory=session_factory)  # refused: the second line is bad
    import_file(path, session_factory=session_factory, keep_valid=True)
    with session_factory() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "import").order_by(AuditEntry.id)).all()
    assert [(e.username, e.target is None, e.detail["added"], e.detail["issues"]) for e in entries] == [
        ("command line", True, 0, 1), ("command line", False, 1, 1)]
