"""Pieces shared by the executive pages: drill links into trainer views, the board-pack download, and the
print layout."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from store.board_pack import BoardPack, build_workbook, record_export
from store.users import AuthUser
from ui import data
from ui.registry import PAGES_BY_KEY

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def drill_path(key: str, role: str) -> str | None:
    """Return the path of a registered page the role may open, or None (the page may not exist yet)."""
    spec = PAGES_BY_KEY.get(key)
    return spec.path if spec is not None and role in spec.roles else None


def board_pack_export(pack: BoardPack, user: AuthUser) -> Callable[[], bytes]:
    """Return the download's data callable: it builds the workbook and audits the export when clicked."""

    def export() -> bytes:
        workbook = build_workbook(pack)
        with data.session() as db:
            record_export(db, by=user, pack=pack)
        return workbook

    return export


# Streamlit's app frame scrolls inside a fixed-height box; for paper it must grow with its content.
_PRINT_RULES = """
@page { size: A4 portrait; margin: 12mm; }
@media print {
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] { height: auto !important; overflow: visible !important;
    position: static !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  /* Streamlit keeps any block holding a chart in one piece, and flex boxes and scroll boxes print as one
     piece too: a page taller than the paper then starts with blank pages. Plain blocks break across pages. */
  [data-testid="stVerticalBlock"], [data-testid="stLayoutWrapper"] {
    display: block !important; break-inside: auto !important; }
  [data-testid="stElementContainer"] { margin-bottom: 0.75rem; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"] { display: block !important; }
  [data-testid="stTable"], [data-testid="stTable"] > div { overflow: visible !important; }
  [data-testid="stTable"] table { display: table !important; }  /* an inline table is one unbreakable line */
  .stPrintGraphic, [data-testid="stMetric"], tr { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"], [data-testid="stStatusWidget"],
  [data-testid="stElementToolbar"], [data-testid="stVerticalBlock"].st-key-board_pack_controls {
    display: none !important; }
}
"""
_SCREEN_RULES = """
[data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 60rem !important; padding-top: 2rem !important; }
"""


def print_styles(*, print_layout: bool) -> None:
    """Add the print rules; with the print layout on, the screen shows the page as it will print."""
    st.html(f"<style>{_PRINT_RULES}{_SCREEN_RULES if print_layout else ''}</style>")
