"""A small hand-made organisation for the trainer-workspace store tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.model import Interaction as DomainInteraction
from scoring.scorer import score_interaction
from store.ingest import ingest_interactions
from store.models import Employee, Interaction, Team, User, UserTeam
from store.users import AuthUser
from tests.factories import GOOD_CHAT, START, make_interaction

MEH = (("customer", "My order is late."), ("agent", "It will arrive soon."))
BAD = (("customer", "My order is late and I am furious."), ("agent", "Calm down. Check the website."))
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Org:
    teams: dict[str, int]
    employees: dict[str, int]
    interactions: dict[str, int]  # external id -> row id
    domain: dict[str, DomainInteraction]  # what was ingested, to score expectations with the same scorer
    admin: AuthUser
    executive: AuthUser
    alpha_trainer: AuthUser
    beta_trainer: AuthUser
    ann: AuthUser  # agent account of Ann (Alpha)
    bob: AuthUser  # agent account of Bob (Beta)

    def row(self, external_id: str) -> int:
        return self.interactions[external_id]

    def expected(self, external_id: str):
        return score_interaction(self.domain[external_id])


def _built() -> list[DomainInteraction]:
    """Ann (Alpha) is busy: six in week 1, two in week 2. Amy (Alpha) has one, Bob (Beta) two."""
    built = [make_interaction(f"ann-w1-{i}", agent="Ann", team="Alpha", customer_id=f"C-{i}",
                              customer_name=f"Customer {i}", start=START + timedelta(hours=i),
                              turns=MEH if i % 2 else GOOD_CHAT,
                              csat=1 if i == 1 else 4)
             for i in range(6)]
    built += [
        make_interaction("ann-w2-0", agent="Ann", team="Alpha", start=START + WEEK, customer_id="C-1",
                         customer_name="Customer 1", channel="email"),
        make_interaction("ann-w2-1", agent="Ann", team="Alpha", start=START + WEEK + timedelta(hours=1),
                         turns=BAD, csat=2),
        make_interaction("amy-w1-0", agent="Amy", team="Alpha", start=START + timedelta(hours=3), turns=MEH,
                         customer_id="C-1", customer_name="Customer 1"),
        make_interaction("bob-w1-0", agent="Bob", team="Beta", start=START + timedelta(hours=2), turns=BAD,
                         customer_id="C-1", customer_name="Customer 1", csat=1),
        make_interaction("bob-w1-1", agent="Bob", team="Beta", start=START + timedelta(hours=5), gap_seconds=600,
                         customer_id="B-7", customer_name="Mr 100% Sure_Thing"),
    ]
    return built


def _account(session: Session, username: str, role: str, display_name: str = "", employee_id: int | None = None,
             team_ids: tuple[int, ...] = ()) -> AuthUser:
    """Add an account that cannot sign in (no password): hashing one costs half a second, and no test signs in."""
    user = User(username=username, display_name=display_name or username, role=role, employee_id=employee_id)
    session.add(user)
    session.flush()
    session.add_all(UserTeam(user_id=user.id, team_id=team_id) for team_id in team_ids)
    return AuthUser(id=user.id, username=username, display_name=user.display_name, role=role,
                    employee_id=employee_id, team_ids=team_ids)


def build_org(session: Session) -> Org:
    built = _built()
    ingest_interactions(session, interactions=built)
    teams = dict(session.execute(select(Team.name, Team.id)).all())
    employees = dict(session.execute(select(Employee.name, Employee.id)).all())
    org = Org(
        teams=teams, employees=employees,
        interactions=dict(session.execute(select(Interaction.external_id, Interaction.id)).all()),
        domain={i.id: i for i in built},
        admin=_account(session, "admin", "admin", display_name="Ada Admin"),
        executive=_account(session, "exec", "executive"),
        alpha_trainer=_account(session, "alpha", "trainer", display_name="Tess Trainer", team_ids=(teams["Alpha"],)),
        beta_trainer=_account(session, "beta", "trainer", team_ids=(teams["Beta"],)),
        ann=_account(session, "ann", "agent", employee_id=employees["Ann"]),
        bob=_account(session, "bob", "agent", employee_id=employees["Bob"]),
    )
    session.commit()
    return org
