"""Audit a train/test pair for the causes of "great validation, terrible test".

A model that scores well in validation and badly on a separate test set has
almost always learned something that will not be there at prediction time.
:func:`audit` looks for each common cause in the data itself and returns
:class:`Finding` objects, most severe first:

``duplicate_rows``
    Test rows that also appear in train (exactly, and once more ignoring
    identifier columns). The model is graded on rows it memorized.
``group_overlap``
    Entities (the ``group`` column, or a column that looks like one) present on
    both sides. The model is graded on entities it has already seen.
``temporal_overlap``
    With ``time``: test rows that are not strictly after the training period.
    The model is graded on the past, with knowledge of the future.
``target_proxy``
    A feature that alone predicts the target almost perfectly in train (a
    column measured after the fact, or computed from the target), with how much
    of that signal survives on test.
``identifier``
    A row-identifier-like column (unique or nearly so) that carries signal
    about the target, usually because the rows were ordered by time or by the
    target before the IDs were assigned.
``distribution_shift``
    Train and test differ (an adversarial classifier separates them), with the
    columns that drive it. Not leakage, but the other common cause of a bad
    test score, so it is named separately.

Thresholds
----------
Every threshold is a module constant, chosen as follows.

- Overlap shares (duplicates, groups, time): **5%** of the test rows is
  ``high``, the default at which deepchecks' ``TrainTestSamplesMix`` condition
  fails; **1%** is ``medium`` (enough rows to move a score in the second
  decimal); anything above zero is ``low``. Fewer than **5 rows** are ``low``
  whatever their share: they cannot move a score measurably.
- Identical rows also occur naturally in tables with few distinct values per
  column (survey answers, rounded readings). Copies of records match on every
  column, while natural repeats come with many rows that match on all columns
  but one; when at least **15%** of the test rows without an identical train
  row have such a near duplicate, ``duplicate_rows`` is only ``low``.
- Univariate scores are cross-fitted: each training row is scored by a
  per-bin target mean learned on the other folds (5 folds, about 20 rows per
  quantile bin, 10 to 100 bins, smoothed), so a high-cardinality column cannot look predictive by
  memorizing itself. They are read as a *strength* in [0, 1]: the Gini
  ``2 * AUC - 1`` for classification (macro one-vs-rest for several classes);
  for regression ``sqrt(rank_r2)``, where ``rank_r2`` is the squared
  correlation of the cross-fitted prediction with the target's *ranks*, so a
  skewed target or a few outliers cannot hide a column that orders the rows
  perfectly. A
  signal counts only when it is at least **4** standard errors above chance.
- ``target_proxy``: strength **0.98** (AUC 0.99, rank R2 0.96) is ``high`` on its
  own: the target is then nearly a function of the column, as when it was
  computed from it. Strength **0.7** (AUC 0.85, rank R2 0.49) is strong: ``high``
  when the test set keeps less than half of it (the signature of a column
  filled in after the fact), ``medium`` when it reaches **0.9** (AUC 0.95) and
  towers over every other column (2x the runner-up), ``low`` otherwise; good
  features are strong too, so a strong column alone is only a question to ask.
  A column of strength **0.5** that loses more than half of it on test is
  ``medium``. Deepchecks uses a similar pair of rules (train predictive power
  above 0.7, or a train-test drop above 0.2).
- ``identifier``: strength **0.5** (AUC 0.75) is ``high``, **0.2** (AUC 0.6)
  ``medium``; an identifier without signal is ``low`` (drop it anyway).
- ``distribution_shift``: the cross-validated AUC of a gradient-boosting
  classifier that tells test rows from train rows. **0.8** is ``high``,
  **0.625** ``medium`` (a drift score ``2 * AUC - 1`` of 0.25, the default at
  which deepchecks' multivariate drift condition fails), **0.55** ``low``.
  With ``time``, the time column and the columns that move with it (month,
  day of year: rank correlation 0.9 or more) are left out, since a split by
  time separates them by construction.
- Without ``time`` or ``group``, date columns and entity-like columns
  (``customer_id``, ``tailnum``) are still checked, but an interleaved or
  shared one is only ``low``: whether it matters depends on how the model
  will be used, which only the user knows.

On a clean random split of an ordinary table, none of these fire above
``low``. Everything is vectorized: rows are hashed with
:func:`pandas.util.hash_pandas_object`, univariate scores come from
``bincount`` group sums and rank-based AUCs, and the adversarial classifier is
a :class:`~sklearn.ensemble.HistGradientBoostingClassifier` on a subsample, so
a million rows by fifty columns take seconds.
"""

from __future__ import annotations

import math
import re
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError

__all__ = [
    "KINDS",
    "SEVERITIES",
    "Finding",
    "audit",
    "audit_columns",
    "audit_files",
    "format_findings",
    "has_problems",
]

#: Severities, most severe first.
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")

#: Finding kinds, in the order the audit runs them.
KINDS: tuple[str, ...] = (
    "duplicate_rows",
    "group_overlap",
    "temporal_overlap",
    "target_proxy",
    "identifier",
    "distribution_shift",
)

# Overlap shares of test rows (duplicates, shared groups, time overlap).
SHARE_HIGH = 0.05  # deepchecks TrainTestSamplesMix fails above 5%
SHARE_MEDIUM = 0.01
SHARE_MIN_ROWS = 5  # fewer rows than this cannot move a test score measurably: low at most
NATURAL_NEAR_SHARE = (
    0.15  # share of non-duplicate test rows with a near duplicate: natural repeats
)

# Univariate strengths (Gini 2*AUC-1 for classification, sqrt(R2) for regression).
PROXY_PERFECT = 0.98  # AUC 0.99 / rank R2 0.96: the target is nearly a function of it: high
PROXY_DOMINANT = 0.9  # AUC 0.95 / rank R2 0.81: medium when it towers over every other column
PROXY_STRONG = 0.7  # AUC 0.85 / rank R2 0.49
PROXY_DROP_MIN = 0.5  # a column this strong that does not survive on test is reported
PROXY_RETAINED = 0.5  # test keeps less than half of the train strength: it did not survive
PROXY_DOMINANCE = 2.0  # at least twice the runner-up's strength
IDENTIFIER_HIGH = 0.5  # AUC 0.75
IDENTIFIER_MEDIUM = 0.2  # AUC 0.6
MIN_Z = 4.0  # standard errors above chance for a signal to count

# Adversarial validation AUC.
SHIFT_HIGH = 0.8
SHIFT_MEDIUM = 0.625  # drift score 2*AUC-1 = 0.25, deepchecks' default condition
SHIFT_LOW = 0.55

