"""Interactions whose words and names are attacks on the page: they must show as the literal text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from scoring.model import Interaction, Outcome, Turn

PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "**bold** _it_ [link](javascript:alert(1))",
    "$\\frac{1}{2}$",
)
HOSTILE_ID = "hostile-1"
HOSTILE_CUSTOMER_ID = "HOSTILE-CUSTOMER"
HOSTILE_CUSTOMER = "**Zed** <img src=x onerror=\"window.__pwned=1\"> $x$"
HOSTILE_AGENT = "Hostile <script>window.__pwned=1</script> _Agent_"
TEAM = "Technical Support"  # a demo team the demo trainer does not coach, so their own tests never meet it
START = datetime(2026, 11, 19, 10, 0, tzinfo=timezone.utc)


def hostile_interactions() -> list[Interaction]:
    """One chat whose every turn carries the payloads, by an agent and for a customer with hostile names."""
    texts = [f"My order is late. {PAYLOADS[0]} {PAYLOADS[2]}", f"I'm sorry. {PAYLOADS[1]} {PAYLOADS[3]}"]
    turns = tuple(Turn("customer" if n % 2 == 0 else "agent", text, START + timedelta(seconds=40 * n))
                  for n, text in enumerate(texts))
    return [Interaction(id=HOSTILE_ID, channel="chat", turns=turns, customer_name=HOSTILE_CUSTOMER,
                        customer_id=HOSTILE_CUSTOMER_ID, agent=HOSTILE_AGENT, team=TEAM, started_at=START,
                        outcome=Outcome(resolved=False, transferred=False, csat=1))]
