"""Sign in as the demo trainer in Chromium and see the overview chart."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_trainer_signs_in_and_sees_the_overview_chart(page, server_url, tmp_path):
    sign_in(page, server_url, "trainer")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    expect(chart).to_be_visible()
    expect(chart.locator("canvas, svg").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)


def test_direct_page_address_without_signing_in_shows_the_sign_in_form(page, server_url):
    page.goto(f"{server_url}/overview")
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("heading", name="Overview")).to_have_count(0)


def test_sign_out_returns_to_the_sign_in_form(page, server_url):
    # AppTest reruns a file page without app.py, so the sidebar's sign-out is tested in the browser.
    sign_in(page, server_url, "exec")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("heading", name="Overview")).to_have_count(0)