# Sizes: enough rows for stable scores, few enough for seconds on a laptop.
_SCORE_ROWS = 100_000  # rows of each side used for univariate scores
_SHIFT_ROWS = 20_000  # rows of each side used for adversarial validation
_NEAR_ROWS = 200_000  # train rows searched for near duplicates (a quarter as many test rows)
_FOLDS = 5
_MAX_BINS = 100
_SMOOTHING = 5.0
_MAX_CLASSES = 20
_MIN_HOLDOUT = 30  # rows per class (or rows) needed to trust a test score

_ID_NAME = re.compile(
    r"(^|[^a-z])(id|ids|idx|index|key|uuid|guid|rownames?|row|record|serial|unnamed: ?\d+)([^a-z]|$)"
    r"|[a-z]Id$|ID$",
)
_ENTITY_NAME = re.compile(
    r"(user|customer|client|patient|subject|person|participant|member|account|household|"
    r"family|player|team|driver|session|student|school|hospital|site|store|shop|device|"
    r"machine|sensor|vehicle|plane|aircraft|tail|owner|author|artist|company|firm|entity|"
    r"group|cluster|(^|[^a-z])id([^a-z]|$)|[a-z]Id$|ID$)",
    re.IGNORECASE,
)
_TIME_NAME = re.compile(r"(date|time|timestamp|(^|_)dt($|_)|_at$|day$)", re.IGNORECASE)

_ADVICE = {
    "duplicate_rows": (
        "Remove test rows that also appear in train (drop_duplicates before splitting), and "
        "oversample or augment only inside the training folds, never before the split."
    ),
    "group_overlap": (
        "Split by group so each entity is on one side only (GroupShuffleSplit for the test "
        "set, GroupKFold for cross-validation)."
    ),
    "temporal_overlap": (
        "Split by time: train on the past, test on a strictly later period, and cross-validate "
        "with TimeSeriesSplit on rows sorted by time."
    ),
    "target_proxy": (
        "Check when this column becomes known: if only after the outcome (or if it is computed "
        "from the target), drop it; if it is genuinely available at prediction time, keep it and "
        "say so in the model card."
    ),
    "identifier": (
        "Drop this column: an identifier has no causal meaning, and any signal it carries comes "
        "from how the rows were ordered or numbered."
    ),
    "distribution_shift": (
        "Train and test come from different distributions: compare the listed columns, train on "
        "data like the deployment data (or reweight), and expect the test score to differ from "
        "cross-validation."
    ),
}


@dataclass(frozen=True)
class Finding:
    """One problem the audit found.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    columns : list of str
        The columns involved (empty when the finding is about whole rows).
    severity : {"high", "medium", "low"}
        ``high`` and ``medium`` make ``mlstack leakage`` exit with status 1.
    evidence : dict
        The numbers behind the finding (JSON-serializable).
    advice : str
        What to do about it.
    """

    kind: str
    columns: list[str]
    severity: str
    evidence: dict[str, Any] = field(default_factory=dict)
    advice: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as a JSON-serializable dict."""
        return {
            "kind": self.kind,
            "columns": list(self.columns),
            "severity": self.severity,
            "evidence": dict(self.evidence),
            "advice": self.advice,
        }

    def describe(self) -> str:
        """Return the evidence as one short line of text."""
        return _describe(self)


def has_problems(findings: list[Finding]) -> bool:
    """Return True when a finding is of ``medium`` or ``high`` severity."""
    return any(f.severity in ("high", "medium") for f in findings)


# --------------------------------------------------------------------------------------------
# public entry points


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
        Sorted most severe first, then by kind and columns.

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
    pair = _prepare(train, test, target, time=time, group=group)
    if timings is not None:
        timings["prepare"] = _time.perf_counter() - start
        pair.timings = timings
    return _run(pair, random_state)


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
    to drop using the training data only.

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
    _check_frame(frame, "the table", target)
    for name in (time, group):
        if name is not None and name not in frame.columns:
            _missing(frame, name, "the table")
    n = len(frame)
    holdout = _internal_holdout(frame, time=time, group=group, random_state=random_state)
    if n < 40 or holdout.sum() < 10:
        part_a, part_b = frame, frame.iloc[:0]
    else:
        part_a, part_b = frame[~holdout], frame[holdout]
    pair = _prepare(part_a, part_b, target, time=time, group=group, allow_empty_test=True)
    pair.holdout_note = _holdout_note(time, group) if len(part_b) else "none (table too small)"
    findings = _column_findings(pair, random_state)
    return _sorted(findings)


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
        target missing on either side, or no common columns.
    """
    from mlstack.utils.tables import read_table

    train = read_table(train_path)
    test = read_table(test_path)
    names = (str(train_path), str(test_path))
    pair = _prepare(train, test, target, time=time, group=group, names=names)
    return _run(pair, random_state)


# --------------------------------------------------------------------------------------------
# preparation: validation, dtype harmonization, column kinds


@dataclass
class _Pair:
    train: pd.DataFrame
    test: pd.DataFrame
    target: str
    features: list[str]
    kinds: dict[str, str]
    time: str | None
    group: str | None
    names: tuple[str, str]
    holdout_note: str = "the test set"
    cache: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] | None = None


def _missing(frame: pd.DataFrame, column: str, where: str) -> None:
    from mlstack.utils.tables import require_columns

    require_columns(frame, [column], where=where)


