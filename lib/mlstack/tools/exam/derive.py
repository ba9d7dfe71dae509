"""Everything an exam is, derived from one seed.

:func:`build_exam` derives a whole exam from its seed: the Part 1 table, its
train/test split, the test labels and which test rows are public; the Part 2
table, the planted cause and its three files. Nothing else is random, so the
grader re-derives the answers from the seed recorded in ``exam.json`` instead
of reading them from the workspace, where the learner could see them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from mlstack.errors import InputError
from mlstack.tools.exam.pool import PART1_POOL, SCENARIO_BASES, Table, load_table
from mlstack.tools.exam.rules import ID_COLUMN
from mlstack.tools.exam.scenarios import SCENARIO_KINDS, Scenario, plant

__all__ = ["Exam", "Part1", "build_exam", "build_part1", "check_seed", "draw"]

TEST_SHARE = 0.25


@dataclass(frozen=True)
class Part1:
    """Part 1 of an exam: the files, and the answers kept from the learner.

    Attributes
    ----------
    table : Table
    train : pandas.DataFrame
        ``train.csv``: the features and the target.
    test : pandas.DataFrame
        ``test.csv``: ``row_id`` and the features.
    answers : pandas.Series
        The target of each test row, in the order of ``test``.
    public : numpy.ndarray of bool
        Which test rows the leaderboard scores; the grade uses the others.
    """

    table: Table
    train: pd.DataFrame
    test: pd.DataFrame
    answers: pd.Series
    public: np.ndarray

    @property
    def classes(self) -> list[str]:
        """The labels of a classification target, sorted."""
        return sorted(self.train[self.table.target].astype(str).unique())


@dataclass(frozen=True)
class Exam:
    """A whole exam, derived from ``seed`` by :func:`build_exam`."""

    seed: int
    part1: Part1
    part2: Scenario


def _generators(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    first, second = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(first), np.random.default_rng(second)


def check_seed(seed: Any) -> int:
    """Return ``seed`` as an int, or raise :class:`InputError` if it is not a whole number from 0."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"--seed {seed!r}: give a whole number from 0", parameter="seed")
    return int(seed)


def _pick(rng: np.random.Generator, options: tuple) -> Any:
    return options[int(rng.integers(len(options)))]


def draw(seed: int) -> tuple[Table, str, Table]:
    """What ``seed`` draws, without building anything: Part 1's table, Part 2's cause and table.

    Examples
    --------
    >>> table, kind, base = draw(0)
    >>> kind in SCENARIO_KINDS and base in SCENARIO_BASES[kind] and table in PART1_POOL
    True
    """
    first, second = _generators(check_seed(seed))
    kind = _pick(second, SCENARIO_KINDS)
    return _pick(first, PART1_POOL), kind, _pick(second, SCENARIO_BASES[kind])


def _stratified_split(
    frame: pd.DataFrame, labels: pd.Series | None, test_size: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    try:
        return train_test_split(frame, test_size=test_size, random_state=seed, stratify=labels)
    except ValueError:  # a class too rare to stratify on
        return train_test_split(frame, test_size=test_size, random_state=seed)


def build_part1(table: Table, rng: np.random.Generator) -> Part1:
    """Part 1 from ``table``: a stratified 75/25 split, test rows shuffled and numbered, public half.

    Examples
    --------
    >>> part1 = build_part1(PART1_POOL[4], np.random.default_rng(0))
    >>> len(part1.train), len(part1.test), int(part1.public.sum())
    (981, 328, 164)
    """
    frame = load_table(table, seed=int(rng.integers(2**31 - 1)))
    labels = frame[table.target] if table.task != "regression" else None
    train, test = _stratified_split(frame, labels, TEST_SHARE, int(rng.integers(2**31 - 1)))
    test = test.sample(frac=1.0, random_state=int(rng.integers(2**31 - 1)))
    answers = test[table.target].reset_index(drop=True)
    test = test.drop(columns=[table.target]).reset_index(drop=True)
    test.insert(0, ID_COLUMN, np.arange(1, len(test) + 1))
    positions = pd.DataFrame({"position": np.arange(len(test))})
    halves = answers if table.task != "regression" else None
    public_rows, _ = _stratified_split(positions, halves, 0.5, int(rng.integers(2**31 - 1)))
    public = np.zeros(len(test), dtype=bool)
    public[public_rows["position"].to_numpy()] = True
    return Part1(table, train.reset_index(drop=True), test, answers, public)


@functools.lru_cache(maxsize=4)
def build_exam(seed: int) -> Exam:
    """Derive the whole exam of ``seed``: the same seed always gives the same exam.

    The last few exams are kept in memory (grading and submitting derive them again);
    treat the frames as read-only.

    Examples
    --------
    >>> exam = build_exam(7)
    >>> len(exam.part1.test) == len(exam.part1.answers), exam.part2.kind in SCENARIO_KINDS
    (True, True)
    """
    seed = check_seed(seed)
    first, second = _generators(seed)
    table = _pick(first, PART1_POOL)
    kind = _pick(second, SCENARIO_KINDS)
    base = _pick(second, SCENARIO_BASES[kind])
    return Exam(seed, build_part1(table, first), plant(kind, base, second))
