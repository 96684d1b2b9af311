"""The trainer workspace in AppTest: the queue and its filters, one interaction by id, overrides and refusals.

Tests that write use a private copy of the demo database (`writable_database`); the others read the shared one.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from store.db import make_engine, make_session_factory
from store.models import Customer, Employee, Interaction, Review, Score, Team
from store.review import confirm_review
from store.users import AuthUser, sign_in
from tests.app.conftest import script
from ui.charts import selected_cell
from ui.literal import literal

NOT_FOUND = "Interaction not found or not in your scope."


def open_page(user: AuthUser, path: str, **query_params: str) -> AppTest:
    """Run the app signed in, then switch to a page with query params, as a link would."""
    at = script("app.py")
    at.session_state["auth_user"] = user
    at.run()
    at.switch_page(path)
    for name, value in query_params.items():
        at.query_params[name] = value
    return at.run()


@pytest.fixture
def db(app_env):
    factory = make_session_factory(make_engine(app_env))
    with factory() as session:
        yield session


@pytest.fixture
def writable(writable_database):
    """A session on a private copy of the demo database, which the app under test uses too."""
    with writable_database() as session:
        yield session


def account(session, username: str) -> AuthUser:
    user = sign_in(session, username=username, password="demo").user
    session.commit()
    return user


def unreviewed_in(db, user: AuthUser) -> int:
    """Return an interaction in the user's teams that nobody has reviewed."""
    return db.scalars(select(Interaction.id).where(Interaction.team_id.in_(user.team_ids),
                                                   Interaction.review_version == 0)
                      .order_by(Interaction.id).limit(1)).one()


