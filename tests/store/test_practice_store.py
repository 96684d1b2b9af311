"""Practice in the store on SQLite and PostgreSQL: sessions, history, assignments, cohort grid, scenarios."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from practice.certification import PASS_MARK, progress
from practice.engine import RolePlay
from practice.scenarios import SCENARIO_DIR, ScenarioError, load_scenarios
from scoring.result import CRITERIA
from store import practice
from store.ingest import ingest_interactions
from store.models import AuditEntry, Employee, PracticeSession, StoredScenario, Team
from store.permissions import scope_for
from store.review import NotFound
from store.users import create_user
from tests.factories import START, make_interaction

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
SCENARIOS = load_scenarios()
SKILLED = [
    "Hi Lena, I'm really sorry, that's our error and I understand how worrying this is. "
    "Could you give me the order number?",
    "Thank you. I've reversed the duplicate charge; it will be back in your account by Thursday. "
    "I'll email you the confirmation today, and I've added free delivery on your next order for the trouble.",
]


@pytest.fixture
def org(session):
    """New hires Ann (Alpha, with scored work) and Bob (Beta); a trainer for Alpha, an admin, Ann's account."""
    ingest_interactions(session, interactions=[
        make_interaction(f"a{i}", agent="Ann", team="Alpha", start=START + timedelta(hours=i)) for i in range(3)])
    session.add(Team(name="Beta"))
    session.flush()
    teams = dict(session.execute(select(Team.name, Team.id)).all())
    session.add(Employee(name="Bob", team_id=teams["Beta"], is_new_hire=True, active=True))
    session.execute(update(Employee).where(Employee.name == "Ann").values(is_new_hire=True))
    session.flush()
    ids = dict(session.execute(select(Employee.name, Employee.id)).all())
    users = {
        "ann": create_user(session, username="ann", password="abcd", role="agent", employee_id=ids["Ann"]),
        "bob": create_user(session, username="bob", password="abcd", role="agent", employee_id=ids["Bob"]),
        "tess": create_user(session, username="tess", password="abcd", role="trainer", team_ids=(teams["Alpha"],)),
        "admin": create_user(session, username="root", password="abcd", role="admin"),
    }
    session.commit()
    return ids, users


def finish(session, user, key: str, messages: list[str], *, seed: int = 1, at: datetime = T0) -> int:
    conversation = RolePlay.start(SCENARIOS[key], seed)
    for message in messages:
        if not conversation.ended:
            conversation.reply(message)
    conversation.end()
    return practice.save_session(session, by=user, scenario_key=key, seed=seed, started_at=at,
                                 ended_at=at + timedelta(minutes=5), outcome=conversation.outcome,
                                 transcript=conversation.transcript.to_dict()["turns"], result=conversation.score())


def test_a_finished_session_is_saved_with_its_score_and_audited(session, org):
    ids, users = org
    session_id = finish(session, users["ann"], "double_charge", SKILLED)
    row = session.get(PracticeSession, session_id)
    assert row.employee_id == ids["Ann"] and row.user_id == users["ann"].id
    assert row.outcome == "resolved" and row.overall >= PASS_MARK and not row.auto_fail
    assert set(row.criteria) == set(CRITERIA)
    assert row.transcript[0]["speaker"] == "customer" and row.transcript[1]["text"] == SKILLED[0]
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.target == f"practice_session:{session_id}")) \
        == "practice_session"


def test_history_lists_attempts_oldest_first_with_criteria_and_best_per_scenario(session, org):
    _, users = org
    finish(session, users["ann"], "double_charge", ["Calm down."], at=T0)
    finish(session, users["ann"], "double_charge", SKILLED, at=T0 + timedelta(days=1))
    finish(session, users["ann"], "late_birthday_order", ["Okay."], at=T0 + timedelta(days=2))
    scope = scope_for(users["ann"])
    frame = practice.history(session, scope=scope, employee_id=users["ann"].employee_id)
    assert frame["scenario"].tolist() == ["double_charge", "double_charge", "late_birthday_order"]
    assert frame["attempt"].tolist() == [1, 2, 1]
    assert frame["auto_fail"].tolist() == [True, False, False]
    assert {*CRITERIA} <= set(frame.columns)
    best = practice.best_by_scenario(session, scope=scope, employee_id=users["ann"].employee_id).set_index("scenario")
    assert best.loc["double_charge", "attempts"] == 2
    assert best.loc["double_charge", "passed"] and not best.loc["late_birthday_order", "passed"]


def test_certification_progress_counts_clean_passes_of_core_scenarios(session, org):
    _, users = org
    finish(session, users["ann"], "double_charge", SKILLED)
    finish(session, users["ann"], "late_birthday_order", ["Calm down."])
    frame = practice.history(session, scope=scope_for(users["ann"]), employee_id=users["ann"].employee_id)
    core = [key for key, scenario in SCENARIOS.items() if scenario.core]
    done = progress(core, zip(frame["scenario"], frame["overall"], frame["auto_fail"]))
    assert done.passed == ("double_charge",)
    assert not done.certified and "late_birthday_order" in done.remaining
    assert progress(["double_charge"], [("double_charge", 91.0, False)]).certified
    assert not progress(["double_charge"], [("double_charge", 95.0, True)]).certified


