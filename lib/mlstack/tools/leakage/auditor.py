"""Audit a train/test pair for the causes of "great validation, terrible test".

A model that scores well in validation and badly on a separate test set has almost
always learned something that will not be there at prediction time. :func:`audit` looks
for each common cause in the data itself and returns
:class:`~mlstack.tools.leakage.findings.Finding` objects, most severe first and, within
a severity, strongest evidence first:

``duplicate_rows`` (:mod:`~mlstack.tools.leakage.duplicates`)
    Test rows that also appear in train (exactly, and once more ignoring identifier
    columns), told apart as copies (made across or before the split) or as the natural
    repeats of a coarse table.
``group_overlap``, ``temporal_overlap`` (:mod:`~mlstack.tools.leakage.overlap`)
    Entities (the ``group`` column, or a column that looks like one) present on both
    sides; with ``time``, test rows that are not strictly after the training period.
``target_proxy``, ``identifier`` (:mod:`~mlstack.tools.leakage.proxies`)
    Families of columns that alone predict the target almost perfectly in train (a
    column measured after the fact, or computed from the target), with how much of that
    signal survives on test; row-identifier-like columns that carry signal.
``distribution_shift`` (:mod:`~mlstack.tools.leakage.shift`)
    Train and test differ (an adversarial classifier separates them), with the columns
    that drive it. Not leakage, but the other common cause of a bad test score.

Every threshold is a module constant of the check that uses it, with its reason in
that module's docstring. Overlap shares follow deepchecks (5% of the test rows is
``high``, the default at which its ``TrainTestSamplesMix`` condition fails; 1% is
``medium``; fewer than 5 rows are ``low`` whatever their share). Without ``time`` or
``group``, date columns and entity-like columns (``customer_id``, ``tailnum``) are still
checked, but an interleaved or shared one is only ``low``: whether it matters depends on
how the model will be used, which only the user knows. On a clean random split of an
ordinary table, nothing fires above ``low``.

Everything is vectorized: rows are hashed with :func:`pandas.util.hash_pandas_object`,
univariate scores come from ``bincount`` group sums and rank-based AUCs, and the
adversarial classifier runs on a subsample, so a million rows by fifty columns take
seconds.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from mlstack.tools.leakage.duplicates import check_duplicates

# The module once held everything; these names stay importable from it (notebook 11).
from mlstack.tools.leakage.findings import (
    KINDS,
    SEVERITIES,
    Finding,
    has_problems,
    rank_findings,
)
from mlstack.tools.leakage.formatting import format_findings
from mlstack.tools.leakage.overlap import check_groups, check_temporal
from mlstack.tools.leakage.preparation import (
    Pair,
    check_frame,
    holdout_note,
    internal_holdout,
    prepare,
    require_column,
)
from mlstack.tools.leakage.proxies import column_findings
from mlstack.tools.leakage.shift import check_shift

__all__ = [
    "KINDS",
    "SEVERITIES",
    "Finding",
    "audit",
    "audit_columns",
    "audit_files",
    "format_findings",
    "has_problems",
    "run_checks",
]

#: The checks :func:`audit` runs, in order, by the name their timings are recorded under.
CHECKS: tuple[tuple[str, Callable[[Pair, int], list[Finding]]], ...] = (
    ("duplicate_rows", check_duplicates),
    ("columns", column_findings),
    ("group_overlap", check_groups),
    ("temporal_overlap", check_temporal),
    ("distribution_shift", check_shift),
)


def audit(
    train: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    *,
    time: str | None = None,
    group: str | None = None,
    random_state: int = 0,
    timings: dict[str, float] | None = None,
) -> list[Finding]:
    """Audit a train/test pair for leakage and shift.

    Parameters
    ----------
    train, test : pandas.DataFrame
        The two sides of the split, with the target column on both.
    target : str
        Name of the target column.
    time : str, optional
        A time column (dates or numbers): test rows must come strictly after
        the training period. Without it, date-typed columns are still checked
        and an interleaved split is reported as ``low``.
    group : str, optional
        An entity column (patient, customer, aircraft): each entity must be on
        one side only. Without it, entity-like columns are checked at ``low``.
    random_state : int, default=0
        Seed of the subsamples and folds; the result is deterministic.
    timings : dict, optional
        If given, receives the wall seconds of each check by name (the
        benchmark's breakdown); the preparation is under ``"prepare"``.

    Returns
    -------
    list of Finding
        Most severe first; within a severity, highest :attr:`Finding.score` first.

    Raises
    ------
    InputError
        If a table is empty, the target (or ``time``/``group``) is missing on
        a side, or the tables share no feature column.

    See Also
    --------
    audit_columns : the column checks on a single table.
    audit_files : the same audit on CSV or Parquet files.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"x": rng.normal(size=400), "y": rng.integers(0, 2, 400)})
    >>> frame["leak"] = frame["y"] + rng.normal(scale=0.01, size=400)
    >>> findings = audit(frame[:300], frame[300:], "y")
    >>> [(f.kind, f.columns, f.severity) for f in findings]
    [('target_proxy', ['leak'], 'high')]
    """
    start = _time.perf_counter()
    pair = prepare(train, test, target, time=time, group=group)
    if timings is not None:
        timings["prepare"] = _time.perf_counter() - start
        pair.timings = timings
    return run_checks(pair, random_state)


def audit_columns(
    frame: pd.DataFrame,
    target: str,
    *,
    time: str | None = None,
    group: str | None = None,
    random_state: int = 0,
) -> list[Finding]:
    """Run the column checks (``identifier``, ``target_proxy``) on one table.

    The table is split internally, 75% / 25% (by time with ``time``, by group
    with ``group``, at random otherwise); scores are cross-fitted on the first
    part and checked for survival on the second. Use it to decide which columns
    to drop using the training data only (with
    :func:`~mlstack.tools.leakage.proxies.drops_proxy`, as ``mlstack exit-test`` does).

    Parameters
    ----------
    frame : pandas.DataFrame
        Training data, with the target column.
    target : str
        Name of the target column.
    time, group : str, optional
        As in :func:`audit`; they choose the internal split.
    random_state : int, default=0
        Seed of the internal split, subsamples and folds.

    Returns
    -------
    list of Finding
        Only ``identifier`` and ``target_proxy`` findings, most severe first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"row_id": np.arange(500), "x": rng.normal(size=500)})
    >>> frame["y"] = (frame["row_id"] > 250).astype(int)  # rows sorted by the target
    >>> [(f.kind, f.columns, f.severity) for f in audit_columns(frame, "y")]
    [('identifier', ['row_id'], 'high')]
    """
    check_frame(frame, "the table", target)
    for name in (time, group):
        if name is not None and name not in frame.columns:
            require_column(frame, name, "the table")
    holdout = internal_holdout(frame, time=time, group=group, random_state=random_state)
    if len(frame) < 40 or holdout.sum() < 10:
        part_a, part_b = frame, frame.iloc[:0]
    else:
        part_a, part_b = frame[~holdout], frame[holdout]
    pair = prepare(part_a, part_b, target, time=time, group=group, allow_empty_test=True)
    pair.holdout_note = holdout_note(time, group) if len(part_b) else "none (table too small)"
    return rank_findings(column_findings(pair, random_state))


def audit_files(
    train_path: str | Path,
    test_path: str | Path,
    target: str,
    *,
    time: str | None = None,
    group: str | None = None,
    random_state: int = 0,
) -> list[Finding]:
    """Read two CSV or Parquet files with :func:`mlstack.utils.tables.read_table` and audit them.

    Raises
    ------
    InputError
        A one-line message for a missing or unreadable file, an empty table, a
        target missing on either side, or no common columns; its ``path`` names
        the file.
    """
    from mlstack.utils.tables import read_table

    train = read_table(train_path)
    test = read_table(test_path)
    names = (str(train_path), str(test_path))
    pair = prepare(
        train, test, target, time=time, group=group, names=names, paths=(train_path, test_path)
    )
    return run_checks(pair, random_state)


def run_checks(pair: Pair, random_state: int) -> list[Finding]:
    """Run every check of :data:`CHECKS` on a prepared pair; return the ranked findings."""
    findings: list[Finding] = []
    for name, check in CHECKS:
        start = _time.perf_counter()
        findings.extend(check(pair, random_state))
        if pair.timings is not None:
            pair.timings[name] = _time.perf_counter() - start
    return rank_findings(findings)
