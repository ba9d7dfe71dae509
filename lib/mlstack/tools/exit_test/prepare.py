"""Everything decided before any model is fitted: read, validate, hold out the test set, pick columns.

:func:`prepare` runs the steps in order; each bad input raises
:class:`~mlstack.errors.InputError` before anything is fitted or written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mlstack.errors import InputError
from mlstack.tools.exit_test.columns import audit_overlap, plan_columns
from mlstack.tools.exit_test.reading import (
    as_time,
    check_test_schema,
    dataset_name,
    fingerprint,
    read_input,
)
from mlstack.tools.exit_test.result import Prepared
from mlstack.tools.exit_test.splitting import (
    MIN_SPLITS,
    MIN_TEST_ROWS,
    MIN_TRAIN_ROWS,
    carve_test,
    check_class_sizes,
    check_group_count,
)
from mlstack.tools.exit_test.tasks import infer_task
from mlstack.utils.tables import require_columns

__all__ = ["prepare"]


@dataclass
class _Tables:
    """The tables as read, and the log of what was decided so far."""

    frame: pd.DataFrame
    label: str
    test: pd.DataFrame | None
    test_label: str
    warnings: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)


def _read(data: Any, test: Any, target: str, time: str | None, group: str | None) -> _Tables:
    frame, label = read_input(data, "data")
    require_columns(frame, [target] + [c for c in (time, group) if c], where=label)
    named = [c for c in (target, time, group) if c is not None]
    if len(set(named)) < len(named):
        raise InputError(
            f"target={target!r}, time={time!r} and group={group!r} must name different columns",
            parameter="target",
        )
    tables = _Tables(frame, label, None, "")
    if test is not None:
        test_frame, tables.test_label = read_input(test, "test")
        check_test_schema(frame, test_frame, tables.test_label)
        tables.test = test_frame[list(frame.columns)]
    return tables


def _known_target(tables: _Tables, target: str) -> None:
    """Drop the rows without a target (with a warning); refuse a missing or constant one."""
    frame, label = tables.frame, tables.label
    y = frame[target]
    if y.isna().all():
        raise InputError(
            f"{label}: target {target!r} is missing on every row",
            column=target,
            parameter="target",
        )
    n_missing = int(y.isna().sum())
    if n_missing:
        tables.frame = frame = frame[y.notna()]
        tables.warnings.append(
            f"{n_missing} rows of DATA have no value for the target {target!r}; they were dropped"
        )
    if frame[target].nunique() < 2:
        raise InputError(
            f"{label}: target {target!r} is constant ({frame[target].iloc[0]!r}); "
            "there is nothing to predict",
            column=target,
            parameter="target",
        )


def _typed(frame: pd.DataFrame, target: str, task: str, time: str | None, label: str):
    if task != "regression" and not pd.api.types.is_numeric_dtype(frame[target]):
        frame = frame.assign(**{target: frame[target].astype(str)})
    if time is not None:
        frame = frame.assign(**{time: as_time(frame[time], label)})
    return frame


def _carve(tables: _Tables, target: str, task: str, time, group, seed: int):
    frame, label = tables.frame, tables.label
    if len(frame) < MIN_TRAIN_ROWS + MIN_TEST_ROWS:
        raise InputError(
            f"{label}: {len(frame)} rows with a known target; {MIN_SPLITS}-fold "
            f"cross-validation and a held-out test set need at least "
            f"{MIN_TRAIN_ROWS + MIN_TEST_ROWS}",
            path=label if label != "data" else None,
            parameter="data",
        )
    if task != "regression":
        check_class_sizes(frame[target], MIN_SPLITS + 1, label)
    if group is not None:
        check_group_count(frame[group], MIN_SPLITS + 1, label)
    train, test, how = carve_test(frame, target, task, time, group, seed)
    tables.decisions.append(f"Test set: carved out first, {how}.")
    return train, test, how


def _given_test(tables: _Tables, target: str, task: str, time):
    test = tables.test
    n_missing = int(test[target].isna().sum())
    if n_missing:
        test = test[test[target].notna()]
        tables.warnings.append(
            f"{n_missing} rows of the test table have no target value; they are not scored"
        )
    if len(test) == 0:
        raise InputError(
            f"{tables.test_label}: no test row has a target value", column=target, parameter="test"
        )
    test = _typed(test, target, task, time, tables.test_label)
    tables.decisions.append(
        "Test set: the given test table, untouched until the single final evaluation."
    )
    return tables.frame, test, "given: the test table"


def _check_training_part(tables: _Tables, train, test, target, task, group) -> None:
    label = tables.label
    if len(train) < MIN_TRAIN_ROWS:
        raise InputError(
            f"{label}: {len(train)} training rows with a known target; {MIN_SPLITS}-fold "
            f"cross-validation needs at least {MIN_TRAIN_ROWS}",
            parameter="data",
        )
    if len(test) < MIN_TEST_ROWS and tables.test is None:
        raise InputError(
            f"{label}: only {len(test)} test rows; need {MIN_TEST_ROWS}", parameter="data"
        )
    if task != "regression":
        check_class_sizes(train[target], MIN_SPLITS, label)
        unseen = sorted(set(test[target].astype(str)) - set(train[target].astype(str)))
        if unseen:
            tables.warnings.append(f"test classes never seen in training: {unseen[:5]}")
    if group is not None:
        check_group_count(train[group], MIN_SPLITS, label)


def prepare(
    data: Any,
    target: str,
    *,
    test: Any = None,
    task: str = "auto",
    time: str | None = None,
    group: str | None = None,
    seed: int = 0,
) -> Prepared:
    """Read, validate and split the data, and decide which columns to drop and why.

    Every bad input raises :class:`~mlstack.errors.InputError` here, before any model
    is fitted or any file written. Parameters are those of
    :func:`~mlstack.tools.exit_test.run.exit_test`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"x": rng.normal(size=200), "y": rng.choice(["a", "b"], 200)})
    >>> prepared = prepare(frame, "y")
    >>> prepared.task, len(prepared.X_train), len(prepared.X_test)
    ('binary', 160, 40)
    """
    tables = _read(data, test, target, time, group)
    fingerprints = {"DATA": fingerprint(tables.frame)}
    if tables.test is not None:
        fingerprints["TESTDATA"] = fingerprint(tables.test)
    _known_target(tables, target)
    task, task_reason = infer_task(tables.frame[target], task)
    tables.decisions.append(f"Task: **{task}**, because {task_reason}.")
    tables.frame = _typed(tables.frame, target, task, time, tables.label)
    if tables.test is None:
        train, test_part, split_how = _carve(tables, target, task, time, group, seed)
    else:
        train, test_part, split_how = _given_test(tables, target, task, time)
    _check_training_part(tables, train, test_part, target, task, group)
    plan = plan_columns(train, target, time=time, group=group, seed=seed)
    overlap, overlap_warnings = audit_overlap(
        train, test_part, target, time=time, group=group, seed=seed
    )
    features = [c for c in train.columns if c != target and c not in plan.dropped]
    if plan.dropped:
        tables.decisions.append(
            "Dropped columns: "
            + "; ".join(f"`{name}` ({reason})" for name, reason in plan.dropped.items())
            + "."
        )
    if not features:
        raise InputError(
            f"{tables.label}: no feature column is left after dropping {sorted(plan.dropped)}; "
            "the table needs at least one usable column besides the target",
            parameter="data",
        )
    if time is not None:
        train = train.sort_values(time, kind="mergesort")
    return Prepared(
        name=dataset_name(data),
        source=str(data) if not isinstance(data, pd.DataFrame) else "a DataFrame",
        task=task,
        task_reason=task_reason,
        target=target,
        time=time,
        group=group,
        X_train=train[features],
        y_train=train[target],
        X_test=test_part[features],
        y_test=test_part[target],
        groups_train=train[group] if group is not None else None,
        split_how=split_how,
        dropped=plan.dropped,
        warnings=tables.warnings + plan.warnings + overlap_warnings,
        decisions=tables.decisions,
        findings=plan.findings,
        overlap=overlap,
        fingerprints=fingerprints,
        coerce=[c for c in plan.coerce if c in features],
        train_frame=train,
    )
