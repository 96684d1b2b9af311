"""One permission model: which interactions and people a signed-in user may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, true

from store.users import AuthUser


@dataclass(frozen=True)
class Scope:
    """Everything (executives, admins), some teams (trainers) or one employee (agents)."""

    everything: bool = False
    team_ids: tuple[int, ...] = ()
    employee_id: int | None = None

    def condition(self, *, team_column: ColumnElement, employee_column: ColumnElement) -> ColumnElement[bool]:
        """Return a WHERE condition limiting rows to this scope."""
        if self.everything:
            return true()
        if self.employee_id is not None:
            return employee_column == self.employee_id
        if self.team_ids:
            return team_column.in_(self.team_ids)
        return false()


def scope_for(user: AuthUser) -> Scope:
    """Return what the user may see."""
    if user.role in ("admin", "executive"):
        return Scope(everything=True)
    if user.role == "trainer":
        return Scope(team_ids=user.team_ids)
    return Scope(employee_id=user.employee_id)
