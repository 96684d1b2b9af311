"""Append entries to the audit log, and read it back for admins. Nothing here updates or deletes an entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import AuditEntry

AUDIT_COLUMNS = ["at", "username", "action", "target", "detail"]
# Audited actions that change nothing a page shows; every other audited action does.
READ_ONLY_ACTIONS = ("sign_in", "sign_in_failed", "sign_in_locked", "sign_in_sso", "sign_in_sso_refused",
                     "export_csv", "export_workbook", "board_pack_exported")


def record(session: Session, *, action: str, user_id: int | None = None, username: str | None = None,
           target: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Add one audit entry to the session's transaction."""
    session.add(AuditEntry(user_id=user_id, username=username, action=action, target=target, detail=detail or {}))


def data_stamp(session: Session) -> int:
    """Return the id of the newest audited change to what pages show (0 before any).

    Every change that pages show is audited in the same transaction, so the stamp moves exactly when data
    does, in whichever process made the change: caches keyed on it never outlive the data they hold.
    """
    return session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.action.not_in(READ_ONLY_ACTIONS))) or 0


@dataclass(frozen=True)
class AuditFilters:
    username: str | None = None
    action: str | None = None
    start: date | None = None  # first day, inclusive (UTC)
    end: date | None = None  # last day, inclusive (UTC)
    target_text: str = ""  # case-insensitive substring of the target


def _check_admin(role: str) -> None:
    if role != "admin":
        raise PermissionError(f"role: a {role} cannot read the audit log")


def audit_entries(session: Session, *, role: str, filters: AuditFilters, limit: int = 1000) -> pd.DataFrame:
    """Return the newest `limit` entries matching the filters, newest first (admins only)."""
    _check_admin(role)
    stmt = select(AuditEntry.at, AuditEntry.username, AuditEntry.action, AuditEntry.target, AuditEntry.detail)
    if filters.username:
        stmt = stmt.where(AuditEntry.username == filters.username)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.start is not None:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(filters.start, time(), timezone.utc))
    if filters.end is not None:
        stmt = stmt.where(AuditEntry.at < datetime.combine(filters.end + timedelta(days=1), time(), timezone.utc))
    if filters.target_text.strip():
        stmt = stmt.where(func.lower(AuditEntry.target).contains(filters.target_text.strip().lower(), autoescape=True))
    rows = session.execute(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def audit_choices(session: Session, *, role: str) -> tuple[list[str], list[str]]:
    """Return the usernames and the actions that occur in the log, for filters (admins only)."""
    _check_admin(role)
    usernames = session.scalars(select(AuditEntry.username).where(AuditEntry.username.is_not(None))
                                .distinct().order_by(AuditEntry.username)).all()
    actions = session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    return list(usernames), list(actions)
