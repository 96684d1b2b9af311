"""Show user data (names, ids, comments) in elements that render Markdown, as the literal text.

Streamlit's titles, captions, labels and messages read Markdown, HTML entities, LaTeX ($…$) and its own
:color[…] and :emoji: directives. A backslash before a punctuation mark is CommonMark's escape, so the
characters that could start any of those get one; the rest stay as they are, so the text stays readable.
Transcript turns go through ui.transcript instead (escaped HTML).
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"[\\`*_\[\]<>$~|]|:(?=[^\W\d])|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:[#+\-]|\d+[.)])")  # a heading, list item or numbered item


def literal(text: str) -> str:
    """Return `text` on one line, escaped so that a Markdown-rendering element shows exactly these characters."""
    escaped = _INLINE.sub(lambda match: "\\" + match.group(), " ".join(text.split()))
    return _LINE_START.sub(lambda match: match.group()[:-1] + "\\" + match.group()[-1], escaped)
