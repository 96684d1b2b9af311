"""The demo new hire practises in Chromium: start a scenario, answer three times, get replies and a debrief."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

ANSWERS = [
    "Hi Maria, I'm so sorry, that's our mistake. I can imagine how stressful this is with the party on Saturday.",
    "Could you give me the order number so I can find it?",
    "Thank you. I'm sending a replacement helmet by express courier today; it will arrive by Thursday at noon. "
    "I'll email you the tracking number within the hour, and I've added a 15% discount code for the trouble.",
]


def test_a_new_hire_practises_and_gets_a_debrief(page, server_url, tmp_path):
    sign_in(page, server_url, "newhire")
    page.get_by_role("link", name="Practice").click()
    expect(page.get_by_role("heading", name="Practice")).to_be_visible()
    scenario = page.get_by_role("combobox", name="Scenario")
    scenario.click()
    page.get_by_role("option", name="Late order needed for a birthday").click()
    page.screenshot(path=str(tmp_path / "practice-choose.png"), full_page=True)
    page.get_by_role("button", name="Start").click()
    messages = page.locator("[data-testid='stChatMessage']")
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text("bike helmet")
    chat = page.get_by_test_id("stChatInputTextArea")
    for n, answer in enumerate(ANSWERS, start=1):
        chat.fill(answer)
        chat.press("Enter")
        if n < len(ANSWERS):
            expect(messages).to_have_count(1 + 2 * n)
            expect(messages.nth(2 * n - 1)).to_contain_text(answer[:40])
            page.screenshot(path=str(tmp_path / f"practice-chat-{n}.png"), full_page=True)
    debrief = page.get_by_role("heading", name="Debrief: Late order needed for a birthday")
    expect(debrief).to_be_visible()
    expect(page.get_by_text("Resolved: the customer is satisfied.")).to_be_visible()
    expect(chat).to_have_count(0)  # the chat gives way to the debrief once the customer is satisfied
    expect(page.locator(".rp-transcript")).to_contain_text(ANSWERS[0][:30])
    page.screenshot(path=str(tmp_path / "practice-debrief.png"), full_page=True)
