"""A trainer's review in Chromium: queue, interaction, override, and the agent profile that shows it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in

ROW_HEIGHT = 35  # st.dataframe's header and row height in pixels


def click_first_row(page: Page) -> None:
    """Select the first row of the page's first table by its selection checkbox (the grid is a canvas)."""
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + ROW_HEIGHT + ROW_HEIGHT / 2)


def test_trainer_overrides_a_criterion_and_sees_it_on_the_agent_profile(page, server_url, tmp_path):
    sign_in(page, server_url, "trainer")
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ interaction\(s\)"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)

    click_first_row(page)
    expect(page.get_by_role("heading", name="Interaction", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/interaction\?id=\d+$"))
    expect(page.locator(".rp-transcript")).to_be_visible()
    profile_link = page.get_by_role("link", name=re.compile("Profile of "))
    agent = re.search(r"Profile of (.+)$", profile_link.inner_text()).group(1)

    page.get_by_label("Your score (0-100)").fill("85")
    page.get_by_label("Why the machine is wrong (required)").fill("Checked the order number before anything else.")
    page.get_by_role("button", name="Save override").click()
    expect(page.get_by_text("Listen is now 85")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Reviewed by Trainer"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "interaction.png"), full_page=True)

    profile_link.click()
    expect(page.get_by_role("heading", name="Agent profile")).to_be_visible()
    expect(page.get_by_role("heading", name=agent, exact=True)).to_be_visible()
    reviews = page.locator("[data-testid='stDataFrame']").filter(has_text="Checked the order number")
    expect(reviews).to_have_count(1)
    expect(reviews.locator("table")).to_contain_text("85")
    expect(page.get_by_test_id("stMetric").filter(has_text="Reviewed by a trainer")).to_contain_text("1")
    page.screenshot(path=str(tmp_path / "profile.png"), full_page=True)


def test_a_heatmap_cell_opens_the_queue_for_that_agent_and_criterion(page, server_url):
    sign_in(page, server_url, "trainer")
    page.get_by_role("link", name="Team trends").click()
    expect(page.get_by_role("heading", name="Team trends")).to_be_visible()
    heatmap = page.locator("[data-testid='stVegaLiteChart']").first
    expect(heatmap.locator("svg, canvas").first).to_be_visible()
    # The first cell: the first agent (alphabetical) and the first criterion column.
    cell = heatmap.locator("g.mark-rect path").first
    expect(cell).to_be_visible()
    cell.click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    agent_filter = page.get_by_test_id("stSelectbox").filter(has_text="Agent")
    expect(agent_filter).not_to_contain_text("All agents")
    expect(page.get_by_test_id("stSelectbox").filter(has_text="Criterion")).not_to_contain_text("Any criterion")
