"""Every export path writes user text through the one formula-injection guard."""

from __future__ import annotations

import ast

import pytest

from settings import ROOT
from store.spreadsheet import FORMULA_STARTS, safe_cell


@pytest.mark.parametrize(("text", "stored"), [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("＝1+1", "'＝1+1"), ("Ann", "Ann"), ("a=b", "a=b"), ("", ""), ("bell\x07", "bell"),
    ("\x01=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
])
def test_safe_cell(text, stored):
    assert safe_cell(text) == stored


def test_no_module_keeps_its_own_list_of_formula_triggers():
    """One guard: a second copy of the trigger list would drift from this one."""
    for path in sorted((ROOT / "store").glob("*.py")):
        if path.name == "spreadsheet.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple) and {"=", "+", "-", "@"} <= {
                    e.value for e in node.elts if isinstance(e, ast.Constant)}:
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno}: use store.spreadsheet.safe_cell")
    assert FORMULA_STARTS[:4] == ("=", "+", "-", "@")
