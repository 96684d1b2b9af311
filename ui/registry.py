"""Every page, its address and the roles that may open it: the one place navigation and guards read."""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = ("admin", "trainer", "executive", "agent")


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    title: str
    icon: str
    roles: tuple[str, ...]
    section: str = "Dashboard"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "pages/overview.py", "Overview", ":material/monitoring:", ALL_ROLES),
)

PAGES_BY_KEY = {page.key: page for page in PAGES}


def pages_for(role: str) -> list[PageSpec]:
    """Return the pages a role may open, in menu order."""
    return [page for page in PAGES if role in page.roles]
