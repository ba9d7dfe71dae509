"""Part 2: a real table with one leakage cause planted, great on validation and poor on test.

:func:`plant` builds the three files an analyst would hand over (``train``,
``validation``, ``test``) from a table of :data:`~mlstack.tools.exam.pool.SCENARIO_BASES`,
with one cause of "great validation, terrible test" planted as it happens in
practice:

``duplicate_rows``
    The minority class was oversampled (each of its rows copied) *before* the
    train/validation split, so validation rows have copies in train; the test
    set was held out before that and has none.
``group_overlap``
    Train and validation are a random split of rows, so they share the entities
    (states); the test set holds entities the model never saw.
``temporal_overlap``
    Train and validation are a random split of the past, interleaved in time;
    the test set is the period after it.
``target_proxy``
    A column filled in after the outcome (computed from the target) is in train
    and validation; in the test export, made at prediction time, it is empty.
``identifier``
    The records were numbered after being sorted by outcome, so the ID orders
    train and validation by the target; the test records got later numbers.
``distribution_shift``
    Train and validation come from one range of a key column, the test set
    from beyond it.

:func:`measure` fits the exam's "reasonable model" (skrub's default
``tabular_pipeline``) on train and scores validation and test, each with its
bootstrap interval; :func:`behaves` says whether that is great on validation
and poor on test, beyond noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from mlstack.errors import InputError
from mlstack.metrics.bootstrap import ConfidenceInterval
from mlstack.tools.exam.pool import SCENARIO_BASES, Table, load_table
from mlstack.tools.exam.scoring import (
    METRIC,
    fit_skrub_default,
    model_predictions,
    score_interval,
)

__all__ = [
    "GREAT",
    "MIN_DROP",
    "SCENARIO_KINDS",
    "Measurement",
    "Scenario",
    "behaves",
    "measure",
    "plant",
]

#: The causes a scenario can plant, in the order of :data:`mlstack.tools.leakage.KINDS`.
SCENARIO_KINDS: tuple[str, ...] = tuple(SCENARIO_BASES)

#: A validation score at least this high is "great".
GREAT: dict[str, float] = {"roc_auc": 0.85, "balanced_accuracy": 0.8, "r2": 0.8}
#: The test score must be at least this much lower than validation (and apart beyond noise).
MIN_DROP: dict[str, float] = {"roc_auc": 0.15, "balanced_accuracy": 0.15, "r2": 0.2}

TEST_SHARE = 0.25
VALIDATION_SHARE = 0.25
# The test set of a time scenario is the latest fifth of the rows, the shifted one the top quarter.
LATEST_SHARE = 0.2
SHIFT_QUANTILE = 0.75


@dataclass(frozen=True)
class Scenario:
    """The files of one planted scenario, and the answer (never written to the workspace).

    Attributes
    ----------
    kind : str
        The planted cause, one of :data:`SCENARIO_KINDS`.
    table : Table
        The real table it is planted in.
    train, validation, test : pandas.DataFrame
        The analyst's three files, each with the target.
    columns : tuple of str
        The columns of the cause (empty for ``duplicate_rows``: it is about whole rows).
    """

    kind: str
    table: Table
    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    columns: tuple[str, ...]

    @property
    def target(self) -> str:
        """The target column."""
        return self.table.target


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31 - 1))


def _shuffled(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    return frame.sample(frac=1.0, random_state=_seed(rng)).reset_index(drop=True)


def _random_split(
    frame: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    train, validation = train_test_split(
        frame, test_size=VALIDATION_SHARE, random_state=_seed(rng)
    )
    return train.reset_index(drop=True), validation.reset_index(drop=True)


def _holdout(
    frame: pd.DataFrame, table: Table, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    stratify = frame[table.target] if table.task != "regression" else None
    rest, test = train_test_split(
        frame, test_size=TEST_SHARE, random_state=_seed(rng), stratify=stratify
    )
    return rest, test


def _insert(frame: pd.DataFrame, name: str, values: np.ndarray, position: int) -> pd.DataFrame:
    out = frame.copy()
    out.insert(min(position, out.shape[1]), name, values)
    return out


def _plant_duplicates(frame: pd.DataFrame, table: Table, rng: np.random.Generator):
    rest, test = _holdout(frame, table, rng)
    counts = rest[table.target].value_counts()
    minority = rest[rest[table.target] == counts.idxmin()]
    copies = max(1, round(counts.max() / counts.min()) - 1)
    oversampled = pd.concat([rest, *([minority] * copies)], ignore_index=True)
    train, validation = _random_split(oversampled, rng)
    return train, validation, _shuffled(test, rng), ()


def _plant_groups(frame: pd.DataFrame, table: Table, rng: np.random.Generator):
    splitter = GroupShuffleSplit(n_splits=1, test_size=TEST_SHARE, random_state=_seed(rng))
    rest_idx, test_idx = next(splitter.split(frame, groups=frame[table.group]))
    train, validation = _random_split(frame.iloc[rest_idx], rng)
    return train, validation, _shuffled(frame.iloc[test_idx], rng), (table.group,)


def _plant_time(frame: pd.DataFrame, table: Table, rng: np.random.Generator):
    when = pd.to_datetime(frame[table.time])
    cut = when.quantile(1 - LATEST_SHARE)
    train, validation = _random_split(frame[when <= cut], rng)
    return train, validation, _shuffled(frame[when > cut], rng), (table.time,)


def _proxy_values(y: pd.Series, table: Table, rng: np.random.Generator) -> np.ndarray:
    n = len(y)
    if table.task == "regression":
        z = ((y - y.mean()) / y.std()).to_numpy()
        return np.round(np.exp(6.0 + 0.5 * z) * rng.lognormal(0.0, 0.05, n), 2)
    positive = (y == table.positive).to_numpy()
    small = np.where(rng.random(n) < 0.15, rng.lognormal(4.0, 0.5, n), 0.0)
    return np.round(np.where(positive, rng.lognormal(6.0, 0.4, n), small), 2)


def _plant_proxy(frame: pd.DataFrame, table: Table, rng: np.random.Generator):
    name = table.name("proxy")
    values = _proxy_values(frame[table.target], table, rng)
    position = int(rng.integers(1, frame.shape[1]))
    planted = _insert(frame, name, values, position)
    rest, test = _holdout(planted, table, rng)
    # The test export is made when the prediction is needed: nothing is filled in yet.
    test = test.assign(**{name: np.nan})
    train, validation = _random_split(rest, rng)
    return train, validation, _shuffled(test, rng), (name,)


def _plant_identifier(frame: pd.DataFrame, table: Table, rng: np.random.Generator):
    name = table.name("identifier")
    rest, test = _holdout(frame, table, rng)
    y = rest[table.target]
    order = y.rank(pct=True) if table.task == "regression" else (y == table.positive) * 1.0
    # The rows were exported sorted by outcome (roughly), then numbered.
    key = order.to_numpy() + rng.normal(0.0, 0.25, len(rest))
    first = 10_000
    ids = first + pd.Series(key).rank(method="first").astype(int).to_numpy()
    rest = _insert(rest, name, ids, 0)
    later = first + len(rest) + 1 + rng.permutation(len(test))
    test = _insert(test, name, later, 0)
    train, validation = _random_split(rest, rng)
    return train, validation, _shuffled(test, rng), (name,)


def _plant_shift(frame: pd.DataFrame, table: Table, rng: np.random.Generator):
    name = table.name("shift")
    cut = frame[name].quantile(SHIFT_QUANTILE)
    train, validation = _random_split(frame[frame[name] <= cut], rng)
    return train, validation, _shuffled(frame[frame[name] > cut], rng), (name,)


_PLANTERS = {
    "duplicate_rows": _plant_duplicates,
    "group_overlap": _plant_groups,
    "temporal_overlap": _plant_time,
    "target_proxy": _plant_proxy,
    "identifier": _plant_identifier,
    "distribution_shift": _plant_shift,
}


def plant(kind: str, table: Table, rng: np.random.Generator) -> Scenario:
    """Build the train, validation and test files of ``table`` with the cause ``kind`` planted.

    Parameters
    ----------
    kind : str
        One of :data:`SCENARIO_KINDS`.
    table : Table
        A table of ``SCENARIO_BASES[kind]``.
    rng : numpy.random.Generator
        Decides every split and planted value: the same generator state gives the same files.

    Returns
    -------
    Scenario

    Examples
    --------
    >>> table = SCENARIO_BASES["identifier"][0]
    >>> scenario = plant("identifier", table, np.random.default_rng(0))
    >>> scenario.columns, bool(scenario.test["record_id"].min() > scenario.train["record_id"].max())
    (('record_id',), True)
    """
    if kind not in _PLANTERS:
        raise InputError(
            f"kind {kind!r}: choose one of {', '.join(SCENARIO_KINDS)}", parameter="kind"
        )
    # Natural repeats of a record would be a second cause: only the planted one is left.
    frame = load_table(table, seed=_seed(rng)).drop_duplicates(ignore_index=True)
    train, validation, test, columns = _PLANTERS[kind](frame, table, rng)
    return Scenario(kind, table, train, validation, test, tuple(columns))


@dataclass(frozen=True)
class Measurement:
    """The reasonable model's score on the validation and the test file of a scenario."""

    metric: str
    validation: ConfidenceInterval
    test: ConfidenceInterval

    @property
    def drop(self) -> float:
        """Validation score minus test score."""
        return self.validation.estimate - self.test.estimate


