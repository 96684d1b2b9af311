"""Small builders for test data."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from scoring.model import Interaction, Outcome, Turn

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)

GOOD_CHAT = (
    ("customer", "Hi, my order 48213 still hasn't arrived and it's for my daughter's birthday on Friday."),
    ("agent", "Hi Maria, I'm so sorry, that's our mistake. Could you confirm the delivery address for order 48213?"),
    ("customer", "12 Elm Street, Springfield."),
    ("agent", "Thank you. I've reshipped it by express and added a $10 coupon for the trouble. "
              "It will arrive by Thursday 5pm, and I'll email you the tracking number tonight. "
              "Is there anything else I can help with?"),
    ("customer", "That's great, thank you!"),
)


def make_interaction(id: str = "chat-1", *, channel: str = "chat", turns=GOOD_CHAT, start: datetime | None = START,
                     gap_seconds: float = 45, agent: str | None = "Dana Lee", team: str | None = "Orders & Delivery",
                     customer_id: str | None = "C-1", customer_name: str | None = "Maria",
                     resolved: bool | None = True, transferred: bool | None = False,
                     csat: int | None = 5) -> Interaction:
    """Build an interaction whose turns are `gap_seconds` apart from `start` (no timestamps when start is None)."""
    built = tuple(
        Turn(speaker, text, None if start is None else start + timedelta(seconds=gap_seconds * i))
        for i, (speaker, text) in enumerate(turns)
    )
    return Interaction(id=id, channel=channel, turns=built, customer_name=customer_name, customer_id=customer_id,
                       agent=agent, team=team, started_at=start,
                       outcome=Outcome(resolved=resolved, transferred=transferred, csat=csat))