def test_an_agent_sees_only_their_own_practice_and_a_trainer_only_their_teams(session, org):
    ids, users = org
    finish(session, users["ann"], "double_charge", SKILLED)
    finish(session, users["bob"], "double_charge", SKILLED)
    ann, tess = scope_for(users["ann"]), scope_for(users["tess"])
    assert len(practice.history(session, scope=ann, employee_id=ids["Ann"])) == 1
    assert practice.history(session, scope=ann, employee_id=ids["Bob"]).empty
    assert practice.best_by_scenario(session, scope=ann, employee_id=ids["Bob"]).empty
    assert len(practice.history(session, scope=tess, employee_id=ids["Ann"])) == 1
    assert practice.history(session, scope=tess, employee_id=ids["Bob"]).empty
    assert len(practice.history(session, scope=scope_for(users["admin"]), employee_id=ids["Bob"])) == 1


def test_a_user_without_an_employee_record_reads_their_own_sessions(session, org):
    _, users = org
    finish(session, users["tess"], "double_charge", SKILLED)
    frame = practice.history(session, scope=scope_for(users["tess"]), employee_id=None, user_id=users["tess"].id)
    assert len(frame) == 1
    assert practice.history(session, scope=scope_for(users["admin"]), employee_id=None,
                            user_id=users["admin"].id).empty


def test_the_weakest_criterion_comes_from_real_work_then_from_practice(session, org):
    ids, users = org
    weakest = practice.weakest_criterion(session, scope=scope_for(users["ann"]), employee_id=ids["Ann"])
    assert weakest is not None and weakest[1] == "work" and weakest[0] in CRITERIA
    assert practice.weakest_criterion(session, scope=scope_for(users["bob"]), employee_id=ids["Bob"]) is None
    finish(session, users["bob"], "double_charge", ["I'll refund it."])
    criterion, source = practice.weakest_criterion(session, scope=scope_for(users["bob"]), employee_id=ids["Bob"])
    assert source == "practice" and criterion in CRITERIA


def test_assignments_are_scoped_audited_and_closed_by_a_later_session(session, org):
    ids, users = org
    keys = list(SCENARIOS)
    assert practice.assign(session, by=users["tess"], employee_ids=[ids["Ann"]], scenario_key="double_charge",
                           due_date=date(2026, 11, 30), known_keys=keys) == 1
    with pytest.raises(NotFound):
        practice.assign(session, by=users["tess"], employee_ids=[ids["Bob"]], scenario_key="double_charge",
                        due_date=None, known_keys=keys)
    with pytest.raises(ValueError, match="scenario_key"):
        practice.assign(session, by=users["tess"], employee_ids=[ids["Ann"]], scenario_key="nope", due_date=None,
                        known_keys=keys)
    with pytest.raises(PermissionError):
        practice.assign(session, by=users["ann"], employee_ids=[ids["Ann"]], scenario_key="double_charge",
                        due_date=None, known_keys=keys)
    open_now = practice.open_assignments(session, scope=scope_for(users["ann"]), employee_id=ids["Ann"])
    assert open_now["scenario"].tolist() == ["double_charge"] and open_now["due"].tolist() == [date(2026, 11, 30)]
    assert practice.open_assignments(session, scope=scope_for(users["bob"]), employee_id=ids["Ann"]).empty
    finish(session, users["ann"], "double_charge", SKILLED, at=datetime.now(timezone.utc))
    assert practice.open_assignments(session, scope=scope_for(users["ann"]), employee_id=ids["Ann"]).empty
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "practice_assigned")) is not None


def test_the_cohort_grid_shows_new_hires_in_scope_by_scenario(session, org):
    ids, users = org
    practice.assign(session, by=users["admin"], employee_ids=[ids["Bob"]], scenario_key="angry_tweet",
                    due_date=date(2026, 12, 1), known_keys=list(SCENARIOS))
    finish(session, users["ann"], "double_charge", SKILLED)
    finish(session, users["ann"], "double_charge", ["Calm down."])
    grid = practice.cohort_grid(session, scope=scope_for(users["admin"]))
    cells = {(row.agent, row.scenario): row for row in grid.itertuples()}
    assert cells[("Ann", "double_charge")].attempts == 2 and cells[("Ann", "double_charge")].passed
    assert cells[("Bob", "angry_tweet")].attempts == 0 and cells[("Bob", "angry_tweet")].due == date(2026, 12, 1)
    tess_grid = practice.cohort_grid(session, scope=scope_for(users["tess"]))
    assert set(tess_grid["agent"]) == {"Ann"}
    session.execute(update(Employee).values(is_new_hire=False))
    assert practice.cohort_grid(session, scope=scope_for(users["admin"])).empty


def test_scenarios_are_validated_stored_overridden_and_audited(session, org):
    _, users = org
    text = (SCENARIO_DIR / "double_charge.toml").read_text(encoding="utf-8")
    practice.save_scenario(session, by=users["tess"], key="double_charge",
                           content=text.replace('title = "Double charge"', 'title = "Charged twice"'))
    practice.save_scenario(session, by=users["admin"], key="double_charge_vip", content=text)
    practice.save_scenario(session, by=users["admin"], key="double_charge_vip",
                           content=text.replace("patience = 3", "patience = 1"))
    scenarios = load_scenarios(stored=practice.stored_scenarios(session))
    assert scenarios["double_charge"].title == "Charged twice"
    assert scenarios["double_charge_vip"].persona.patience == 1
    with pytest.raises(ScenarioError, match="scenario broken: persona.patience"):
        practice.save_scenario(session, by=users["admin"], key="broken", content=text.replace("patience = 3",
                                                                                               "patience = 0"))
    with pytest.raises(PermissionError):
        practice.save_scenario(session, by=users["ann"], key="mine", content=text)
    assert session.get(StoredScenario, "broken") is None
    actions = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "scenario_saved")).all()
    assert [a["created"] for a in actions] == [True, True, False]
