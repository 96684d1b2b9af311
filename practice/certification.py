"""The certification rule, in one place: pass every core scenario with a clean, high score."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PASS_MARK = 80.0  # overall rubric score an attempt needs


def passes(overall: float | None, auto_fail: bool) -> bool:
    """Tell whether one practice attempt passes: at least PASS_MARK overall and no critical fail."""
    return overall is not None and overall >= PASS_MARK and not auto_fail


@dataclass(frozen=True)
class Progress:
    """How far a trainee is towards certification."""

    core: tuple[str, ...]
    passed: tuple[str, ...]  # core scenarios passed at least once

    @property
    def remaining(self) -> tuple[str, ...]:
        return tuple(key for key in self.core if key not in self.passed)

    @property
    def certified(self) -> bool:
        return bool(self.core) and not self.remaining

    @property
    def share(self) -> float:
        return len(self.passed) / len(self.core) if self.core else 0.0


def progress(core: Iterable[str], attempts: Iterable[tuple[str, float | None, bool]]) -> Progress:
    """Return progress from the core scenario keys and attempts as (scenario key, overall, auto_fail)."""
    core = tuple(core)
    passed = {key for key, overall, auto_fail in attempts if passes(overall, auto_fail)}
    return Progress(core=core, passed=tuple(key for key in core if key in passed))


RULE = (f"Certified when every core scenario has been passed at least once: an overall score of at least "
        f"{PASS_MARK:.0f} with no critical fail.")