def _check_frame(frame: pd.DataFrame, where: str, target: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{where}: expected a pandas DataFrame, got {type(frame).__name__}")
    if len(frame) == 0 or frame.shape[1] == 0:
        raise InputError(f"{where}: the table is empty")
    if frame.columns.duplicated().any():
        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InputError(f"{where}: duplicate column names {repeated}; rename them")
    if target not in frame.columns:
        _missing(frame, target, where)


def _prepare(
    train: pd.DataFrame,
    test: pd.DataFrame,
    target: str,
    *,
    time: str | None,
    group: str | None,
    names: tuple[str, str] = ("train", "test"),
    allow_empty_test: bool = False,
) -> _Pair:
    _check_frame(train, names[0], target)
    if allow_empty_test and len(test) == 0:
        pass
    else:
        _check_frame(test, names[1], target)
    for name in (time, group):
        if name is None:
            continue
        for frame, where in ((train, names[0]), (test, names[1])):
            if name not in frame.columns:
                _missing(frame, name, where)
    features = [c for c in train.columns if c in set(test.columns) and c != target]
    if not features:
        raise InputError(
            f"{names[0]} and {names[1]} share no column besides the target {target!r}; "
            "check that both files come from the same table"
        )
    columns = [*features, target]
    train = train[columns].reset_index(drop=True)
    test = test[columns].reset_index(drop=True)
    kinds = {}
    for column in columns:
        train_col, test_col = _harmonize(train[column], test[column])
        if column != target and _kind(train_col) == "categorical":
            train_col, test_col = _dates_if_dates(train_col, test_col)
        train[column], test[column] = train_col, test_col
        kinds[column] = _kind(train_col)
    if time is not None:
        train[time], test[time] = _as_time(train[time], test[time], time, names)
        kinds[time] = (
            "datetime" if pd.api.types.is_datetime64_any_dtype(train[time]) else "numeric"
        )
    return _Pair(train, test, target, features, kinds, time, group, names)


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def _harmonize(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Give a column the same dtype on both sides, so values compare and hash alike."""
    if a.dtype == b.dtype and not isinstance(a.dtype, pd.CategoricalDtype):
        return a, b
    if _is_numeric(a) and _is_numeric(b) and not isinstance(a.dtype, pd.CategoricalDtype):
        return _to_float(a), _to_float(b)
    if pd.api.types.is_datetime64_any_dtype(a) and pd.api.types.is_datetime64_any_dtype(b):
        return _naive_utc(a), _naive_utc(b)
    if isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype):
        if a.dtype == b.dtype:
            return a, b
    return a.astype(str), b.astype(str)


def _to_float(series: pd.Series) -> pd.Series:
    return pd.Series(series.to_numpy(dtype="float64", na_value=np.nan), name=series.name)


def _naive_utc(series: pd.Series) -> pd.Series:
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series.astype("datetime64[ns]")


def _kind(series: pd.Series) -> str:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if _is_numeric(series) or pd.api.types.is_timedelta64_dtype(series):
        return "numeric"
    return "categorical"


def _as_time(
    a: pd.Series, b: pd.Series, name: str, names: tuple[str, str]
) -> tuple[pd.Series, pd.Series]:
    """Read the time column as datetimes (or plain numbers) on both sides."""
    if pd.api.types.is_datetime64_any_dtype(a) and pd.api.types.is_datetime64_any_dtype(b):
        return _naive_utc(a), _naive_utc(b)
    if _is_numeric(a) and _is_numeric(b):
        return _to_float(a), _to_float(b)
    out = []
    for series, where in ((a, names[0]), (b, names[1])):
        if pd.api.types.is_datetime64_any_dtype(series):
            out.append(_naive_utc(series))
            continue
        parsed = _parse_dates(series)
        bad = int(parsed.isna().sum() - series.isna().sum())
        if bad > 0.01 * max(series.notna().sum(), 1):
            raise InputError(
                f"{where}: time column {name!r} has {bad} values that are neither dates nor "
                "numbers; pass a date or numeric column to --time"
            )
        out.append(parsed)
    return out[0], out[1]


_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def _dates_if_dates(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a text column as datetimes when it holds dates (CSV files store them as text)."""
    if isinstance(a.dtype, pd.CategoricalDtype):
        return a, b
    head = a.dropna().head(200).astype(str)
    if len(head) == 0 or not head.str.match(_DATE_LIKE).all():
        return a, b
    parsed = []
    for series in (a, b):
        dates = _parse_dates(series)
        if (dates.isna() & series.notna()).sum() > 0.01 * max(series.notna().sum(), 1):
            return a, b
        parsed.append(dates)
    return parsed[0], parsed[1]


def _parse_dates(series: pd.Series) -> pd.Series:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(series, errors="coerce")
        except (TypeError, ValueError):
            parsed = pd.to_datetime(series, errors="coerce", utc=True)
    if not pd.api.types.is_datetime64_any_dtype(parsed):
        parsed = pd.to_datetime(series, errors="coerce", utc=True)
    return _naive_utc(parsed)


# --------------------------------------------------------------------------------------------
# running the checks


def _run(pair: _Pair, random_state: int) -> list[Finding]:
    checks: list[tuple[str, Callable[[_Pair, int], list[Finding]]]] = [
        ("duplicate_rows", _check_duplicates),
        ("columns", _column_findings),
        ("group_overlap", _check_groups),
        ("temporal_overlap", _check_temporal),
        ("distribution_shift", _check_shift),
    ]
    findings: list[Finding] = []
    for name, check in checks:
        start = _time.perf_counter()
        findings.extend(check(pair, random_state))
        if pair.timings is not None:
            pair.timings[name] = _time.perf_counter() - start
    return _sorted(findings)


def _sorted(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by kind and columns; column names as strings."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    named = [
        Finding(f.kind, [str(c) for c in f.columns], f.severity, f.evidence, f.advice)
        for f in findings
    ]
    return sorted(named, key=lambda f: (order[f.severity], f.kind, f.columns))


def _severity(share: float, count: int) -> str:
    if count < SHARE_MIN_ROWS:
        return "low"
    if share >= SHARE_HIGH:
        return "high"
    if share >= SHARE_MEDIUM:
        return "medium"
    return "low"


def _sample_index(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))


def _r(value: float, digits: int = 4) -> float:
    return float(round(float(value), digits))


# --------------------------------------------------------------------------------------------
# identifier-like columns (shared by duplicates, column checks and adversarial validation)


def _integer_valued(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_integer_dtype(series):
        return True
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        values = values[~np.isnan(values)]
        return bool(len(values)) and bool(np.all(values == np.round(values)))
    return False


def _identifiers(pair: _Pair) -> dict[str, str]:
    """Return the identifier-like columns with the reason each one qualifies."""
    if "identifiers" in pair.cache:
        return pair.cache["identifiers"]
    found: dict[str, str] = {}
    train = pair.train
    for column in pair.features:
        if column in (pair.time, pair.group) or pair.kinds[column] == "datetime":
            continue
        series = train[column]
        present = series.dropna()
        if len(present) < 20:
            continue
        categorical = pair.kinds[column] == "categorical"
        if not categorical and not _integer_valued(series):
            continue
        unique_share = present.nunique() / len(present)
        named = bool(_ID_NAME.search(str(column)))
        if categorical and unique_share >= 0.9:
            found[column] = f"{unique_share:.0%} of its values are unique"
        elif not categorical and named and unique_share >= 0.9:
            found[column] = f"named like an identifier and {unique_share:.0%} unique"
        elif not categorical and unique_share >= 0.99:
            values = present.to_numpy(dtype="float64")
            span = values.max() - values.min() + 1
            if span > 0 and present.nunique() / span >= 0.5:
                found[column] = "unique consecutive integers, like a row number"
    pair.cache["identifiers"] = found
    return found


# --------------------------------------------------------------------------------------------
# duplicate_rows


def _check_duplicates(pair: _Pair, random_state: int) -> list[Finding]:
    columns = [*pair.features, pair.target]
    identifiers = [c for c in _identifiers(pair) if c in columns]
    kept = [c for c in columns if c not in identifiers]
    rng = np.random.default_rng(random_state)
    # Rows hash to the sum of weighted column hashes (mod 2**64), so one column can be
    # taken out of a row's hash with one subtraction (the near-duplicate test below).
    weights = rng.integers(1, 2**63, size=len(columns), dtype=np.uint64) * np.uint64(
        2
    ) + np.uint64(1)
    n_train, n_test = len(pair.train), len(pair.test)
    sub_train = _sample_index(n_train, _NEAR_ROWS, rng)
    sub_test = _sample_index(n_test, _NEAR_ROWS // 4, rng)
    exact_train = np.zeros(n_train, dtype=np.uint64)
    exact_test = np.zeros(n_test, dtype=np.uint64)
    loose_train, loose_test = exact_train.copy(), exact_test.copy()
    parts_train = np.empty((len(sub_train), len(kept)), dtype=np.uint64)
    parts_test = np.empty((len(sub_test), len(kept)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k, column in enumerate(columns):
            h_train = weights[k] * _hash(pair.train[column])
            h_test = weights[k] * _hash(pair.test[column])
            exact_train += h_train
            exact_test += h_test
            if column in kept:
                j = kept.index(column)
                loose_train += h_train
                loose_test += h_test
                parts_train[:, j], parts_test[:, j] = h_train[sub_train], h_test[sub_test]
    exact = _member(exact_test, np.sort(exact_train))
    sorted_loose = np.sort(loose_train)
    loose = _member(loose_test, sorted_loose) if identifiers else exact
    count, loose_count = int(exact.sum()), int(loose.sum())
    if loose_count == 0:
        return []
    share, loose_share = count / n_test, loose_count / n_test
    within_train = 1 - (1 + np.count_nonzero(np.diff(sorted_loose))) / n_train
    near_share = _near_duplicate_share(
        loose_train[sub_train], loose_test[sub_test], parts_train, parts_test
    )
    evidence: dict[str, Any] = {
        "count": count,
        "share": _r(share),
        "count_ignoring_identifiers": loose_count,
        "share_ignoring_identifiers": _r(loose_share),
        "identifier_columns_ignored": identifiers,
        "n_test": n_test,
        "train_duplicate_share": _r(within_train),
        "near_duplicate_share": None if near_share is None else _r(near_share, 3),
    }
    severity = _severity(loose_share, loose_count)
    # Nearly every test row has a twin: with no rows left to look for near duplicates,
    # a table whose rows repeat within train itself repeats naturally.
    natural = within_train >= 0.5 if near_share is None else near_share >= NATURAL_NEAR_SHARE
    if natural:
        evidence["note"] = (
            "rows of this table often coincide on all columns but one, so identical rows "
            "also occur naturally"
        )
        severity = "low"
    return [Finding("duplicate_rows", [], severity, evidence, _ADVICE["duplicate_rows"])]


def _member(values: np.ndarray, sorted_reference: np.ndarray) -> np.ndarray:
    """``np.isin(values, reference)`` for hashes, by binary search in the sorted reference."""
    if len(sorted_reference) == 0:
        return np.zeros(len(values), dtype=bool)
    position = np.searchsorted(sorted_reference, values)
    position[position == len(sorted_reference)] = 0
    return sorted_reference[position] == values


def _hash(series: pd.Series) -> np.ndarray:
    return pd.util.hash_pandas_object(series, index=False).to_numpy()


def _near_duplicate_share(
    train: np.ndarray, test: np.ndarray, parts_train: np.ndarray, parts_test: np.ndarray
) -> float | None:
    """Share of the test rows without an identical train row that equal one on all columns but one.

    Copies of records match on every column, and in a table of one-of-a-kind rows
    almost nothing matches on all columns but one. In a table whose rows repeat
    naturally (few distinct values per column), such near duplicates are common.
    """
    exact = _member(test, np.sort(train))
    if (~exact).sum() < 20:
        return None
    near = np.zeros(len(test), dtype=bool)
    with np.errstate(over="ignore"):
        for j in range(parts_train.shape[1]):
            near |= _member(test - parts_test[:, j], np.sort(train - parts_train[:, j]))
    return float(near[~exact].mean())


# --------------------------------------------------------------------------------------------
# univariate, cross-fitted scores


@dataclass
class _Task:
    kind: str  # "binary" | "multiclass" | "regression"
    metric: str  # "roc_auc" | "macro_roc_auc" | "rank_r2"
    classes: np.ndarray | None = None


def _infer_task(y: pd.Series) -> _Task | None:
    present = y.dropna()
    n_unique = present.nunique()
    if n_unique < 2:
        return None
    if n_unique == 2:
        return _Task("binary", "roc_auc", np.sort(present.unique()))
    if _is_numeric(present) and not isinstance(present.dtype, pd.CategoricalDtype):
        if n_unique > 10:
            return _Task("regression", "rank_r2")
    counts = present.value_counts()
    return _Task("multiclass", "macro_roc_auc", counts.index[:_MAX_CLASSES].to_numpy())


def _target_matrix(y: pd.Series, task: _Task, reference: pd.Series | None = None) -> np.ndarray:
    """Targets as columns to average: class indicators, or for regression the ranks.

    A regression target is replaced by its rank among the ``reference`` (training)
    values, scaled to [0, 1], so that a skewed target or a few outliers cannot hide
    a column that orders the rows perfectly.
    """
    if task.kind == "regression":
        ref = np.sort((y if reference is None else reference).to_numpy(dtype="float64"))
        values = y.to_numpy(dtype="float64")
        left = np.searchsorted(ref, values, side="left")
        right = np.searchsorted(ref, values, side="right")
        return ((left + right) / (2 * len(ref)))[:, None]
    if task.kind == "binary":
        return (y.to_numpy() == task.classes[1]).astype("float64")[:, None]
    values = y.to_numpy()
    return np.stack([(values == c) for c in task.classes], axis=1).astype("float64")


def _bin_codes(
    train: pd.Series, others: list[pd.Series], kind: str, n_bins: int, *, order: bool = False
) -> tuple[np.ndarray, list[np.ndarray], int]:
    """Map a column to small integer bins learned on ``train``.

    Numbers (and dates) get quantile bins, categories their own code; missing
    values get a bin of their own. Categories unseen in ``train`` get ``-1``
    (scored with the prior). With ``order``, values are binned by their rank in
    sorted order (how an identifier's signal shows up).
    """
    if kind == "categorical" and not order:
        codes, uniques = pd.factorize(train)
        n_codes = len(uniques) + 1
        missing = n_codes - 1
        codes = np.where(codes < 0, missing, codes)
        index = pd.Index(uniques)
        out = []
        for other in others:
            other_codes = index.get_indexer(other)
            other_codes = np.where(other.isna().to_numpy(), missing, other_codes)
            out.append(other_codes)
        return codes.astype(np.int64), out, n_codes
    if kind == "categorical":  # order: position of the value in the sorted training values
        sorted_values = np.sort(train.dropna().astype(str).to_numpy())
        values = [s.astype(str).to_numpy() for s in (train, *others)]
        numbers = [
            np.where(s.isna().to_numpy(), np.nan, np.searchsorted(sorted_values, v)).astype(float)
            for s, v in zip((train, *others), values, strict=True)
        ]
    else:
        numbers = [_numbers(s) for s in (train, *others)]
    base = numbers[0]
    finite = base[~np.isnan(base)]
    if len(finite) == 0:
        zeros = [np.zeros(len(x), dtype=np.int64) for x in numbers]
        return zeros[0], zeros[1:], 1
    uniques = np.unique(finite)
    if len(uniques) <= n_bins and not order:
        edges = (uniques[:-1] + uniques[1:]) / 2
    else:
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, n_bins + 1)[1:-1]))
    n_codes = len(edges) + 2
    missing = n_codes - 1
    coded = []
    for x in numbers:
        codes = np.searchsorted(edges, x, side="right")
        coded.append(np.where(np.isnan(x), missing, codes).astype(np.int64))
    return coded[0], coded[1:], n_codes


def _numbers(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.to_numpy(dtype="datetime64[ns]")
        out = values.astype("int64").astype("float64")
        out[np.isnat(values)] = np.nan
        return out
    if pd.api.types.is_timedelta64_dtype(series):
        return series.dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    return series.to_numpy(dtype="float64", na_value=np.nan)


def _encode(
    codes: np.ndarray,
    n_codes: int,
    Y: np.ndarray,
    folds: np.ndarray,
    holdout_codes: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Cross-fitted per-bin target means for the training rows; full-fit for holdout rows."""
    n, n_targets = Y.shape
    key = folds * n_codes + codes
    size = _FOLDS * n_codes
    fold_count = np.bincount(key, minlength=size).reshape(_FOLDS, n_codes)
    total_count = fold_count.sum(axis=0)
    fold_rows = np.bincount(folds, minlength=_FOLDS)
    oof_count = total_count[codes] - fold_count[folds, codes]
    encoded = np.empty((n, n_targets))
    held = None if holdout_codes is None else np.empty((len(holdout_codes), n_targets))
    for j in range(n_targets):
        y = Y[:, j]
        fold_sum = np.bincount(key, weights=y, minlength=size).reshape(_FOLDS, n_codes)
        total_sum = fold_sum.sum(axis=0)
        fold_y = np.bincount(folds, weights=y, minlength=_FOLDS)
        prior = (y.sum() - fold_y) / np.maximum(n - fold_rows, 1)
        oof_sum = total_sum[codes] - fold_sum[folds, codes]
        encoded[:, j] = (oof_sum + _SMOOTHING * prior[folds]) / (oof_count + _SMOOTHING)
        if held is not None:
            seen = holdout_codes >= 0
            safe = np.where(seen, holdout_codes, 0)
            full_prior = y.mean()
            value = (total_sum[safe] + _SMOOTHING * full_prior) / (total_count[safe] + _SMOOTHING)
            held[:, j] = np.where(seen, value, full_prior)
    return encoded, held


def _rank_auc(scores: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """AUC of each column of ``scores`` (n, p) for the boolean labels ``positive`` (n,).

    The Mann-Whitney statistic with ties counted half, from per-value counts of
    positives and negatives (one sort per column).
    """
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return np.full(scores.shape[1], np.nan)
    out = np.empty(scores.shape[1])
    weight = positive.astype("float64")
    for k in range(scores.shape[1]):
        _, inverse = np.unique(scores[:, k], return_inverse=True)
        pos = np.bincount(inverse, weights=weight)
        neg = np.bincount(inverse) - pos
        below = np.cumsum(neg) - neg
        out[k] = float((pos * (below + 0.5 * neg)).sum()) / (n_pos * n_neg)
    return out


def _auc_se(positive: np.ndarray) -> float:
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.inf
    return math.sqrt((n_pos + n_neg + 1) / (12 * n_pos * n_neg))


@dataclass
class _Scores:
    """Per-column univariate scores, all arrays of shape (p,)."""

    metric: str
    train: np.ndarray  # metric value, cross-fitted on train
    strength: np.ndarray  # in [0, 1]
    z: np.ndarray  # standard errors above chance
    test: np.ndarray  # metric value on the holdout (nan when not measurable)
    test_strength: np.ndarray
    test_se: float  # standard error of a strength measured on the holdout


def _strength(metric: str, values: np.ndarray) -> np.ndarray:
    if metric == "rank_r2":
        return np.sqrt(np.clip(values, 0, None))
    return np.clip(2 * values - 1, 0, None)


def _score_matrix(
    train_codes: np.ndarray,
    n_codes: list[int],
    Y: np.ndarray,
    task: _Task,
    folds: np.ndarray,
    test_codes: np.ndarray | None,
    Y_test: np.ndarray | None,
) -> _Scores:
    """Cross-fitted univariate scores of every column of ``train_codes`` (n, p)."""
    n, p = train_codes.shape
    n_targets = Y.shape[1]
    encoded = np.empty((n_targets, n, p))
    held = None if test_codes is None else np.empty((n_targets, len(test_codes), p))
    for k in range(p):
        enc, hold = _encode(
            train_codes[:, k], n_codes[k], Y, folds, None if held is None else test_codes[:, k]
        )
        encoded[:, :, k] = enc.T
        if held is not None:
            held[:, :, k] = hold.T
    train_score, z = _evaluate(encoded, Y, task)
    test_se = math.inf
    if held is not None and Y_test is not None and _holdout_ok(Y_test, task):
        test_score, _ = _evaluate(held, Y_test, task)
        test_se = _strength_se(Y_test, task)
    else:
        test_score = np.full(p, np.nan)
    return _Scores(
        task.metric,
        train_score,
        _strength(task.metric, train_score),
        z,
        test_score,
        _strength(task.metric, test_score),
        test_se,
    )


def _strength_se(Y: np.ndarray, task: _Task) -> float:
    """Standard error of a strength measured on ``Y`` (under no signal)."""
    if task.kind == "regression":
        return 1 / math.sqrt(max(len(Y) - 3, 1))
    ses = [2 * _auc_se(Y[:, j] > 0.5) for j in range(Y.shape[1])]
    finite = [se for se in ses if math.isfinite(se)]
    return float(np.mean(finite)) if finite else math.inf


def _holdout_ok(Y: np.ndarray, task: _Task) -> bool:
    if task.kind == "regression":
        return len(Y) >= _MIN_HOLDOUT
    counts = Y.sum(axis=0)
    if task.kind == "binary":
        return min(counts[0], len(Y) - counts[0]) >= _MIN_HOLDOUT
    return int((counts >= _MIN_HOLDOUT).sum()) >= 2


def _evaluate(encoded: np.ndarray, Y: np.ndarray, task: _Task) -> tuple[np.ndarray, np.ndarray]:
    """Score encodings (n_targets, n, p) against Y (n, n_targets): metric and z per column."""
    if task.kind == "regression":
        # Squared correlation of the cross-fitted prediction with the target's ranks, signed:
        # unlike 1 - SSE/SST it ignores the shrinkage of the smoothed bin means.
        y = Y[:, 0] - Y[:, 0].mean()
        centered = encoded[0] - encoded[0].mean(axis=0)
        denom = np.sqrt((centered**2).sum(axis=0) * (y**2).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(denom > 0, (centered * y[:, None]).sum(axis=0) / denom, 0.0)
        z = np.arctanh(np.clip(r, -0.999999, 0.999999)) * math.sqrt(max(len(y) - 3, 1))
        return np.sign(r) * r**2, z
    aucs, ses = [], []
    for j in range(Y.shape[1]):
        positive = Y[:, j] > 0.5
        if positive.sum() == 0 or positive.sum() == len(positive):
            continue
        aucs.append(_rank_auc(encoded[j], positive))
        ses.append(_auc_se(positive))
    if not aucs:
        p = encoded.shape[2]
        return np.full(p, 0.5), np.zeros(p)
    auc = np.mean(aucs, axis=0)
    return auc, (auc - 0.5) / float(np.mean(ses))


def _n_bins(n: int) -> int:
    """About 20 rows per bin, between 10 and 100 bins."""
    return int(np.clip(n // 20, 10, _MAX_BINS))


def _folds(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.permutation(np.arange(n) % _FOLDS)


# --------------------------------------------------------------------------------------------
# target_proxy and identifier


def _column_scores(pair: _Pair, random_state: int) -> dict[str, Any] | None:
    """Score every feature against the target (cached): proxies by value, identifiers by order."""
    if "column_scores" in pair.cache:
        return pair.cache["column_scores"]
    rng = np.random.default_rng(random_state)
    train = pair.train[pair.train[pair.target].notna()]
    test = pair.test[pair.test[pair.target].notna()]
    task = _infer_task(train[pair.target])
    if task is None or len(train) < 20:
        pair.cache["column_scores"] = None
        return None
    train = train.iloc[_sample_index(len(train), _SCORE_ROWS, rng)]
    test = test.iloc[_sample_index(len(test), _SCORE_ROWS, rng)]
    if task.kind != "regression":
        keep = train[pair.target].isin(task.classes).to_numpy()
        train = train[keep]
        test = test[test[pair.target].isin(task.classes).to_numpy()]
    identifiers = _identifiers(pair)
    columns = list(pair.features)
    n_bins = _n_bins(len(train))
    train_codes = np.empty((len(train), len(columns)), dtype=np.int64)
    test_codes = np.empty((len(test), len(columns)), dtype=np.int64)
    n_codes = []
    for k, column in enumerate(columns):
        codes, (other,), size = _bin_codes(
            train[column],
            [test[column]],
            pair.kinds[column],
            n_bins,
            order=column in identifiers,
        )
        train_codes[:, k], test_codes[:, k] = codes, other
        n_codes.append(size)
    Y = _target_matrix(train[pair.target], task)
    Y_test = _target_matrix(test[pair.target], task, train[pair.target]) if len(test) else None
    scores = _score_matrix(
        train_codes,
        n_codes,
        Y,
        task,
        _folds(len(train), rng),
        test_codes if len(test) else None,
        Y_test,
    )
    result = {"columns": columns, "scores": scores, "task": task, "n": len(train)}
    pair.cache["column_scores"] = result
    return result


def _column_findings(pair: _Pair, random_state: int) -> list[Finding]:
    result = _column_scores(pair, random_state)
    if result is None:
        return []
    columns, scores = result["columns"], result["scores"]
    identifiers = _identifiers(pair)
    findings = []
    feature_idx = [k for k, c in enumerate(columns) if c not in identifiers]
    significant = scores.z >= MIN_Z
    for k, column in enumerate(columns):
        if column in (pair.time, pair.group):
            continue  # the declared axes have checks of their own
        evidence = _score_evidence(scores, k)
        evidence["compared_with"] = pair.holdout_note
        if column in identifiers:
            strength = scores.strength[k] if significant[k] else 0.0
            if strength >= IDENTIFIER_HIGH:
                severity = "high"
            elif strength >= IDENTIFIER_MEDIUM:
                severity = "medium"
            else:
                severity = "low"
            evidence["why_identifier"] = identifiers[column]
            findings.append(
                Finding("identifier", [column], severity, evidence, _ADVICE["identifier"])
            )
            continue
        strength = scores.strength[k]
        if not significant[k] or strength < PROXY_DROP_MIN:
            continue
        test_strength = scores.test_strength[k]
        retained = None if np.isnan(test_strength) else float(test_strength / strength)
        others = [scores.strength[j] for j in feature_idx if j != k]
        runner = max(others) if others else None
        runner_name = None
        if others:
            runner_name = columns[
                max((j for j in feature_idx if j != k), key=lambda j: scores.strength[j])
            ]
        dominant = runner is not None and strength >= PROXY_DOMINANCE * max(runner, 0.05)
        # Lost on test: less than half the strength survives, by more than noise allows.
        lost = (
            retained is not None
            and retained < PROXY_RETAINED
            and strength - test_strength >= 3 * scores.test_se
        )
        if strength >= PROXY_PERFECT or (strength >= PROXY_STRONG and lost):
            severity = "high"
        elif lost or (strength >= PROXY_DOMINANT and dominant):
            severity = "medium"
        elif strength >= PROXY_STRONG:
            severity = "low"
        else:
            continue
        evidence["retained_on_test"] = None if retained is None else _r(retained, 3)
        if runner_name is not None:
            runner_k = columns.index(runner_name)
            evidence["runner_up"] = {
                "column": runner_name,
                "train_score": _r(scores.train[runner_k]),
            }
        findings.append(
            Finding("target_proxy", [column], severity, evidence, _ADVICE["target_proxy"])
        )
    return findings


def _score_evidence(scores: _Scores, k: int) -> dict[str, Any]:
    test = scores.test[k]
    return {
        "metric": scores.metric,
        "train_score": _r(scores.train[k]),
        "test_score": None if np.isnan(test) else _r(test),
    }


# --------------------------------------------------------------------------------------------
# group_overlap


def _entity_columns(pair: _Pair) -> list[str]:
    identifiers = _identifiers(pair)
    found = []
    for column in pair.features:
        if column in identifiers or column == pair.time or pair.kinds[column] == "datetime":
            continue
        series = pair.train[column]
        if pair.kinds[column] == "categorical":
            if not _ENTITY_NAME.search(str(column)):
                continue
        elif not (_ID_NAME.search(str(column)) and _integer_valued(series)):
            continue  # a number is an entity only when named like an ID (customer_id)
        n_unique = series.nunique()
        if n_unique >= 20 and series.notna().sum() / n_unique >= 2:
            found.append(column)
    return found


def _check_groups(pair: _Pair, random_state: int) -> list[Finding]:
    declared = pair.group is not None
    columns = [pair.group] if declared else _entity_columns(pair)
    findings = []
    result = _column_scores(pair, random_state)
    for column in columns:
        train_values = pair.train[column].dropna().unique()
        test_col = pair.test[column]
        seen = test_col.isin(train_values).to_numpy() & test_col.notna().to_numpy()
        if not seen.any():
            continue
        share = float(seen.mean())
        test_groups = test_col.dropna().unique()
        shared_groups = int(pd.Index(test_groups).isin(train_values).sum())
        evidence: dict[str, Any] = {
            "group_column": column,
            "declared": declared,
            "share_of_test_rows": _r(share),
            "shared_groups": shared_groups,
            "test_groups": len(test_groups),
        }
        if declared:
            severity = _severity(share, int(seen.sum()))
        else:
            # Not declared: shared values are normal unless the entity nearly determines
            # the label, which lets a model memorize entities instead of learning.
            severity = "low"
            if result is not None and column in result["columns"]:
                k = result["columns"].index(column)
                strength = float(result["scores"].strength[k])
                evidence["entity_train_score"] = _r(result["scores"].train[k])
                if strength >= IDENTIFIER_HIGH and share >= 0.5:
                    severity = "medium"
            evidence["note"] = (
                f"{column!r} looks like an entity; pass --group {column} if it is one"
            )
        findings.append(
            Finding("group_overlap", [column], severity, evidence, _ADVICE["group_overlap"])
        )
    return findings


# --------------------------------------------------------------------------------------------
# temporal_overlap


def _time_columns(pair: _Pair) -> list[str]:
    if pair.time is not None:
        return [pair.time]
    found = []
    for column in pair.features:
        if pair.kinds[column] == "datetime":
            found.append(column)
        elif pair.kinds[column] == "categorical" and _TIME_NAME.search(str(column)):
            head = pair.train[column].dropna().head(200)
            if len(head) and _parse_dates(head.astype(str)).notna().all():
                found.append(column)
    return found


def _check_temporal(pair: _Pair, random_state: int) -> list[Finding]:
    findings = []
    for column in _time_columns(pair):
        if column == pair.time or pair.kinds[column] == "datetime":
            train_t, test_t = pair.train[column], pair.test[column]
        else:
            train_t, test_t = _parse_dates(pair.train[column]), _parse_dates(pair.test[column])
        train_t, test_t = train_t.dropna(), test_t.dropna()
        if len(train_t) == 0 or len(test_t) == 0:
            continue
        train_max = train_t.max()
        overlap = test_t <= train_max
        share = float(overlap.mean())
        if share == 0:
            continue
        evidence = {
            "time_column": column,
            "declared": column == pair.time,
            "train_range": [_fmt_time(train_t.min()), _fmt_time(train_max)],
            "test_range": [_fmt_time(test_t.min()), _fmt_time(test_t.max())],
            "count": int(overlap.sum()),
            "share_of_test_rows": _r(share),
        }
        if column == pair.time:
            severity = _severity(share, int(overlap.sum()))
        else:
            # Not declared: an interleaved split is right for data without an order in
            # time, so it is only a hint to pass --time when the model will face the future.
            if share < 0.5:
                continue
            severity = "low"
            evidence["note"] = (
                f"the split interleaves {column!r}; pass --time {column} if the model will "
                "predict later data"
            )
        findings.append(
            Finding("temporal_overlap", [column], severity, evidence, _ADVICE["temporal_overlap"])
        )
    return findings


def _fmt_time(value: Any) -> str | float:
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return float(value)


# --------------------------------------------------------------------------------------------
# distribution_shift (adversarial validation)


def _time_like(pair: _Pair, frame: pd.DataFrame) -> list[str]:
    """Columns that move with the time column (|Spearman| >= 0.9), e.g. month, day of year."""
    if pair.time is None:
        return []
    base = pd.Series(_numbers(frame[pair.time]))
    found = []
    for column in pair.features:
        if column == pair.time or pair.kinds[column] == "categorical":
            continue
        values = pd.Series(_numbers(frame[column]))
        ok = values.notna() & base.notna()
        if ok.sum() < 10 or values[ok].nunique() < 2:
            continue
        rho = np.corrcoef(values[ok].rank(), base[ok].rank())[0, 1]
        if abs(rho) >= 0.9:
            found.append(column)
    return found


def _model_matrix(frame: pd.DataFrame, columns: list[str], kinds: dict[str, str]) -> np.ndarray:
    """Numbers as they are, categories as ordinal codes (or counts when there are many).

    Trees split ordinal codes well enough to tell two samples apart, and native
    categorical splits cost several times more on wide category sets.
    """
    matrix = np.empty((len(frame), len(columns)))
    for k, column in enumerate(columns):
        series = frame[column]
        if kinds[column] == "categorical":
            codes, uniques = pd.factorize(series)
            if len(uniques) <= 250:
                matrix[:, k] = np.where(codes < 0, np.nan, codes)
            else:  # frequency encoding of a high-cardinality column, computed on both sides
                counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
                matrix[:, k] = np.where(codes < 0, np.nan, counts[np.maximum(codes, 0)])
        else:
            matrix[:, k] = _numbers(series)
    return matrix


def _check_shift(pair: _Pair, random_state: int) -> list[Finding]:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rng = np.random.default_rng(random_state)
    train = pair.train.iloc[_sample_index(len(pair.train), _SHIFT_ROWS, rng)]
    test = pair.test.iloc[_sample_index(len(pair.test), _SHIFT_ROWS, rng)]
    if len(test) < 20 or len(train) < 20:
        return []
    both = pd.concat([train, test], ignore_index=True)
    is_test = np.r_[np.zeros(len(train), dtype=bool), np.ones(len(test), dtype=bool)]
    identifiers = list(_identifiers(pair))
    time_like = _time_like(pair, both)
    excluded = sorted({*identifiers, *time_like, *([pair.group] if pair.group else [])})
    excluded += [pair.time] if pair.time and pair.time not in excluded else []
    columns = [c for c in pair.features if c not in excluded and both[c].nunique(dropna=False) > 1]
    if not columns:
        return []
    matrix = _model_matrix(both, columns, pair.kinds)
    model = HistGradientBoostingClassifier(
        max_iter=50,
        max_leaf_nodes=15,
        learning_rate=0.15,
        early_stopping=False,
        random_state=random_state,
    )
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=random_state)
    proba = cross_val_predict(model, matrix, is_test, cv=cv, method="predict_proba")[:, 1]
    auc = float(roc_auc_score(is_test, proba))
    z = (auc - 0.5) / _auc_se(is_test)
    if auc < SHIFT_LOW or z < MIN_Z:
        return []
    severity = "high" if auc >= SHIFT_HIGH else "medium" if auc >= SHIFT_MEDIUM else "low"
    drivers = _shift_drivers(both, columns, pair.kinds, is_test, rng)
    evidence = {
        "auc": _r(auc),
        "drivers": drivers,
        "excluded_columns": excluded,
        "rows_compared": [int(len(train)), int(len(test))],
    }
    return [
        Finding(
            "distribution_shift",
            list(drivers),
            severity,
            evidence,
            _ADVICE["distribution_shift"],
        )
    ]


def _shift_drivers(
    both: pd.DataFrame,
    columns: list[str],
    kinds: dict[str, str],
    is_test: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, float]:
    """Columns that alone tell test from train (univariate AUC >= 0.55), strongest first."""
    n_bins = _n_bins(len(both))
    codes = np.empty((len(both), len(columns)), dtype=np.int64)
    n_codes = []
    for k, column in enumerate(columns):
        codes[:, k], _, size = _bin_codes(both[column], [], kinds[column], n_bins)
        n_codes.append(size)
    task = _Task("binary", "roc_auc", np.array([False, True]))
    Y = is_test.astype("float64")[:, None]
    scores = _score_matrix(codes, n_codes, Y, task, _folds(len(both), rng), None, None)
    order = np.argsort(-scores.train, kind="stable")
    drivers = {}
    for k in order[:5]:
        if scores.train[k] >= SHIFT_LOW and scores.z[k] >= MIN_Z:
            drivers[columns[k]] = _r(scores.train[k])
    return drivers


# --------------------------------------------------------------------------------------------
# audit_columns helpers


def _internal_holdout(
    frame: pd.DataFrame, *, time: str | None, group: str | None, random_state: int
) -> np.ndarray:
    """Boolean mask of the last/other 25% of ``frame`` used to check survival."""
    n = len(frame)
    if time is not None:
        values = _numbers(
            _parse_dates(frame[time]) if _kind(frame[time]) == "categorical" else frame[time]
        )
        order = np.argsort(np.where(np.isnan(values), -np.inf, values), kind="stable")
        mask = np.zeros(n, dtype=bool)
        mask[order[int(n * 0.75) :]] = True
        return mask
    if group is not None:
        hashed = pd.util.hash_pandas_object(frame[group].astype(str), index=False).to_numpy()
        salt = np.uint64(random_state * 2654435761 % (1 << 32))
        return ((hashed ^ salt) % np.uint64(1000)) < 250
    rng = np.random.default_rng(random_state)
    mask = np.zeros(n, dtype=bool)
    mask[rng.permutation(n)[: n // 4]] = True
    return mask


def _holdout_note(time: str | None, group: str | None) -> str:
    if time is not None:
        return f"the latest 25% of the table by {time!r}"
    if group is not None:
        return f"25% of the table's {group!r} groups"
    return "a random 25% of the table"


# --------------------------------------------------------------------------------------------
# text output


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _describe(f: Finding) -> str:
    try:
        return _describe_kind(f)
    except (KeyError, TypeError, ValueError):  # a hand-made finding: show its evidence as is
        return ", ".join(f"{key}={value}" for key, value in f.evidence.items())


def _describe_kind(f: Finding) -> str:
    e = f.evidence
    if f.kind == "duplicate_rows":
        text = f"{e['count']:,} of {e['n_test']:,} test rows ({_pct(e['share'])}) are in train"
        if e["identifier_columns_ignored"]:
            text += (
                f"; {e['count_ignoring_identifiers']:,} ({_pct(e['share_ignoring_identifiers'])}) "
                f"ignoring {', '.join(e['identifier_columns_ignored'])}"
            )
        return text
    if f.kind == "group_overlap":
        return (
            f"{_pct(e['share_of_test_rows'])} of test rows belong to a {e['group_column']} seen in "
            f"train ({e['shared_groups']:,} of {e['test_groups']:,} test groups)"
        )
    if f.kind == "temporal_overlap":
        return (
            f"{_pct(e['share_of_test_rows'])} of test rows are not after the training period "
            f"(train {e['train_range'][0]} .. {e['train_range'][1]}, "
            f"test {e['test_range'][0]} .. {e['test_range'][1]})"
        )
    if f.kind in ("target_proxy", "identifier"):
        metric = {"roc_auc": "AUC", "macro_roc_auc": "macro AUC", "rank_r2": "rank R2"}[
            e["metric"]
        ]
        text = f"alone: {metric} {e['train_score']:.3f} in train"
        if e.get("test_score") is not None:
            text += f", {e['test_score']:.3f} on {'test' if e['compared_with'] == 'the test set' else 'holdout'}"
        if f.kind == "identifier":
            text += f"; {e['why_identifier']}"
        elif e.get("runner_up"):
            text += f" (next best column {e['runner_up']['column']}: {e['runner_up']['train_score']:.3f})"
        return text
    if f.kind == "distribution_shift":
        drivers = ", ".join(f"{c} {a:.2f}" for c, a in e["drivers"].items()) or "no single column"
        return f"a classifier tells test from train with AUC {e['auc']:.3f}; drivers: {drivers}"
    return str(e)


def format_findings(findings: list[Finding]) -> str:
    """Render findings as the table ``mlstack leakage`` prints, with advice below it.

    Examples
    --------
    >>> print(format_findings([]))
    no findings: nothing suggests leakage or shift between train and test
    """
    if not findings:
        return "no findings: nothing suggests leakage or shift between train and test"
    from tabulate import tabulate

    rows = [
        [i, f.severity, f.kind, ", ".join(f.columns) or "(rows)", f.describe()]
        for i, f in enumerate(findings, start=1)
    ]
    table = tabulate(
        rows,
        headers=["#", "severity", "kind", "columns", "evidence"],
        tablefmt="simple",
        maxcolwidths=[None, None, None, 28, 70],
    )
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    advice = []
    seen = set()
    for i, f in enumerate(findings, start=1):
        if f.severity == "low" and has_problems(findings):
            continue
        key = (f.kind, f.advice)
        if key in seen:
            continue
        seen.add(key)
        advice.append(f"  {f.kind} (#{i}): {f.advice}")
    lines = [table, "", f"{len(findings)} finding(s): {summary}", "what to do:", *advice]
    return "\n".join(lines)
