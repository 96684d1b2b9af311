"""The demo executive opens the leaderboard from the navigation and filters it by team in Chromium."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

TEAM = "Social Care"


def board_cells(page, column: int) -> list[str]:
    """Return the texts of one column of the board's accessible grid (the rows Chromium has laid out)."""
    board = page.locator("[data-testid='stDataFrame']").first
    return board.locator(f"td[role='gridcell'][aria-colindex='{column}']").all_inner_texts()


def test_exec_filters_the_leaderboard_by_team(page, server_url, tmp_path):
    sign_in(page, server_url, "exec")
    page.get_by_role("link", name="Leaderboard").click()
    expect(page.get_by_role("heading", name="Customer advocates")).to_be_visible()
    expect(page.get_by_text("Not a raw average", exact=False)).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame'] td[role='gridcell']").first).to_be_attached()
    teams_before = set(board_cells(page, 4))
    assert len(teams_before) > 1

    page.locator("[data-testid='stSelectbox']").filter(has_text="Team").click()
    page.get_by_role("option", name=TEAM, exact=True).click()
    # The old board stays on screen while the page reruns: wait until every team cell names the chosen team.
    page.wait_for_function(
        """team => { const board = document.querySelector("[data-testid='stDataFrame']");
            const cells = [...board.querySelectorAll("td[role='gridcell'][aria-colindex='4']")];
            return cells.length > 0 && cells.every(cell => cell.textContent === team); }""", arg=TEAM)
    assert set(board_cells(page, 4)) == {TEAM}
    page.screenshot(path=str(tmp_path / "leaderboard.png"), full_page=True)
