"""What grading returns: one :class:`Criterion` per check, gathered in a :class:`Grade`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Criterion", "Grade"]


@dataclass(frozen=True)
class Criterion:
    """One graded criterion.

    Attributes
    ----------
    name : str
        Short identifier (``model_card``).
    part : str
        ``Part 1``, ``Part 2``, ``Part 3`` or ``Exam``.
    title : str
        What is checked, in a few words.
    passed : bool
    reason : str
        Why, with the facts (file, numbers, verdict).
    """

    name: str
    part: str
    title: str
    passed: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """The criterion as plain data."""
        return {
            "name": self.name,
            "part": self.part,
            "title": self.title,
            "passed": self.passed,
            "reason": self.reason,
        }


@dataclass
class Grade:
    """The outcome of grading one workspace.

    Attributes
    ----------
    directory : pathlib.Path
    seed : int
    criteria : list of Criterion
        In the order of the exam.
    facts : dict
        Everything measured: scores with intervals, verdicts, the leaderboard,
        the planted cause, the time (the content of ``grade.json`` besides the criteria).
    """

    directory: Path
    seed: int
    criteria: list[Criterion]
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether every criterion passed."""
        return all(c.passed for c in self.criteria)

    @property
    def exit_code(self) -> int:
        """0 when every criterion passed, 1 otherwise."""
        return 0 if self.passed else 1

    def failed(self) -> list[Criterion]:
        """The criteria that failed."""
        return [c for c in self.criteria if not c.passed]

    def as_dict(self) -> dict[str, Any]:
        """``grade.json``: the criteria and the facts."""
        return {
            "seed": self.seed,
            "passed": self.passed,
            "criteria": [c.as_dict() for c in self.criteria],
            **self.facts,
        }
