"""The README documents every command line command and every setting."""

from __future__ import annotations

import argparse

import pytest

from settings import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str) -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _commands(sub, f"{prefix} {name}")
                found.extend(nested or [f"{prefix} {name}"])
    return found


def _all_commands() -> list[str]:
    from scoring.cli import build_parser as scoring_parser
    from store.__main__ import build_parser as store_parser

    return _commands(scoring_parser(), "python -m scoring") + _commands(store_parser(), "python -m store")


@pytest.mark.parametrize("command", _all_commands())
def test_readme_documents_every_command(command):
    assert command in README


@pytest.mark.parametrize("variable", ["RAPPORT_DATABASE_URL", "RAPPORT_DEMO", "RAPPORT_SESSION_IDLE_MINUTES",
                                      "RAPPORT_POSTGRES_OPTIONS", "RAPPORT_TEST_DATABASE_URL"])
def test_readme_documents_every_setting(variable):
    assert f"`{variable}`" in README


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in README and "\nmake test\n" in ci


def test_readme_lists_every_page():
    from ui.registry import PAGES

    for page in PAGES:
        assert f"| {page.title} |" in README, page.title