def table(at: AppTest, column: str):
    """Return the data of the first st.dataframe with this column (only selectable tables carry their key)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def no_problems(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


WORKSPACE = ["pages/review_queue.py", "pages/interaction.py", "pages/agent_profile.py", "pages/team_trends.py",
             "pages/customer_history.py"]


@pytest.mark.parametrize("username", ["trainer", "admin"])
@pytest.mark.parametrize("path", WORKSPACE)
def test_workspace_pages_render_with_data(demo_user, db, username, path):
    user = demo_user(username)
    trainer = demo_user("trainer")
    interaction = unreviewed_in(db, trainer)
    customer = db.scalar(select(Interaction.customer_id).where(Interaction.id == interaction))
    params = {"pages/interaction.py": {"id": str(interaction)},
              "pages/customer_history.py": {"customer": str(customer)}}.get(path, {})
    at = open_page(user, path, **params)
    no_problems(at)
    if path == "pages/interaction.py":
        assert at.get("html") and [b.label for b in at.button][:2] == ["Save override", "Mark reviewed"]
    elif path == "pages/team_trends.py":
        assert len(at.get("vega_lite_chart")) >= 4
    else:
        assert at.dataframe or at.get("vega_lite_chart")


def test_queue_filters_narrow_what_is_shown(demo_user, db):
    trainer = demo_user("trainer")
    at = open_page(trainer, "pages/review_queue.py")
    no_problems(at)
    everything = at.dataframe[0].value
    assert len(everything) > 5 and everything["overall"].is_monotonic_increasing
    team_id, team = db.execute(select(Team.id, Team.name).where(Team.id.in_(trainer.team_ids))).first()
    at.selectbox(key="review_queue_team").set_value(team_id).run()
    assert set(at.dataframe[0].value["team"]) == {team}
    at.selectbox(key="review_queue_team").set_value(None).run()
    channel = everything["channel"].mode()[0]
    at.selectbox(key="review_queue_channel").set_value(channel).run()
    assert set(at.dataframe[0].value["channel"]) == {channel}
    at.selectbox(key="review_queue_channel").set_value(None).run()
    at.checkbox(key="review_queue_low_csat").check().run()
    if at.dataframe:  # a quiet month may have no unhappy customer
        assert (at.dataframe[0].value["csat"] <= 2).all()
    at.checkbox(key="review_queue_low_csat").uncheck().run()
    at.selectbox(key="review_queue_criterion").set_value("fix").run()
    at.number_input(key="review_queue_below").set_value(40.0).run()
    below = at.dataframe[0].value
    assert 0 < len(below) < len(everything)
    fix_scores = dict(db.execute(select(Score.interaction_id, Score.fix)
                                 .where(Score.interaction_id.in_(below["id"].tolist()))).all())
    assert all(score < 40 for score in fix_scores.values())
    at.segmented_control(key="review_queue_mode").set_value("fair").run()
    fair = at.dataframe[0].value
    per_week = Counter((row.agent, row.started_at.isocalendar()[:2]) for row in fair.itertuples())
    assert max(per_week.values()) <= 2
    no_problems(at)


def test_a_link_presets_the_queue_filters(demo_user, db):
    trainer = demo_user("trainer")
    agent_id, agent = db.execute(select(Employee.id, Employee.name).where(Employee.team_id.in_(trainer.team_ids))
                                 .order_by(Employee.id)).first()
    at = open_page(trainer, "pages/review_queue.py", agent=str(agent_id), criterion="empathize", below="90",
                   start="2026-01-01", end="2026-11-20")
    no_problems(at)
    assert at.selectbox(key="review_queue_agent").value == agent_id
    assert at.selectbox(key="review_queue_criterion").value == "empathize"
    assert at.number_input(key="review_queue_below").value == 90
    assert set(at.dataframe[0].value["agent"]) == {agent}
    assert not at.query_params.get("agent")  # applied once, then dropped so the trainer's changes win


def test_a_queue_row_opens_its_interaction(demo_user):
    at = open_page(demo_user("trainer"), "pages/review_queue.py")
    first = int(at.dataframe[0].value["id"].iloc[0])
    at.session_state["review_queue_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    no_problems(at)
    assert [t.value for t in at.title] == ["Interaction"]
    assert at.query_params["id"] == str(first)


def test_an_interaction_opened_by_id_shows_conversation_scorecard_and_timing(demo_user, db):
    trainer = demo_user("trainer")
    interaction = unreviewed_in(db, trainer)
    at = open_page(trainer, "pages/interaction.py", id=str(interaction))
    no_problems(at)
    html = at.get("html")[0].proto.body
    external_id = db.scalar(select(Interaction.external_id).where(Interaction.id == interaction))
    assert 'class="rp-transcript"' in html and literal(external_id) in at.caption[0].value
    assert [m.label for m in at.metric][:2] == ["Overall", "Auto-fail"]
    scorecard = table(at, "Machine")
    assert len(scorecard) == 6
    at.pills(key="interaction_selected_criterion").set_value("fix").run()
    no_problems(at)


def test_an_override_through_the_form_is_stored_beside_the_machine_score(writable):
    db = writable
    trainer = account(db, "trainer")
    interaction = unreviewed_in(db, trainer)
    at = open_page(trainer, "pages/interaction.py", id=str(interaction))
    at.selectbox(key="interaction_override_criterion").set_value("empathize")
    at.number_input(key="interaction_override_score").set_value(85.0)
    at.text_area(key="interaction_override_comment").input("Warm and personal throughout.")
    at.button[0].click().run()
    no_problems(at)
    assert any("Empathize is now 85" in s.value for s in at.success)
    stored = db.execute(select(Review.criterion, Review.automatic_score, Review.human_score, Review.comment,
                               Review.reviewer_id).where(Review.interaction_id == interaction)).one()
    machine = db.scalar(select(Score.empathize).where(Score.interaction_id == interaction))
    assert stored == ("empathize", machine, 85.0, "Warm and personal throughout.", trainer.id)
    assert at.text_area(key="interaction_override_comment").value == ""
    assert table(at, "Machine").set_index("Criterion").loc["Empathize", "Human"] == "85"
    assert any(c.value.startswith("Reviewed by") for c in at.caption)


def test_an_override_without_a_comment_is_refused(writable):
    db = writable
    trainer = account(db, "trainer")
    interaction = unreviewed_in(db, trainer)
    at = open_page(trainer, "pages/interaction.py", id=str(interaction))
    at.number_input(key="interaction_override_score").set_value(40.0)
    at.button[0].click().run()
    assert [e.value for e in at.error][0].startswith("Not saved: comment:")
    assert db.scalar(select(func.count()).select_from(Review).where(Review.interaction_id == interaction)) == 0


def test_a_trainer_who_saves_after_someone_else_is_told_and_nothing_is_written(writable):
    db = writable
    trainer, admin = account(db, "trainer"), account(db, "admin")
    interaction = unreviewed_in(db, trainer)
    at = open_page(trainer, "pages/interaction.py", id=str(interaction))
    confirm_review(db, by=admin, interaction_id=interaction, seen_version=0, comment="Looked fine to me.")
    db.commit()
    at.number_input(key="interaction_override_score").set_value(10.0)
    at.text_area(key="interaction_override_comment").input("Too late, someone else was first.")
    at.button[0].click().run()
    assert any("Someone else reviewed this interaction first" in w.value for w in at.warning)
    assert db.scalars(select(Review.criterion).where(Review.interaction_id == interaction)).all() == ["*"]
    reviews = table(at, "Reviewer")
    assert reviews["Comment"].tolist() == ["Looked fine to me."]  # the new state is shown


def test_an_agent_asking_for_a_peers_interaction_is_refused(demo_user, db):
    agent = demo_user("newhire")
    peer = db.scalar(select(Interaction.id).where(Interaction.employee_id != agent.employee_id).limit(1))
    at = open_page(agent, "pages/interaction.py", id=str(peer))
    assert [e.value for e in at.error] == [NOT_FOUND]
    assert not at.get("html") and not at.button
    own = db.scalar(select(Interaction.id).where(Interaction.employee_id == agent.employee_id).limit(1))
    at = open_page(agent, "pages/interaction.py", id=str(own))
    no_problems(at)
    assert at.get("html") and not at.button  # agents read, they do not review


@pytest.mark.parametrize("raw", ["999999999", "abc", "-1"])
def test_unknown_or_malformed_ids_are_refused(demo_user, raw):
    at = open_page(demo_user("admin"), "pages/interaction.py", id=raw)
    assert [e.value for e in at.error] == [NOT_FOUND]


def test_a_trainer_cannot_open_another_teams_interaction(demo_user, db):
    trainer = demo_user("trainer")
    other = db.scalar(select(Interaction.id).where(Interaction.team_id.not_in(trainer.team_ids)).limit(1))
    at = open_page(trainer, "pages/interaction.py", id=str(other))
    assert [e.value for e in at.error] == [NOT_FOUND]


def test_an_agent_sees_only_their_own_profile(demo_user, db):
    agent = demo_user("newhire")
    peer = db.scalar(select(Employee.id).where(Employee.id != agent.employee_id).limit(1))
    at = open_page(agent, "pages/agent_profile.py", agent=str(peer))
    no_problems(at)
    name = db.scalar(select(Employee.name).where(Employee.id == agent.employee_id))
    assert [s.value for s in at.subheader][0] == literal(name)
    assert not at.selectbox  # no picker: an agent has one profile


def test_a_link_opens_the_profile_of_that_agent(demo_user, db):
    trainer = demo_user("trainer")
    agent_id, name = db.execute(select(Employee.id, Employee.name).where(Employee.team_id.in_(trainer.team_ids))
                                .order_by(Employee.name.desc())).first()
    at = open_page(trainer, "pages/agent_profile.py", agent=str(agent_id))
    no_problems(at)
    assert at.selectbox(key="agent_profile_agent").value == agent_id
    assert [s.value for s in at.subheader][0] == literal(name)


def test_a_link_opens_team_trends_for_that_team(demo_user, db):
    executive = demo_user("exec")
    team_id = db.scalar(select(Team.id).order_by(Team.name.desc()).limit(1))
    at = open_page(executive, "pages/team_trends.py", team=str(team_id))
    no_problems(at)
    assert at.selectbox(key="team_trends_team").value == team_id


def test_customer_search_opens_a_history_within_scope(demo_user, db):
    trainer = demo_user("trainer")
    customer_id, key = db.execute(
        select(Customer.id, Customer.external_id).join(Interaction, Interaction.customer_id == Customer.id)
        .where(Interaction.team_id.in_(trainer.team_ids)).limit(1)).one()
    at = open_page(trainer, "pages/customer_history.py")
    at.text_input(key="customer_history_search").input(key).run()
    found = table(at, "last_contact")
    assert found["customer"].tolist() == [key]
    at.session_state["customer_history_found"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    no_problems(at)
    history = table(at, "passed_on")
    assert history["started_at"].is_monotonic_increasing
    assert set(history["team"]) <= set(db.scalars(select(Team.name).where(Team.id.in_(trainer.team_ids))))


def test_team_trends_cells_link_to_the_queue_only_for_reviewers(demo_user):
    trainer = open_page(demo_user("trainer"), "pages/team_trends.py")
    assert any("Click a cell" in c.value for c in trainer.caption)
    executive = open_page(demo_user("exec"), "pages/team_trends.py")
    no_problems(executive)
    assert not any("Click a cell" in c.value for c in executive.caption)


def test_the_heatmap_selection_state_reads_as_one_agent_and_criterion():
    # The shape Streamlit 1.67 returns for a point selection with fields (checked in the browser test too).
    event = {"selection": {"cell": [{"employee_id": 12, "criterion": "listen"}]}}
    assert selected_cell(event) == (12, "listen")
    assert selected_cell({"selection": {"cell": []}}) is None
    assert selected_cell({"selection": {}}) is None
    assert selected_cell(None) is None
