"""Append entries to the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from store.models import AuditEntry


def record(session: Session, *, action: str, user_id: int | None = None, username: str | None = None,
           target: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Add one audit entry to the session's transaction."""
    session.add(AuditEntry(user_id=user_id, username=username, action=action, target=target, detail=detail or {}))
