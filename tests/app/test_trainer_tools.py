"""The trainer workspace pages in AppTest: calibration, rubric, import and exports, on a copy of the demo data."""

from __future__ import annotations

import shutil
import time

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from scoring.result import CRITERIA
from store.db import make_engine, make_session_factory
from store.models import AuditEntry, CalibrationRating, ImportBatch, Interaction, RubricVersion
from store.rubrics import active_rubric
from store.users import AuthUser, sign_in
from tests.app.conftest import clear_caches, open_app

GOOD_CSV = b"""\
Conversation ID,Channel,Sender,Message,Timestamp,Agent,Team
APPTEST-1,chat,Customer,My order is late,2026-11-02T10:00:00Z,Dana Test,Orders
APPTEST-1,chat,Agent,"I'm so sorry, I've reshipped it.",2026-11-02T10:00:40Z,Dana Test,Orders
APPTEST-2,email,Customer,Where is my refund?,2026-11-02T11:00:00Z,Dana Test,Orders
APPTEST-2,email,Agent,It was sent today.,2026-11-02T12:00:00Z,Dana Test,Orders
"""
BAD_CSV = b"""\
Conversation ID,Channel,Sender,Message,Timestamp
BAD-1,chat,Customer,Hi,2026-11-02T10:00:00Z
BAD-1,chat,Bot,beep,2026-11-02T10:00:05Z
BAD-2,chat,Agent,Hello,yesterday
BAD-3,chat,Agent,Fine,2026-11-02T10:00:00Z
"""


@pytest.fixture
def writable_app(demo_database_url, tmp_path, monkeypatch):
    """Point the app at a private copy of the demo database, so these tests may write to it."""
    source = demo_database_url.removeprefix("sqlite:///")
    copy = tmp_path / "demo.sqlite3"
    shutil.copyfile(source, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("RAPPORT_DATABASE_URL", url)
    monkeypatch.setenv("RAPPORT_DEMO", "0")
    clear_caches()
    factory = make_session_factory(make_engine(url))
    yield factory
    clear_caches()


def signed_in(factory, username: str) -> AuthUser:
    with factory.begin() as session:
        result = sign_in(session, username=username, password="demo")
    assert result.user is not None, result.message
    return result.user


def count(factory, model, *conditions) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


def button(at: AppTest, label: str):
    [found] = [b for b in at.button if b.label == label]
    return found


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize("username", ["trainer", "admin"])
@pytest.mark.parametrize(("path", "title", "expected"), [
    ("pages/calibration.py", "Calibration", ["Machine vs trainers", "Blind rounds"]),
    ("pages/rubric.py", "Rubric", ["Edit", "Versions"]),
    ("pages/exports.py", "Exports", ["Excel workbook", "CSV of interactions"]),
])
def test_each_page_opens_with_its_tabs(writable_app, username, path, title, expected):
    at = open_app(signed_in(writable_app, username), path)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    assert [t.value for t in at.title] == [title]
    assert [tab.label for tab in at.tabs] == expected


@pytest.mark.parametrize("username", ["trainer", "admin"])
def test_import_page_asks_for_a_file(writable_app, username):
    at = open_app(signed_in(writable_app, username), "pages/import.py")
    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Import"]
    assert len(at.file_uploader) == 1 and not at.button


def test_rubric_validation_error_names_the_field_and_saves_nothing(writable_app):
    versions = count(writable_app, RubricVersion)
    at = open_app(signed_in(writable_app, "trainer"), "pages/rubric.py")
    [apology] = [t for t in at.text_area if t.label == "Cue phrases 'apology'"]
    apology.set_value("\n")
    button(at, "Save as new version and rescore").click().run()
    assert errors(at) == ["Cue phrases 'apology': expected at least one phrase Nothing was saved."]
    assert count(writable_app, RubricVersion) == versions


def test_rubric_preview_compares_a_sample_before_saving(writable_app):
    at = open_app(signed_in(writable_app, "admin"), "pages/rubric.py")
    [fix] = [n for n in at.number_input if n.label == "Weight of Fix & add a perk"]
    fix.set_value(4.0)
    button(at, "Preview the effect").click().run()
    assert not at.exception and not at.error, errors(at)
    assert any("criteria.fix.weight" in t.value for t in at.text)
    before_after, moves = at.dataframe[0].value, at.dataframe[1].value
    assert before_after["criterion"].tolist()[0] == "Overall" and len(before_after) == 1 + len(CRITERIA)
    assert (before_after.set_index("criterion").loc["Respond fast", "change"]) == 0
    assert len(moves) == 10
    assert count(writable_app, RubricVersion) == 1


def test_saving_a_version_rescores_in_the_background_then_activates_it(writable_app):
    with writable_app() as session:
        before = active_rubric(session)
    at = open_app(signed_in(writable_app, "admin"), "pages/rubric.py")
    [chat] = [n for n in at.number_input if n.label == "Response target for chat"]
    chat.set_value(90.0)
    button(at, "Save as new version and rescore").click().run()
    assert not at.exception and not at.error, errors(at)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with writable_app() as session:
            if active_rubric(session).id != before.id:
                break
        time.sleep(0.2)
    with writable_app() as session:
        now = active_rubric(session)
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("rubric_%"))
                                  .order_by(AuditEntry.id)).all()
    assert now.version != before.version and now.rubric.response_targets["chat"] == 90
    assert actions == ["rubric_version_created", "rubric_activated"]
    at.run()
    assert not at.exception
    assert f"Active version **{now.version}**" in at.caption[0].value


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, content, "text/csv"))
    return at.run()


