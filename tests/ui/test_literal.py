"""User data in Markdown-rendering elements shows as the characters it is (rendering: tests/e2e/test_security.py)."""

from __future__ import annotations

import pytest

from ui.literal import literal


@pytest.mark.parametrize(("text", "escaped"), [
    ("**Zed** $x$ :red[hi] <b>", r"\*\*Zed\*\* \$x\$ \:red\[hi\] \<b\>"),
    ("[link](javascript:alert(1)) `code` ~~gone~~ a|b", r"\[link\](javascript\:alert(1)) \`code\` \~\~gone\~\~ a\|b"),
    ("&lt;b&gt; & co", r"\&lt;b\&gt; & co"),
    ("# Title", r"\# Title"), ("- item", r"\- item"), ("12. item", r"12\. item"), ("back\\slash", r"back\\slash"),
    ("demo-000006 · Orders & Delivery · 15:39 UTC", "demo-000006 · Orders & Delivery · 15:39 UTC"),
    ("multi\nline\ttext", "multi line text"),
])
def test_what_markdown_would_read_is_escaped_and_the_rest_kept(text, escaped):
    assert literal(text) == escaped