def measure(scenario: Scenario, *, n_resamples: int = 1000) -> Measurement:
    """Fit skrub's default pipeline on the train file; score validation and test with intervals."""
    table = scenario.table
    X = scenario.train.drop(columns=[table.target])
    model = fit_skrub_default(X, scenario.train[table.target], table.task)
    scores = []
    for part in (scenario.validation, scenario.test):
        prediction = model_predictions(
            model, part.drop(columns=[table.target]), table.task, table.positive
        )
        scores.append(
            score_interval(
                part[table.target], prediction, table.task, table.positive, n_resamples=n_resamples
            )
        )
    return Measurement(METRIC[table.task], *scores)


def behaves(measurement: Measurement) -> tuple[bool, str]:
    """Whether a scenario is great on validation and poor on test, and why (one sentence).

    Great: the validation score reaches :data:`GREAT`. Poor: the test score is at
    least :data:`MIN_DROP` lower, and the two 95% intervals do not overlap.
    """
    metric, v, t = measurement.metric, measurement.validation, measurement.test
    facts = f"validation {metric} {v.estimate:.3f} [{v.low:.3f}, {v.high:.3f}], test {t.estimate:.3f} [{t.low:.3f}, {t.high:.3f}]"
    if v.estimate < GREAT[metric]:
        return False, f"{facts}: validation is below {GREAT[metric]}"
    if measurement.drop < MIN_DROP[metric]:
        return False, f"{facts}: test is less than {MIN_DROP[metric]} below validation"
    if t.high >= v.low:
        return False, f"{facts}: the intervals overlap"
    return True, facts
