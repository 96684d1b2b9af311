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
    in_menu: bool = True  # False for pages opened only by link, e.g. one interaction by its id


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "pages/overview.py", "Overview", ":material/monitoring:", ALL_ROLES),
    PageSpec("review_queue", "pages/review_queue.py", "Review queue", ":material/checklist:", ("admin", "trainer"),
             section="Coaching"),
    PageSpec("interaction", "pages/interaction.py", "Interaction", ":material/forum:", ALL_ROLES,
             section="Coaching", in_menu=False),
    PageSpec("agent_profile", "pages/agent_profile.py", "Agent profile", ":material/person:", ALL_ROLES,
             section="Coaching"),
    PageSpec("team_trends", "pages/team_trends.py", "Team trends", ":material/grid_view:",
             ("admin", "trainer", "executive"), section="Coaching"),
    PageSpec("customer_history", "pages/customer_history.py", "Customer history", ":material/history:",
             ("admin", "trainer", "executive"), section="Coaching"),
    PageSpec("calibration", "pages/calibration.py", "Calibration", ":material/balance:", ("admin", "trainer"),
             section="Coaching"),
    PageSpec("practice", "pages/role_play.py", "Practice", ":material/sports_esports:", ("agent", "trainer", "admin"),
             section="Practice"),
    PageSpec("cohort", "pages/cohort.py", "Cohort", ":material/school:", ("trainer", "admin"), section="Practice"),
    PageSpec("leaderboard", "pages/leaderboard.py", "Leaderboard", ":material/emoji_events:",
             ("executive", "admin", "trainer"), section="Executive"),
    PageSpec("organisation", "pages/organisation.py", "Organisation", ":material/trending_up:",
             ("executive", "admin"), section="Executive"),
    PageSpec("impact", "pages/impact.py", "Business impact", ":material/campaign:", ("executive", "admin"),
             section="Executive"),
    PageSpec("board_pack", "pages/board_pack.py", "Board pack", ":material/summarize:", ("executive", "admin"),
             section="Executive"),
    PageSpec("exports", "pages/exports.py", "Exports", ":material/download:", ("admin", "trainer", "executive"),
             section="Reports"),
    PageSpec("rubric", "pages/rubric.py", "Rubric", ":material/rule:", ("admin", "trainer"), section="Admin"),
    PageSpec("import", "pages/import.py", "Import", ":material/upload_file:", ("admin", "trainer"), section="Admin"),
    PageSpec("users", "pages/users.py", "Accounts", ":material/manage_accounts:", ("admin",), section="Admin"),
    PageSpec("audit_log", "pages/audit_log.py", "Audit log", ":material/policy:", ("admin",), section="Admin"),
)

PAGES_BY_KEY = {page.key: page for page in PAGES}


def pages_for(role: str) -> list[PageSpec]:
    """Return the pages a role may open, in menu order."""
    return [page for page in PAGES if role in page.roles]
