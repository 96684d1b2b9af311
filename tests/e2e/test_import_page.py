"""Import files through the browser as the demo trainer: a bad file is refused row by row, a good one imported."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

# Its own team, so no other browser test's figures change.
BAD_CSV = b"""\
Conversation ID,Channel,Sender,Message,Timestamp,Team
E2E-BAD-1,chat,Customer,Hi,2026-11-02T10:00:00Z,E2E Import
E2E-BAD-1,chat,Bot,beep,2026-11-02T10:00:05Z,E2E Import
E2E-BAD-2,chat,Agent,Hello,yesterday,E2E Import
"""
GOOD_CSV = b"""\
Conversation ID,Channel,Sender,Message,Timestamp,Agent,Team
E2E-OK-1,chat,Customer,My order is late,2026-11-02T10:00:00Z,E2E Agent,E2E Import
E2E-OK-1,chat,Agent,"I'm so sorry, I've reshipped it.",2026-11-02T10:00:40Z,E2E Agent,E2E Import
E2E-OK-2,email,Customer,Where is my refund?,2026-11-02T11:00:00Z,E2E Agent,E2E Import
E2E-OK-2,email,Agent,It was sent today.,2026-11-02T12:00:00Z,E2E Agent,E2E Import
"""


def choose_file(page, name: str, content: bytes) -> None:
    """Upload a file and wait until the page shows it, without the result of an earlier file."""
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content})
    expect(page.locator("[data-testid='stFileChipName']")).to_have_text(name)
    expect(page.get_by_role("heading", name="Result")).to_have_count(0)
    expect(page.get_by_role("heading", name="Check")).to_be_visible()


def test_trainer_imports_a_bad_file_then_a_good_one(page, server_url, tmp_path):
    sign_in(page, server_url, "trainer")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", name="Import")).to_be_visible()

    choose_file(page, "bad.csv", BAD_CSV)
    # The problems grid draws on a canvas; its accessible table holds the same text.
    report = page.locator("[data-testid='stDataFrame'] table").last
    expect(report).to_contain_text("row 3")
    expect(report).to_contain_text("unknown speaker 'Bot'")
    expect(report).to_contain_text("row 4")
    expect(report).to_contain_text("rows 2-3")
    expect(page.get_by_role("button", name=re.compile("Download the validation report"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "import-bad.png"), full_page=True)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("bad.csv: rejected, nothing imported: 3 issues (0 valid interactions)")).to_be_visible()

    choose_file(page, "good.csv", GOOD_CSV)
    expect(page.get_by_text("Every record is valid.")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(re.compile(r"good\.csv: 2 added, 0 duplicates \(batch \d+\)"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "import-good.png"), full_page=True)

    choose_file(page, "good-again.csv", GOOD_CSV)
    expect(page.get_by_text("Every record is valid.")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(re.compile(r"good-again\.csv: 0 added, 2 duplicates \(batch \d+\)"))).to_be_visible()
