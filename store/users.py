"""Local accounts: argon2 password hashes, roles, trainers' teams, sign-in with lockout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from store import audit
from store.models import ROLES, Employee, User, UserTeam, as_utc

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)

_hasher = PasswordHasher()


@dataclass(frozen=True)
class AuthUser:
    """The signed-in user as pages see it: never a live ORM object."""

    id: int
    username: str
    display_name: str
    role: str
    employee_id: int | None
    team_ids: tuple[int, ...]


@dataclass(frozen=True)
class SignInResult:
    user: AuthUser | None
    message: str = ""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _auth_user(session: Session, user: User) -> AuthUser:
    if user.role == "agent" and user.employee_id is not None:
        team_ids = tuple(t for t in session.scalars(select(Employee.team_id).where(Employee.id == user.employee_id)) if t)
    else:
        team_ids = tuple(session.scalars(select(UserTeam.team_id).where(UserTeam.user_id == user.id).order_by(UserTeam.team_id)))
    return AuthUser(id=user.id, username=user.username, display_name=user.display_name or user.username,
                    role=user.role, employee_id=user.employee_id, team_ids=team_ids)


def create_user(session: Session, *, username: str, password: str, role: str, display_name: str = "",
                employee_id: int | None = None, team_ids: tuple[int, ...] = ()) -> AuthUser:
    """Create a local account; raise ValueError naming the field that is wrong."""
    username = username.strip()
    if not username:
        raise ValueError("username: must not be empty")
    if role not in ROLES:
        raise ValueError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
    if len(password) < 4:
        raise ValueError("password: must be at least 4 characters")
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise ValueError(f"username: {username!r} is already taken")
    user = User(username=username, password_hash=hash_password(password), role=role,
                display_name=display_name or username, employee_id=employee_id, active=True)
    session.add(user)
    session.flush()
    session.add_all(UserTeam(user_id=user.id, team_id=team_id) for team_id in team_ids)
    session.flush()
    return _auth_user(session, user)


def sign_in(session: Session, *, username: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check a username and password; count failures and lock the account after too many."""
    now = now or datetime.now(timezone.utc)
    failure = SignInResult(None, "Unknown username or wrong password.")
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    if user is None or not user.active or user.password_hash is None:
        audit.record(session, action="sign_in_failed", username=username.strip()[:120])
        return failure
    locked_until = as_utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        audit.record(session, action="sign_in_locked", user_id=user.id, username=user.username)
        minutes = max(1, round((locked_until - now).total_seconds() / 60))
        return SignInResult(None, f"Too many failed sign-ins: this account is locked for {minutes} more minute(s).")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until = now + LOCKOUT
            user.failed_sign_ins = 0
        audit.record(session, action="sign_in_failed", user_id=user.id, username=user.username)
        return failure
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    audit.record(session, action="sign_in", user_id=user.id, username=user.username)
    return SignInResult(_auth_user(session, user))
