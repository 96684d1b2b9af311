"""Errors about a named source file, pointing at the field that is wrong."""

import json
from typing import Any


class SourceFieldError(ValueError):
    """A file that cannot be used; the message names the source and the field path."""

    def __init__(self, source: str, field: str, reason: str):
        super().__init__(f"{source}: {field}: {reason}" if field else f"{source}: {reason}")
        self.source = source
        self.field = field
        self.reason = reason


def show_value(value: Any) -> str:
    """Render a TOML value for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)
