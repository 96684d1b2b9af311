"""Errors about a named source file, pointing at the field that is wrong."""


class SourceFieldError(ValueError):
    """A file that cannot be used; the message names the source and the field path."""

    def __init__(self, source: str, field: str, reason: str):
        super().__init__(f"{source}: {field}: {reason}" if field else f"{source}: {reason}")
        self.source = source
        self.field = field
        self.reason = reason
