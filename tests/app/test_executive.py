"""The executive pages in AppTest: leaderboard, organisation, business impact and the board pack."""

from __future__ import annotations

from sqlalchemy import select

from store.db import make_engine, make_session_factory
from store.models import AppMeta, AuditEntry, Employee, Team
from store.organisation import IMPACT_KEY
from store.users import sign_in
from tests.app.conftest import open_app


def team_of_each_agent(url: str) -> dict[str, str]:
    with make_session_factory(make_engine(url))() as session:
        return dict(session.execute(select(Employee.name, Team.name).join(Team, Team.id == Employee.team_id)).all())


def test_leaderboard_shows_the_board_the_method_and_the_filters(demo_user, app_env):
    at = open_app(demo_user("exec"), "pages/leaderboard.py")
    assert not at.exception and [t.value for t in at.title] == ["Leaderboard"]
    assert [s.label for s in at.selectbox] == ["Channel", "Team"] and at.date_input[0].label == "Period"
    assert any(c.value.startswith("Not a raw average") for c in at.caption)
    board = at.dataframe[0].value
    assert len(board) > 10 and board["rank"].tolist() == sorted(board["rank"])
    assert [h.value for h in at.subheader] == ["Customer advocates", "Most improved", "Badges"]

    teams = team_of_each_agent(app_env)
    team = at.selectbox(key="leaderboard_team")
    chosen = team.options[1]  # the first team after "All teams"
    team.select_index(1).run()
    filtered = at.dataframe[0].value
    assert 0 < len(filtered) < len(board)
    assert {teams[name] for name in filtered["agent"]} == {chosen}


def test_a_trainer_ranks_only_their_teams(demo_user, app_env):
    trainer = demo_user("trainer")
    at = open_app(trainer, "pages/leaderboard.py")
    assert not at.exception and not at.error
    teams = team_of_each_agent(app_env)
    with make_session_factory(make_engine(app_env))() as session:
        names = set(session.scalars(select(Team.name).where(Team.id.in_(trainer.team_ids))))
    assert at.selectbox(key="leaderboard_team").options[1:] == sorted(names)
    assert {teams[name] for name in at.dataframe[0].value["agent"]} <= names


def test_organisation_page(demo_user, app_env):
    at = open_app(demo_user("exec"), "pages/organisation.py")
    assert not at.exception and not at.error
    assert [m.label for m in at.metric] == ["Average quality", "First-contact resolution", "CSAT",
                                            "Social within 1 hour", "Email within 24 hours"]
    assert [h.value for h in at.subheader] == ["Quality over time", "Teams", "Response times against target",
                                               "First-contact resolution", "CSAT against the rubric score"]
    assert len(at.get("vega_lite_chart")) == 6
    assert len(at.dataframe[0].value) == 5  # the five demo teams


def test_editing_an_impact_assumption_stores_it_and_recomputes(demo_user, writable_database):
    with writable_database.begin() as session:
        user = sign_in(session, username="exec", password="demo").user
    at = open_app(user, "pages/impact.py")
    assert not at.exception and not at.error
    reach = next(c.value for c in at.caption if "poorly handled interactions" in c.value)
    assert "× 80% who never complain × 3 people told each" in reach
    poorly = int(reach.split(" ")[0].replace(",", ""))

    at.number_input(key="impact_people_told").set_value(5.0)
    at.number_input(key="impact_silent_share").set_value(90.0)
    at.button(key="FormSubmitter:impact_assumptions-Save assumptions").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Assumptions saved; the figures above use them."]
    reach = next(c.value for c in at.caption if "poorly handled interactions" in c.value)
    assert f"× 90% who never complain × 5 people told each = {poorly * 0.9 * 5:,.0f} people" in reach
    with writable_database() as session:
        assert '"people_told": 5.0' in session.get(AppMeta, IMPACT_KEY).value
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "impact_assumptions_changed")).one()
        assert entry.username == "exec" and entry.detail["after"]["silent_share"] == 0.9


def test_board_pack_offers_the_workbook_and_a_print_layout(demo_user, app_env):
    at = open_app(demo_user("exec"), "pages/board_pack.py")
    assert not at.exception and not at.error
    assert [b.label for b in at.download_button] == ["Download the board pack (Excel)"]
    assert at.toggle(key="board_pack_print").value is False and len(at.date_input) == 1
    at.toggle(key="board_pack_print").set_value(True).run()
    assert not at.exception and not at.date_input  # controls hidden; the period stays
    assert [h.value for h in at.subheader] == ["Customer advocates", "Trends", "Response times against target",
                                               "Teams", "Business impact"]
    assert len(at.table) == 5
