"""``duplicate_rows``: test rows identical to training rows, copied or natural.

Identical rows come two ways. **Copies** (oversampling or augmentation before the split,
a fan-out join, a record exported twice) grade the model on rows it memorized.
**Natural repeats** come from a coarse feature space (survey answers, census codes,
rounded readings): new rows will match old ones just as often in deployment, so they
inflate nothing. The check tells them apart with four pieces of evidence, all shown:

- **the rate a random split gives**: the share of training rows that have an identical
  twin elsewhere in train. A test row drawn like a training row has a twin in train just
  as often; a clearly higher cross-set rate (4 standard errors) means rows were copied
  *across* the split, and the excess is what counts;
- **label agreement**: among test rows whose features equal a training row's, how often
  the labels agree, against the agreement chance alone gives (the class shares), as
  Cohen's kappa. Copies always agree; natural repeats disagree about as often as the
  classes predict, unless the features decide the label;
- **class concentration**: how far the classes of the duplicated test rows are from
  those of all test rows (total variation distance). Oversampling concentrates
  duplicates in the class it copied; natural repeats are spread like the classes;
- **rare values**: the share of duplicated test rows that share with their training
  twins a value (a measurement, an amount) found in no other training row. Two rows
  cannot coincide on such a value by chance: only copies do.

Verdicts: ``copied across the split`` (an excess over the random-split rate),
``copied before the split`` (labels agree beyond chance by at least
:data:`COPY_AGREEMENT` of the way from chance to always, and the duplicates either
concentrate in some class or share rare values), or ``natural``, which is ``low``
whatever the share. Copies are rated by the share of test rows: 5% is ``high``, 1%
``medium``; fewer than 5 duplicated rows are too few to tell, and ``low``. Copies of
rows made only of common values, spread evenly over the classes (a coarse table
exported twice), look exactly like natural repeats and are called so.

Rows are hashed with :func:`pandas.util.hash_pandas_object`; a row's hash is a weighted
sum of its column hashes, so the target's part is taken out of it with one subtraction.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mlstack.tools.leakage.column_roles import identifiers
from mlstack.tools.leakage.findings import ADVICE, Finding, severity_of_share
from mlstack.tools.leakage.preparation import Pair, sample_index

__all__ = ["COPY_AGREEMENT", "CONCENTRATED", "RARE_SHARED", "check_duplicates"]

#: Label agreement of duplicated pairs beyond chance (Cohen's kappa) that marks copies.
COPY_AGREEMENT = 0.8
#: Total variation distance between the classes of duplicated rows and of all test rows
#: above which duplicates concentrate in some class.
CONCENTRATED = 0.15
#: Share of duplicated test rows sharing a rare value with their twins that marks copies.
RARE_SHARED = 0.5
MIN_Z = 4.0  # standard errors of the random-split rate for an excess to count
MIN_PAIRS = 5  # duplicated rows needed to judge labels, classes and values (fewer are low)
MAX_CLASSES = 20
_RARE_ROWS = 200_000  # train rows searched for rare values (a quarter as many test rows)


def check_duplicates(pair: Pair, random_state: int) -> list[Finding]:
    """The ``duplicate_rows`` finding of a pair, or nothing when no test row is in train."""
    columns = [*pair.features, pair.target]
    ids = [c for c in identifiers(pair) if c in columns]
    kept = [c for c in columns if c not in ids]
    hashes = _RowHashes(pair, columns, kept, random_state)
    n_train, n_test = len(pair.train), len(pair.test)
    exact = _member(hashes.exact_test, np.sort(hashes.exact_train))
    sorted_rows = np.sort(hashes.rows_train)
    rows = _member(hashes.rows_test, sorted_rows) if ids else exact
    count, row_count = int(exact.sum()), int(rows.sum())
    if row_count == 0:
        return []
    share, row_share = count / n_test, row_count / n_test
    expected = _twin_share(sorted_rows)
    se = math.sqrt(max(expected, 0.5 / n_train) * (1 - expected) / n_test)
    excess = row_share - expected
    copied_across = excess >= MIN_Z * se and excess * n_test >= 1
    labels = _label_agreement(hashes)
    concentration, concentrated, duplicated_classes = _concentration(pair, rows)
    rare = _rare_value_share(hashes, sorted_rows)
    kappa = labels["kappa"]
    agree = kappa is not None and kappa >= COPY_AGREEMENT
    shares_rare = rare is not None and rare >= RARE_SHARED
    if copied_across:
        verdict = "copied across the split"
        severity = severity_of_share(excess, round(excess * n_test))
        score = excess
    elif agree and (concentrated or shares_rare):
        verdict = "copied before the split"
        severity = severity_of_share(row_share, row_count)
        score = row_share
    elif kappa is None and rare is None:
        verdict = "too few rows to tell"
        severity = "low"
        score = row_share
    else:
        verdict = "natural"
        severity = "low"
        score = max(excess, 0.0)
    evidence: dict[str, Any] = {
        "count": count,
        "share": _r(share),
        "count_ignoring_identifiers": row_count,
        "share_ignoring_identifiers": _r(row_share),
        "identifier_columns_ignored": ids,
        "n_test": n_test,
        "expected_share": _r(expected),
        "excess_share": _r(excess),
        "label_agreement": labels["agreement"],
        "label_agreement_by_chance": labels["chance"],
        "label_agreement_beyond_chance": kappa,
        "class_concentration": None if concentration is None else _r(concentration, 3),
        "duplicated_class_shares": duplicated_classes,
        "share_with_a_rare_value": None if rare is None else _r(rare, 3),
        "verdict": verdict,
    }
    if verdict == "natural":
        evidence["note"] = _natural_note(labels, concentrated, shares_rare)
    return [Finding("duplicate_rows", [], severity, evidence, ADVICE["duplicate_rows"], score)]


class _RowHashes:
    """Row hashes of both sides: whole rows, rows without identifiers, and their features.

    ``rows_*`` leave the identifier columns out; ``features_*`` also leave out the
    target, whose own hash is ``target_*``. ``parts_*`` hold each kept column's term
    for a subsample of rows (the search for rare values).
    """

    def __init__(self, pair: Pair, columns: list[str], kept: list[str], random_state: int):
        rng = np.random.default_rng(random_state)
        weights = rng.integers(1, 2**63, size=len(columns), dtype=np.uint64) * np.uint64(
            2
        ) + np.uint64(1)
        n_train, n_test = len(pair.train), len(pair.test)
        self.sub_train = sample_index(n_train, _RARE_ROWS, rng)
        self.sub_test = sample_index(n_test, _RARE_ROWS // 4, rng)
        self.exact_train = np.zeros(n_train, dtype=np.uint64)
        self.exact_test = np.zeros(n_test, dtype=np.uint64)
        self.rows_train, self.rows_test = self.exact_train.copy(), self.exact_test.copy()
        self.target_train = self.target_test = None
        self.parts_train = np.empty((len(self.sub_train), len(kept)), dtype=np.uint64)
        self.parts_test = np.empty((len(self.sub_test), len(kept)), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for k, column in enumerate(columns):
                h_train = weights[k] * _hash(pair.train[column])
                h_test = weights[k] * _hash(pair.test[column])
                self.exact_train += h_train
                self.exact_test += h_test
                if column == pair.target:
                    self.target_train, self.target_test = h_train, h_test
                if column in kept:
                    j = kept.index(column)
                    self.rows_train += h_train
                    self.rows_test += h_test
                    self.parts_train[:, j] = h_train[self.sub_train]
                    self.parts_test[:, j] = h_test[self.sub_test]
            self.features_train = self.rows_train - self.target_train
            self.features_test = self.rows_test - self.target_test


def _hash(series: pd.Series) -> np.ndarray:
    return pd.util.hash_pandas_object(series, index=False).to_numpy()


def _member(values: np.ndarray, sorted_reference: np.ndarray) -> np.ndarray:
    """``np.isin(values, reference)`` for hashes, by binary search in the sorted reference."""
    if len(sorted_reference) == 0:
        return np.zeros(len(values), dtype=bool)
    position = np.searchsorted(sorted_reference, values)
    position[position == len(sorted_reference)] = 0
    return sorted_reference[position] == values


def _count_in(values: np.ndarray, sorted_reference: np.ndarray) -> np.ndarray:
    """How many times each of ``values`` occurs in the sorted reference."""
    return np.searchsorted(sorted_reference, values, side="right") - np.searchsorted(
        sorted_reference, values, side="left"
    )


def _twin_share(sorted_hashes: np.ndarray) -> float:
    """Share of rows with an identical twin among the others: what a random split gives."""
    if len(sorted_hashes) == 0:
        return 0.0
    _, counts = np.unique(sorted_hashes, return_counts=True)
    return float(counts[counts >= 2].sum() / len(sorted_hashes))


def _label_agreement(hashes: _RowHashes) -> dict[str, float | None]:
    """Label agreement of test rows with their feature twins in train, and by chance.

    For each test row whose features equal some training rows', the share of those
    rows with the same label; chance is the agreement if those labels were drawn from
    the training class shares. ``kappa`` is Cohen's: 0 at chance, 1 always.
    """
    none = {"agreement": None, "chance": None, "kappa": None}
    sorted_features = np.sort(hashes.features_train)
    twins = _count_in(hashes.features_test, sorted_features)
    matched = twins > 0
    if matched.sum() < MIN_PAIRS:
        return none
    same = _count_in(hashes.rows_test[matched], np.sort(hashes.rows_train))
    agreement = float(np.mean(same / twins[matched]))
    train_labels = pd.Series(hashes.target_train).value_counts(normalize=True)
    test_labels = pd.Series(hashes.target_test[matched]).value_counts(normalize=True)
    chance = float((test_labels * train_labels.reindex(test_labels.index).fillna(0)).sum())
    kappa = None if chance >= 1 else (agreement - chance) / (1 - chance)
    return {
        "agreement": _r(agreement, 3),
        "chance": _r(chance, 3),
        "kappa": None if kappa is None else _r(kappa, 3),
    }


def _concentration(
    pair: Pair, duplicated: np.ndarray
) -> tuple[float | None, bool, dict[str, float]]:
    """How the classes of duplicated test rows differ from those of all test rows.

    Returns the total variation distance between the two class mixes; whether some
    class is over-represented among duplicates by :data:`CONCENTRATED` or more, and by
    3 standard errors of a share of that many rows; and the duplicates' class shares.
    """
    y = pair.test[pair.target]
    m = int(duplicated.sum())
    if m < MIN_PAIRS or y.nunique() > MAX_CLASSES:
        return None, False, {}
    every = y.astype(str).value_counts(normalize=True)
    dup = y[duplicated].astype(str).value_counts(normalize=True).reindex(every.index).fillna(0)
    excess = dup - every
    z = excess / np.sqrt(every * (1 - every) / m).clip(lower=1e-12)
    concentrated = bool(((excess >= CONCENTRATED) & (z >= 3)).any())
    distance = 0.5 * float(excess.abs().sum())
    top = dup[dup > 0].sort_values(ascending=False, kind="stable").head(5)
    return distance, concentrated, {str(k): _r(v, 3) for k, v in top.items()}


def _rare_value_share(hashes: _RowHashes, sorted_rows: np.ndarray) -> float | None:
    """Share of duplicated test rows that share with their twins a value no other row has.

    Measured on the subsamples: a test row (of the test subsample) with ``t`` identical
    rows in the train subsample shares a rare value when, in some column, its value
    occurs in at most ``2 t`` rows of the train subsample (0 when its twins were not
    drawn). Copies of rows with a measurement or an amount share such values; natural
    repeats of a coarse table share only common ones. None below 5 duplicated rows.
    """
    train_rows = np.sort(hashes.rows_train[hashes.sub_train])
    test_rows = hashes.rows_test[hashes.sub_test]
    duplicated = _member(test_rows, sorted_rows)
    if duplicated.sum() < MIN_PAIRS:
        return None
    twins = _count_in(test_rows[duplicated], train_rows)
    rare = np.zeros(int(duplicated.sum()), dtype=bool)
    for j in range(hashes.parts_train.shape[1]):
        counts = _count_in(hashes.parts_test[duplicated, j], np.sort(hashes.parts_train[:, j]))
        rare |= counts <= 2 * twins
    return float(rare.mean())


def _natural_note(labels: dict[str, Any], concentrated: bool, shares_rare: bool) -> str:
    reasons = ["no more often than a random split of this table gives"]
    if labels["kappa"] is not None and labels["kappa"] < COPY_AGREEMENT:
        reasons.append("their labels disagree about as often as the class shares predict")
    if not concentrated:
        reasons.append("they are spread like the classes")
    if not shares_rare:
        reasons.append("they share only common values")
    return (
        "identical rows that occur naturally in this table ("
        + "; ".join(reasons)
        + "): new rows will match training rows as often, so they inflate no score"
    )


def _r(value: float, digits: int = 4) -> float:
    return float(round(float(value), digits))