def test_importing_a_valid_csv_maps_columns_imports_and_audits(writable_app):
    interactions = count(writable_app, Interaction)
    at = upload(open_app(signed_in(writable_app, "trainer"), "pages/import.py"), "calls.csv", GOOD_CSV)
    assert not at.exception and not at.error, errors(at)
    assert at.radio[0].value == "message"
    mapping = {s.label: s.value for s in at.selectbox}
    assert mapping["Interaction id *"] == "Conversation ID" and mapping["Speaker *"] == "Sender"
    assert mapping["Message time"] == "Timestamp" and mapping["Customer id"] is None
    assert [m.value for m in at.metric] == ["4", "2", "0"]
    button(at, "Import").click().run()
    assert not at.exception and not at.error, errors(at)
    assert at.success[-1].value.startswith("calls.csv: 2 added, 0 duplicates")
    assert [m.value for m in at.metric][-3:] == ["2", "0", "0"]
    assert count(writable_app, Interaction) == interactions + 2
    with writable_app() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert entry.username == "trainer" and entry.detail["added"] == 2

    again = upload(open_app(signed_in(writable_app, "trainer"), "pages/import.py"), "calls.csv", GOOD_CSV)
    button(again, "Import").click().run()
    assert again.success[-1].value.startswith("calls.csv: 0 added, 2 duplicates")
    assert count(writable_app, Interaction) == interactions + 2


def test_a_file_with_bad_rows_shows_them_and_imports_nothing_unless_asked(writable_app):
    interactions = count(writable_app, Interaction)
    at = upload(open_app(signed_in(writable_app, "trainer"), "pages/import.py"), "bad.csv", BAD_CSV)
    problems = at.dataframe[-1].value
    assert problems["Where"].tolist() == ["row 3", "row 4", "rows 2-3"]
    assert "unknown speaker 'Bot'" in problems["Problem"].iloc[0]
    assert at.get("download_button")
    button(at, "Import").click().run()
    assert at.error[-1].value == "bad.csv: rejected, nothing imported: 3 issues (1 valid interaction)"
    assert count(writable_app, Interaction) == interactions and count(writable_app, ImportBatch) == 0

    at.checkbox(key="import_keep_valid").check().run()
    button(at, "Import").click().run()
    assert at.success[-1].value == "bad.csv: 1 added, 0 duplicates, 2 rejected (batch 1)"
    assert count(writable_app, Interaction) == interactions + 1


def test_a_trainer_creates_a_round_and_rates_blind(writable_app):
    user = signed_in(writable_app, "trainer")
    at = open_app(user, "pages/calibration.py")
    at.text_input(key="calibration_new_name").input("November check")
    at.number_input(key="calibration_new_size").set_value(3)
    button(at, "Create round").click().run()
    assert not at.exception and not at.error, errors(at)
    assert at.success[0].value == "Round 'November check' created with 3 interactions."
    round_id = at.session_state["calibration_round"]
    item_key = f"calibration_item_{round_id}"
    first = at.session_state[item_key]
    assert any("you rated 0 of 3" in c.value for c in at.caption)
    assert at.get("html"), "the transcript is shown"

    for criterion in CRITERIA[:-2]:
        at.number_input(key=f"{item_key}_{first}_{criterion}").set_value(60)
    at.checkbox(key=f"{item_key}_{first}_respond_na").check()
    button(at, "Save my scores").click().run()
    assert errors(at) == ["Overcommunicate: give a score from 0 to 100 or mark it not applicable"]

    at.number_input(key=f"{item_key}_{first}_overcommunicate").set_value(40)
    button(at, "Save my scores").click().run()
    assert not at.error, errors(at)
    assert at.session_state[item_key] != first
    assert any("you rated 1 of 3" in c.value for c in at.caption)
    assert any("Results appear when the round is closed" in i.value for i in at.info)
    with writable_app() as session:
        saved = dict(session.execute(select(CalibrationRating.criterion, CalibrationRating.score)
                                     .where(CalibrationRating.interaction_id == first)).all())
    assert saved == {**{c: 60.0 for c in CRITERIA[:-2]}, "overcommunicate": 40.0, "respond": None}

    button(at, "Close the round").click().run()
    assert not at.exception and not at.error, errors(at)
    assert [s.value for s in at.subheader] == ["Results"]
    assert at.info[-1].value.startswith("Fewer than two trainers rated this round")


def test_exports_build_a_workbook_and_a_csv_and_audit_them(writable_app):
    at = open_app(signed_in(writable_app, "trainer"), "pages/exports.py")
    button(at, "Build the workbook").click().run()
    assert not at.exception and not at.error, errors(at)
    downloads = at.get("download_button")
    assert len(downloads) == 1 and ".xlsx" in downloads[0].proto.label
    button(at, "Build the CSV").click().run()
    assert len(at.get("download_button")) == 2
    with writable_app() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("export_%"))
                                  .order_by(AuditEntry.id)).all()
    assert actions == ["export_workbook", "export_csv"]
