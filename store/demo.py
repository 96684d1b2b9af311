"""Load the generated demo organisation into an empty database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from seed_data.demo import generate_demo
from store.ingest import IngestCounts, ingest_interactions
from store.models import AppMeta, Employee, Interaction, Team, User
from store.users import create_user

DEMO_PASSWORD = "demo"
DEMO_FLAG = "demo_data"


def load_demo(session: Session, *, today: date, interactions: int = 22_000, seed: int = 2026,
              workers: int = 1) -> IngestCounts:
    """Create the demo teams, agents, accounts and scored interactions (caller commits).

    `workers` > 1 scores in that many processes.
    """
    org = generate_demo(seed=seed, interactions=interactions, end=today)
    team_ids = {}
    for team in org.teams:
        team_ids[team.name] = session.execute(insert(Team).values(name=team.name).returning(Team.id)).scalar_one()
    employee_ids = {}
    for employee in org.employees:
        employee_ids[employee.name] = session.execute(
            insert(Employee).values(name=employee.name, team_id=team_ids[employee.team], hire_date=employee.hire_date,
                                    is_new_hire=employee.is_new_hire, active=True).returning(Employee.id)
        ).scalar_one()
    for account in org.accounts:
        create_user(session, username=account.username, password=DEMO_PASSWORD, role=account.role,
                    display_name=account.employee or account.username.title(),
                    employee_id=employee_ids.get(account.employee) if account.employee else None,
                    team_ids=tuple(team_ids[name] for name in account.teams))
    counts = ingest_interactions(session, interactions=org.interactions, workers=workers)
    session.add(AppMeta(key=DEMO_FLAG, value="1"))
    return counts


def is_empty(session: Session) -> bool:
    """Return whether the database holds no interactions and no accounts, so demo data may go in."""
    return not session.scalar(select(func.count()).select_from(Interaction)) and \
        not session.scalar(select(func.count()).select_from(User))


def is_demo(session: Session) -> bool:
    """Return whether this database holds the generated demo organisation."""
    return session.scalar(select(AppMeta.value).where(AppMeta.key == DEMO_FLAG)) == "1"
