"""Local accounts: argon2 password hashes, roles, trainers' teams, sign-in with lockout, the accounts admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store import audit
from store.models import ROLES, Employee, Team, User, UserTeam, as_utc

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


# -- accounts admin -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRecord:
    """One account as the accounts admin shows it."""

    id: int
    username: str
    display_name: str
    email: str | None
    role: str
    active: bool
    employee_id: int | None
    employee: str | None
    team_ids: tuple[int, ...]
    teams: tuple[str, ...]
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    created_at: datetime


def _check_admin(by: AuthUser) -> None:
    if by.role != "admin":
        raise PermissionError(f"role: a {by.role} cannot manage accounts")


def _record(session: Session, user: User) -> UserRecord:
    teams = session.execute(select(Team.id, Team.name).join(UserTeam, UserTeam.team_id == Team.id)
                            .where(UserTeam.user_id == user.id).order_by(Team.name)).all()
    employee = (session.scalar(select(Employee.name).where(Employee.id == user.employee_id))
                if user.employee_id else None)
    return UserRecord(id=user.id, username=user.username, display_name=user.display_name or user.username,
                      email=user.email, role=user.role, active=user.active, employee_id=user.employee_id,
                      employee=employee, team_ids=tuple(t for t, _ in teams), teams=tuple(n for _, n in teams),
                      locked_until=as_utc(user.locked_until), last_sign_in_at=as_utc(user.last_sign_in_at),
                      created_at=as_utc(user.created_at))


def _snapshot(record: UserRecord) -> dict[str, Any]:
    """Return what an audit entry says about an account (never the password)."""
    return {"display_name": record.display_name, "email": record.email, "role": record.role,
            "active": record.active, "employee": record.employee, "teams": list(record.teams)}


def _changes(before: UserRecord, after: UserRecord) -> dict[str, Any]:
    old, new = _snapshot(before), _snapshot(after)
    changed = [key for key in old if old[key] != new[key]]
    return {"before": {key: old[key] for key in changed}, "after": {key: new[key] for key in changed}}


def _account(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"user {user_id}")
    return user


def _normalised_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    if not email:
        return None
    if email.count("@") != 1 or email.startswith("@") or email.endswith("@") or any(c.isspace() for c in email):
        raise ValueError(f"email: expected an address like name@example.com, got {email!r}")
    return email


def _check_assignment(session: Session, *, user_id: int | None, role: str, email: str | None,
                      employee_id: int | None, team_ids: tuple[int, ...]) -> None:
    """Raise ValueError naming the field when role, email, employee and teams do not fit together."""
    if role not in ROLES:
        raise ValueError(f"role: expected one of {', '.join(ROLES)}, got {role!r}")
    if role == "agent" and employee_id is None:
        raise ValueError("employee: an agent account belongs to an employee; pick one")
    if role != "agent" and employee_id is not None:
        raise ValueError(f"employee: only agent accounts belong to an employee, not a {role}")
    if role != "trainer" and team_ids:
        raise ValueError(f"teams: only trainers coach teams, not a {role}")
    if employee_id is not None and session.get(Employee, employee_id) is None:
        raise ValueError(f"employee: no employee {employee_id}")
    if team_ids and len(session.scalars(select(Team.id).where(Team.id.in_(team_ids))).all()) != len(set(team_ids)):
        raise ValueError("teams: a picked team does not exist")
    if email is not None and session.scalar(select(User.id).where(User.email == email, User.id != user_id)) is not None:
        raise ValueError(f"email: {email!r} belongs to another account")


def _other_active_admins(session: Session, user_id: int) -> int:
    return len(session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True),
                                                     User.id != user_id)).all())


def list_users(session: Session, *, by: AuthUser) -> list[UserRecord]:
    """Return every account, active first, by username."""
    _check_admin(by)
    return [_record(session, user) for user in
            session.scalars(select(User).order_by(User.active.desc(), User.username))]


def add_user(session: Session, *, by: AuthUser, username: str, password: str, role: str, display_name: str = "",
             email: str | None = None, employee_id: int | None = None,
             team_ids: tuple[int, ...] = ()) -> UserRecord:
    """Create an account as an admin and audit it; raise ValueError naming the field that is wrong."""
    _check_admin(by)
    email = _normalised_email(email)
    _check_assignment(session, user_id=None, role=role, email=email, employee_id=employee_id, team_ids=team_ids)
    created = create_user(session, username=username, password=password, role=role, display_name=display_name,
                          employee_id=employee_id, team_ids=team_ids)
    user = _account(session, created.id)
    user.email = email
    session.flush()
    record = _record(session, user)
    audit.record(session, action="user_created", user_id=by.id, username=by.username, target=f"user:{record.username}",
                 detail={"after": _snapshot(record)})
    return record


def update_user(session: Session, *, by: AuthUser, user_id: int, display_name: str, email: str | None, role: str,
                employee_id: int | None = None, team_ids: tuple[int, ...] = ()) -> UserRecord:
    """Set an account's name, email, role and its employee (agents) or teams (trainers); audit before and after.

    Refuses to take the admin role from the last active admin.
    """
    _check_admin(by)
    user = _account(session, user_id)
    before = _record(session, user)
    email = _normalised_email(email)
    _check_assignment(session, user_id=user_id, role=role, email=email, employee_id=employee_id, team_ids=team_ids)
    if before.role == "admin" and role != "admin" and user.active and not _other_active_admins(session, user_id):
        raise ValueError("role: this is the last active admin; make another account admin first")
    user.display_name = display_name.strip() or user.username
    user.email, user.role, user.employee_id = email, role, employee_id
    session.execute(delete(UserTeam).where(UserTeam.user_id == user_id))
    session.add_all(UserTeam(user_id=user_id, team_id=team_id) for team_id in dict.fromkeys(team_ids))
    session.flush()
    after = _record(session, user)
    if after != before:
        audit.record(session, action="user_updated", user_id=by.id, username=by.username,
                     target=f"user:{user.username}", detail=_changes(before, after))
    return after


def set_password(session: Session, *, by: AuthUser, user_id: int, password: str) -> UserRecord:
    """Give an account a new password and lift any lockout; the audit entry records that, not the password."""
    _check_admin(by)
    if len(password) < 4:
        raise ValueError("password: must be at least 4 characters")
    user = _account(session, user_id)
    user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None
    session.flush()
    audit.record(session, action="password_reset", user_id=by.id, username=by.username, target=f"user:{user.username}")
    return _record(session, user)


def deactivate_user(session: Session, *, by: AuthUser, user_id: int, active: bool = False) -> UserRecord:
    """Deactivate an account (active=False) or reactivate it (active=True); audit before and after.

    A deactivated account cannot sign in and its open sessions end. Refuses to deactivate yourself or
    the last active admin.
    """
    _check_admin(by)
    user = _account(session, user_id)
    before = _record(session, user)
    if not active and user.id == by.id:
        raise ValueError("active: you cannot deactivate your own account; ask another admin")
    if not active and user.role == "admin" and user.active and not _other_active_admins(session, user_id):
        raise ValueError("active: this is the last active admin; make another account admin first")
    user.active = active
    session.flush()
    after = _record(session, user)
    if after != before:
        audit.record(session, action="user_reactivated" if active else "user_deactivated", user_id=by.id,
                     username=by.username, target=f"user:{user.username}", detail=_changes(before, after))
    return after


def current_account(session: Session, *, user_id: int) -> AuthUser | None:
    """Return the account as it is now, or None when it no longer exists or is deactivated."""
    user = session.get(User, user_id)
    return _auth_user(session, user) if user is not None and user.active else None


def sign_in_with_email(session: Session, *, email: str, provider: str = "sso") -> SignInResult:
    """Map an identity provider's verified email to an active account; audit the sign-in or the refusal."""
    address = (email or "").strip().lower()
    user = session.scalars(select(User).where(User.email == address)).first() if address else None
    if user is None or not user.active:
        audit.record(session, action="sign_in_sso_refused", user_id=user.id if user else None,
                     username=user.username if user else None, target=address[:200] or None,
                     detail={"provider": provider, "reason": "inactive" if user else "unknown email"})
        return SignInResult(None, f"No active Rapport account has the email {address or '(none)'}. "
                                  "Ask an admin to add it to your account.")
    user.last_sign_in_at = datetime.now(timezone.utc)
    audit.record(session, action="sign_in_sso", user_id=user.id, username=user.username, target=address[:200],
                 detail={"provider": provider})
    return SignInResult(_auth_user(session, user))
