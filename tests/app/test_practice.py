"""The practice page in AppTest: choose, start, chat, and get a debrief; the cohort page for trainers."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_app

SKILLED = [
    "Hi Maria, I'm so sorry, that's our mistake. I can imagine how stressful this is with the party on Saturday.",
    "Could you give me the order number so I can find it?",
    "Thank you. I'm sending a replacement helmet by express courier today; it will arrive by Thursday at noon. "
    "I'll email you the tracking number within the hour, and I've added a 15% discount code for the trouble.",
]


def chat_texts(at: AppTest) -> list[str]:
    return [message.text[0].value for message in at.chat_message]


def start(at: AppTest, key: str) -> AppTest:
    at.selectbox(key="practice_choice").set_value(key).run()
    [button] = [b for b in at.button if b.label.startswith("Start")]
    return button.click().run()


def test_a_new_hire_starts_a_scenario_chats_and_gets_a_debrief(demo_user):
    at = open_app(demo_user("newhire"), "pages/role_play.py")
    assert not at.exception
    assert at.selectbox(key="practice_choice").options  # scenarios, recommended first
    at = start(at, "late_birthday_order")
    assert not at.exception
    assert chat_texts(at)[0].startswith("Hi. I ordered a bike helmet")
    for n, message in enumerate(SKILLED[:2], start=1):
        at.chat_input[0].set_value(message).run()
        assert not at.exception, at.exception
        texts = chat_texts(at)
        assert len(texts) == 1 + 2 * n and texts[-2] == message
    assert "RP-48213" in chat_texts(at)[-1]
    assert any("Customer mood" in p.text for p in at.get("progress"))  # the mood meter
    at.chat_input[0].set_value(SKILLED[2]).run()
    assert not at.exception
    assert [s.value for s in at.subheader][0] == "Debrief: Late order needed for a birthday"
    assert any("Resolved" in s.value for s in at.success)
    assert not at.chat_input
    assert at.get("html")  # the transcript with the evidence marked
    assert any(m.label == "Overall" for m in at.metric)


def test_ending_early_gives_a_debrief_with_advice(demo_user):
    at = start(open_app(demo_user("newhire"), "pages/role_play.py"), "double_charge")
    at.chat_input[0].set_value("Please wait.").run()
    [end] = [b for b in at.button if b.label == "End and debrief"]
    at = end.click().run()
    assert not at.exception
    assert any("Ended early" in w.value for w in at.warning)
    assert any("What to try" in m.value for m in at.markdown)
    at = [b for b in at.button if b.label == "Choose another scenario"][0].click().run()
    assert at.selectbox(key="practice_choice")
    assert not at.exception


def test_a_rude_conversation_ends_with_the_customer_leaving(demo_user):
    at = start(open_app(demo_user("newhire"), "pages/role_play.py"), "late_birthday_order")
    for message in ("Calm down.", "It's your own fault."):
        if at.chat_input:
            at.chat_input[0].set_value(message).run()
    assert not at.exception
    assert any("Customer left" in e.value for e in at.error)


def test_the_hint_and_the_countdown_on_a_timed_scenario(demo_user):
    at = start(open_app(demo_user("newhire"), "pages/role_play.py"), "angry_tweet")
    at.toggle(key="practice_hint").set_value(True).run()
    assert not at.exception
    assert any("Apologize" in i.value for i in at.info)
    assert any(m.label == "Reply within" for m in at.metric)


def test_the_cohort_page_assigns_a_scenario(demo_user):
    at = open_app(demo_user("trainer"), "pages/cohort.py")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Cohort"]
    trainees = at.multiselect(key="cohort_assign_people")
    trainees.set_value(trainees.options[:1])
    at.selectbox(key="cohort_assign_scenario").set_value("double_charge")
    at = [b for b in at.button if b.label == "Assign"][0].click().run()
    assert not at.exception
    assert any("Assigned" in s.value for s in at.success)
