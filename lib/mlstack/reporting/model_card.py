"""Model cards generated from the fitted model and the recorded metrics.

A model card is the one page a reader needs before trusting a model: what it
predicts and for whom, on which data, with which features (and which were
left out, and why), how it was validated, its single honest test score with an
interval, how well its probabilities are calibrated, where it does worse, what
it cannot do, which leakage checks were applied and how to reproduce it.

:class:`ModelCard` holds those facts for any binary, multiclass or regression
model and renders them to markdown; it computes nothing itself. The pieces
are built by small constructors from the objects a project already has:

- :meth:`DataSummary.describe` from the training and test targets;
- :meth:`CVSummary.from_search` (a fitted ``*SearchCV``) or
  :meth:`CVSummary.from_scores`;
- :meth:`HeldOutResult.from_evaluation` from the one
  :class:`~mlstack.model_selection.guard.Evaluation` of a :class:`~mlstack.model_selection.guard.HeldOutTestSet`,
  with a bootstrap interval (:func:`~mlstack.metrics.bootstrap.bootstrap_ci`);
- :func:`describe_estimator` from the fitted pipeline;
- :func:`reproducibility_facts` from the environment.

Calibration and slice tables come from :mod:`mlstack.metrics.calibration` and :mod:`mlstack.metrics.evaluation`
(``calibration_table``, ``slice_metrics``; re-exported here with
``bootstrap_ci``). :meth:`ModelCard.write` writes the markdown atomically,
with the reliability diagram beside it.

Examples
--------
>>> from sklearn.datasets import make_classification
>>> from sklearn.linear_model import LogisticRegression
>>> from sklearn.metrics import roc_auc_score
>>> from sklearn.model_selection import cross_val_score
>>> from mlstack.model_selection.guard import HeldOutTestSet
>>> X, y = make_classification(n_samples=300, random_state=0)
>>> guard = HeldOutTestSet(X[:200], y[:200], X[200:], y[200:])
>>> model = LogisticRegression()
>>> cv = CVSummary.from_scores(
...     "roc_auc", cross_val_score(model, *guard.train, scoring="roc_auc"), scheme="5-fold"
... )
>>> evaluation = guard.evaluate(model.fit(*guard.train), {"roc_auc": roc_auc_score})
>>> name, params = describe_estimator(model)
>>> card = ModelCard(
...     title="Toy model",
...     problem="Predict the class of a synthetic sample.",
...     intended_use="Illustration only.",
...     task="binary",
...     data=DataSummary.describe(guard.train[1], evaluation.y_true, task="binary",
...                               source="make_classification", target="y"),
...     features_used=[f"x{i}" for i in range(20)],
...     model=name,
...     hyperparameters=params,
...     cv=cv,
...     test=HeldOutResult.from_evaluation(evaluation, metric="roc_auc",
...                                        n_evaluations=guard.n_evaluations, n_resamples=200),
... )
>>> card.to_markdown().splitlines()[0]
'# Model card: Toy model'
"""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.metrics.bootstrap import METRICS, ConfidenceInterval, bootstrap_ci
from mlstack.metrics.calibration import expected_calibration_error
from mlstack.metrics.evaluation import TASKS
from mlstack.utils.atomic import atomic_directory, write_text

__all__ = [
    "CVSummary",
    "DataSummary",
    "HeldOutResult",
    "ModelCard",
    "describe_estimator",
    "fingerprint_frame",
    "markdown_table",
    "reproducibility_facts",
]

#: Packages whose versions :func:`reproducibility_facts` records when installed.
DEFAULT_PACKAGES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "skops",
    "lightgbm",
    "xgboost-cpu",
    "skrub",
)


@dataclass(frozen=True)
class DataSummary:
    """Facts about the data a model was developed and tested on.

    Attributes
    ----------
    source : str
        Where the data comes from (dataset name, file, query).
    target : str
        Name of the predicted column and, ideally, its definition.
    n_train, n_test : int
        Rows used for development and held out for the final test.
    target_summary : pandas.DataFrame
        Classification: share of each class in train and test. Regression:
        mean, std, min and max of the target in train and test.
    time_range : str
        First and last timestamp covered, when the data has a time.
    split : str
        How the test set was carved out (and why).
    fingerprint : str
        Content fingerprint of the data.
    """

    source: str
    target: str
    n_train: int
    n_test: int
    target_summary: pd.DataFrame = field(repr=False)
    time_range: str = ""
    split: str = ""
    fingerprint: str = ""

    @property
    def n_rows(self) -> int:
        """Rows in total."""
        return self.n_train + self.n_test

    @classmethod
    def describe(
        cls,
        y_train: Any,
        y_test: Any,
        *,
        task: str,
        source: str,
        target: str,
        time: Any = None,
        split: str = "",
        fingerprint: str = "",
    ) -> DataSummary:
        """Summarize the target on both sides of the split.

        Parameters
        ----------
        y_train, y_test : array-like
            The development and test targets.
        task : {"binary", "multiclass", "regression"}
        source, target, split, fingerprint : str
            Copied to the card.
        time : array-like, optional
            Timestamps (or another ordered time value) of all rows; gives
            :attr:`time_range`.
        """
        _check_task(task)
        train = pd.Series(np.asarray(y_train))
        test = pd.Series(np.asarray(y_test))
        if task == "regression":
            stats = ["mean", "std", "min", "max"]
            summary = pd.DataFrame(
                {"train": train.astype(float).agg(stats), "test": test.astype(float).agg(stats)}
            )
        else:
            summary = pd.DataFrame(
                {
                    "train": train.value_counts(normalize=True),
                    "test": test.value_counts(normalize=True),
                }
            ).fillna(0.0)
            summary = summary.sort_index(key=lambda index: index.astype(str))
            summary.index = summary.index.astype(str)
        summary.index.name = "class" if task != "regression" else "statistic"
        return cls(
            source=source,
            target=target,
            n_train=len(train),
            n_test=len(test),
            target_summary=summary,
            time_range=_time_range(time),
            split=split,
            fingerprint=fingerprint,
        )


@dataclass(frozen=True)
class CVSummary:
    """Cross-validation scores of the chosen model, and the uncertainty of their mean.

    Attributes
    ----------
    metric : str
        Scorer name, as scikit-learn reports it (``neg_*`` scores are negated losses).
    scores : tuple of float
        One score per fold, in fold order.
    scheme : str
        How the folds were made (e.g. ``"rolling origin by month, 5 folds"``).
    n_train, n_test : tuple of int, default=()
        Training and validation rows of each fold. When given, :attr:`se` uses
        the correction of Nadeau and Bengio for folds whose training sets overlap.

    Notes
    -----
    The fold standard deviation (:attr:`std`) says how much the score moves from
    fold to fold; the standard error (:attr:`se`) says how precisely their mean is
    known, which is what a comparison with a test score needs.
    """

    metric: str
    scores: tuple[float, ...]
    scheme: str
    n_train: tuple[int, ...] = ()
    n_test: tuple[int, ...] = ()

    @property
    def mean(self) -> float:
        """Mean score over the folds."""
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        """Standard deviation of the fold scores."""
        return float(np.std(self.scores))

    @property
    def se(self) -> float:
        """Standard error of the mean fold score (0 with a single fold).

        ``sqrt(var * (1/k + n_test/n_train))`` with the mean ratio of the folds
        when their sizes are known (the corrected variance of Nadeau and
        Bengio, :func:`mlstack.metrics.comparison.corrected_ttest`), otherwise
        ``sqrt(var / k)``; ``var`` is the unbiased variance of the fold scores.

        Examples
        --------
        >>> from dataclasses import replace
        >>> cv = CVSummary("roc_auc", (0.70, 0.72, 0.71, 0.69, 0.73), "5 folds")
        >>> round(cv.se, 4), round(replace(cv, n_train=(800,) * 5, n_test=(200,) * 5).se, 4)
        (0.0071, 0.0106)
        """
        k = self.n_folds
        if k < 2:
            return 0.0
        variance = float(np.var(self.scores, ddof=1))
        factor = 1 / k
        if self.n_train and self.n_test:
            factor += float(np.mean(np.asarray(self.n_test) / np.asarray(self.n_train)))
        return float(np.sqrt(variance * factor))

    @property
    def n_folds(self) -> int:
        """Number of folds."""
        return len(self.scores)

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {_std(self.se)} (standard error, {self.n_folds} folds)"

    @classmethod
    def from_scores(
        cls,
        metric: str,
        scores: Any,
        *,
        scheme: str,
        n_train: Sequence[int] = (),
        n_test: Sequence[int] = (),
    ) -> CVSummary:
        """Build from per-fold scores (e.g. ``cross_validate(...)["test_score"]``).

        ``n_train`` and ``n_test`` are the rows of each fold, when known (see :attr:`se`).
        """
        values = tuple(float(s) for s in np.asarray(scores, dtype=float).ravel())
        if not values:
            raise InputError("no cross-validation scores given", parameter="scores")
        sizes = tuple(int(n) for n in n_train), tuple(int(n) for n in n_test)
        if any(len(part) not in (0, len(values)) for part in sizes):
            raise InputError(
                f"n_train and n_test need one count per fold ({len(values)})", parameter="n_train"
            )
        return cls(metric, values, scheme, *sizes)

    @classmethod
    def from_search(
        cls,
        search: Any,
        *,
        scheme: str,
        metric: str | None = None,
        n_train: Sequence[int] = (),
        n_test: Sequence[int] = (),
    ) -> CVSummary:
        """Build from the best candidate of a fitted ``GridSearchCV``-like search.

        Parameters
        ----------
        search : fitted GridSearchCV, RandomizedSearchCV or Halving*SearchCV
        scheme : str
            How the folds were made.
        metric : str, optional
            Name to show; defaults to the search's ``scoring`` (or its
            ``refit`` metric when it scored several).
        n_train, n_test : sequence of int, optional
            Rows of each fold (see :attr:`se`).
        """
        results = search.cv_results_
        index = search.best_index_
        suffix = "test_score"
        name = metric or (search.scoring if isinstance(search.scoring, str) else "score")
        if isinstance(search.refit, str) and f"split0_test_{search.refit}" in results:
            suffix = f"test_{search.refit}"
            name = metric or search.refit
        n_splits = search.n_splits_
        scores = [results[f"split{i}_{suffix}"][index] for i in range(n_splits)]
        return cls.from_scores(name, scores, scheme=scheme, n_train=n_train, n_test=n_test)


@dataclass(frozen=True)
class HeldOutResult:
    """The single evaluation on the held-out test set.

    Attributes
    ----------
    metric : str
        The primary metric.
    ci : ConfidenceInterval
        Its value on the test set with a bootstrap interval.
    scores : dict of str to float
        Every metric computed in the evaluation.
    n_rows : int
        Test rows.
    n_evaluations : int
        How many times the test set was scored (from the guard); 1 in a
        disciplined project.
    """

    metric: str
    ci: ConfidenceInterval
    scores: Mapping[str, float]
    n_rows: int
    n_evaluations: int

    @property
    def score(self) -> float:
        """The primary metric on the test set."""
        return self.ci.estimate

    @classmethod
    def from_evaluation(
        cls,
        evaluation: Any,
        *,
        metric: str,
        n_evaluations: int,
        n_resamples: int = 1000,
        confidence: float = 0.95,
        random_state: int = 0,
        pos_label: Any = None,
        groups: Any = None,
        unit: str | None = None,
    ) -> HeldOutResult:
        """Build from a :class:`mlstack.model_selection.guard.Evaluation`, adding a bootstrap interval.

        Parameters
        ----------
        evaluation : mlstack.model_selection.guard.Evaluation
            The result of ``guard.evaluate(...)``.
        metric : str
            The primary metric: a name in :data:`mlstack.metrics.bootstrap.METRICS`
            (``roc_auc``, ``accuracy``, ``balanced_accuracy``, ``r2``, ``rmse``...).
        n_evaluations : int
            ``guard.n_evaluations``.
        n_resamples, confidence, random_state, pos_label
            Passed to :func:`~mlstack.metrics.bootstrap.bootstrap_ci`.
        groups : array-like, optional
            The independent unit of each test row (its day, its aircraft): whole
            groups are resampled. Rows of the same day are not independent;
            resampling them as if they were gives too narrow an interval.
        unit : str, optional
            Plural name of the groups (``"days"``), printed with the interval.
        """
        if metric not in METRICS:
            raise InputError(
                f"unknown metric {metric!r}; known: {', '.join(sorted(METRICS))}",
                parameter="metric",
            )
        uses_score = METRICS[metric][1]
        predicted = evaluation.y_score if uses_score else evaluation.y_pred
        if predicted is None:
            raise InputError(
                f"metric {metric!r} needs the evaluation's continuous scores", parameter="metric"
            )
        ci = bootstrap_ci(
            np.asarray(evaluation.y_true),
            np.asarray(predicted),
            metric,
            n_resamples=n_resamples,
            confidence=confidence,
            random_state=random_state,
            pos_label=pos_label,
            groups=groups,
            unit=unit,
        )
        return cls(metric, ci, dict(evaluation.scores), len(evaluation.y_true), n_evaluations)

    @property
    def se(self) -> float:
        """Standard error of the test score, read from the width of its interval."""
        from scipy.stats import norm

        return float((self.ci.high - self.ci.low) / (2 * norm.ppf(0.5 + self.ci.confidence / 2)))


@dataclass
class ModelCard:
    """Everything a reader needs to know about a model, rendered to markdown.

    Parameters
    ----------
    title : str
        Short name of the model.
    problem : str
        What is predicted, from what, and why it matters.
    intended_use : str
        Who uses the predictions for what, and what they must not be used for.
    task : {"binary", "multiclass", "regression"}
    data : DataSummary
    features_used : sequence of str
    model : str
        What the estimator is (see :func:`describe_estimator`).
    hyperparameters : mapping
        The model's settings worth stating (tuned or non-default).
    cv : CVSummary, optional
    test : HeldOutResult, optional
    features_excluded : mapping of str to str, default={}
        Column -> why it is not used.
    calibration : pandas.DataFrame, optional
        A :func:`~mlstack.metrics.calibration.calibration_table` of the test predictions.
    slices : pandas.DataFrame, optional
        A :func:`~mlstack.metrics.evaluation.slice_metrics` table of the test predictions.
    limitations : sequence of str, default=()
        Known limitations and failure modes, one sentence each.
    leakage_checks : sequence of str, default=()
        The checks applied and their outcome, one sentence each.
    warnings : sequence of str, default=()
        Anything a reader must not miss. Warnings the card can derive itself
        (several test evaluations, a test score far from the CV estimate, poor
        calibration) are added when rendering.
    reproducibility : mapping of str to str, default={}
        See :func:`reproducibility_facts`.
    model_file : str, default=""
        Where the fitted model is saved (a path relative to the card).
    trusted_types : sequence of str, default=()
        The types to trust when loading ``model_file`` with skops.
    sections : mapping of str to str, default={}
        Extra markdown sections (heading -> body), rendered before
        "Limitations".
    """

    title: str
    problem: str
    intended_use: str
    task: str
    data: DataSummary
    features_used: Sequence[str]
    model: str
    hyperparameters: Mapping[str, Any]
    cv: CVSummary | None = None
    test: HeldOutResult | None = None
    features_excluded: Mapping[str, str] = field(default_factory=dict)
    calibration: pd.DataFrame | None = None
    slices: pd.DataFrame | None = None
    limitations: Sequence[str] = ()
    leakage_checks: Sequence[str] = ()
    warnings: Sequence[str] = ()
    reproducibility: Mapping[str, str] = field(default_factory=dict)
    model_file: str = ""
    trusted_types: Sequence[str] = ()
    sections: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_task(self.task)

    def all_warnings(self) -> list[str]:
        """The given warnings plus those the card derives from its own numbers."""
        derived = []
        if self.test is not None and self.test.n_evaluations != 1:
            derived.append(
                f"The test set was evaluated {self.test.n_evaluations} times: the reported "
                "test score was (or could have been) used for selection and is optimistic."
            )
        gap = self._test_minus_cv()
        if gap is not None and abs(gap[0]) > 2 * gap[1]:
            difference, se = gap
            direction = "below" if difference < 0 else "above"
            derived.append(
                f"The test {self.test.metric} ({self.test.score:.3f}) is {direction} the "
                f"cross-validation estimate ({self.cv}) by {abs(difference):.3f}, more than two "
                f"standard errors of their difference ({se:.3f}; the test interval and the "
                "standard error of the fold mean combined). Possible causes: the test period or "
                "population differs from the development data (shift); the final model was "
                "trained on more or other data than the cross-validated ones; the CV leaks."
            )
        if self.calibration is not None and len(self.calibration):
            ece = expected_calibration_error(self.calibration)
            if ece > 0.05:
                derived.append(
                    f"Probabilities are poorly calibrated (expected calibration error {ece:.3f}): "
                    "do not read them as frequencies without recalibrating."
                )
        return [*self.warnings, *derived]

    def _test_minus_cv(self) -> tuple[float, float] | None:
        """Test score minus the CV mean, and the standard error of that difference."""
        if (
            self.test is None
            or self.cv is None
            or self.cv.metric.startswith("neg_")
            or self.cv.metric != self.test.metric
            or self.cv.n_folds < 2
        ):
            return None
        se = float(np.hypot(self.cv.se, self.test.se))
        return self.test.score - self.cv.mean, max(se, 1e-12)

    def to_markdown(self, *, figure_dir: str | None = None) -> str:
        """Render the card as markdown.

        Parameters
        ----------
        figure_dir : str, optional
            Relative directory holding ``calibration.png`` (written by
            :meth:`write`); without it the card has tables only.
        """
        out: list[str] = [
            f"# Model card: {self.title}",
            "",
            "*Generated by `mlstack.reporting.model_card` from the fitted model and the metrics recorded "
            "when it was built; regenerate it rather than editing it.*",
            "",
            "## Problem and intended use",
            "",
            self.problem.strip(),
            "",
            f"**Intended use.** {self.intended_use.strip()}",
            "",
            f"**Task:** {self.task}.",
            "",
        ]
        out += self._data_section()
        out += self._features_section()
        out += self._model_section()
        out += self._performance_section(figure_dir)
        for heading, body in self.sections.items():
            out += [f"## {heading}", "", body.strip(), ""]
        out += ["## Limitations and known failure modes", "", *_bullets(self.limitations), ""]
        out += ["## Leakage checks applied", "", *_bullets(self.leakage_checks), ""]
        out += ["## Warnings", "", *_bullets(self.all_warnings(), empty="None."), ""]
        out += ["## Reproducibility", ""]
        if self.reproducibility:
            facts = pd.DataFrame(
                {
                    "fact": list(self.reproducibility),
                    "value": [f"`{v}`" for v in self.reproducibility.values()],
                }
            )
            out += [markdown_table(facts, index=False), ""]
        else:
            out += ["Not recorded.", ""]
        return "\n".join(out).rstrip() + "\n"

    def _data_section(self) -> list[str]:
        d = self.data
        rows = {
            "source": d.source,
            "target": d.target,
            "rows": f"{d.n_rows:,} ({d.n_train:,} development, {d.n_test:,} test)",
        }
        if d.time_range:
            rows["time range"] = d.time_range
        if d.split:
            rows["test split"] = d.split
        if d.fingerprint:
            rows["data fingerprint"] = f"`{d.fingerprint}`"
        heading = "Class balance" if self.task != "regression" else "Target distribution"
        return [
            "## Data",
            "",
            _kv_table(rows),
            "",
            f"{heading} (share of rows)" if self.task != "regression" else heading,
            "",
            markdown_table(d.target_summary),
            "",
        ]

    def _features_section(self) -> list[str]:
        out = [
            "## Features",
            "",
            f"**Used ({len(self.features_used)}):** "
            + ", ".join(f"`{c}`" for c in self.features_used)
            + ".",
            "",
        ]
        if self.features_excluded:
            excluded = pd.DataFrame(
                {
                    "excluded column": [f"`{c}`" for c in self.features_excluded],
                    "reason": list(self.features_excluded.values()),
                }
            )
            out += [markdown_table(excluded, index=False), ""]
        return out

    def _model_section(self) -> list[str]:
        out = ["## Model", "", self.model.strip(), ""]
        if self.hyperparameters:
            params = pd.DataFrame(
                {
                    "hyperparameter": list(self.hyperparameters),
                    "value": [f"`{_show(v)}`" for v in self.hyperparameters.values()],
                }
            )
            out += [markdown_table(params, index=False), ""]
        if self.model_file:
            line = f"Saved with skops (not pickle) to `{self.model_file}`."
            if self.trusted_types:
                line += (
                    " Load it with `mlstack.reporting.persist.load_model(path, trusted=[...])`, trusting "
                    "exactly: " + ", ".join(f"`{t}`" for t in self.trusted_types) + "."
                )
            out += [line, ""]
        return out

    def _performance_section(self, figure_dir: str | None) -> list[str]:
        out = ["## Performance", ""]
        if self.cv is not None:
            folds = ", ".join(f"{s:.3f}" for s in self.cv.scores)
            corrected = " corrected for overlapping training sets" if self.cv.n_train else ""
            out += [
                "### Cross-validation (development data)",
                "",
                f"{self.cv.metric}: **{self.cv.mean:.3f} ± {_std(self.cv.se)}** (mean ± standard "
                f"error{corrected}, over {self.cv.n_folds} folds; {self.cv.scheme}). Per fold: "
                f"{folds} (standard deviation {_std(self.cv.std)}).",
                "",
            ]
        if self.test is not None:
            t = self.test
            pct = f"{t.ci.confidence:.0%}"
            looks = "once" if t.n_evaluations == 1 else f"{t.n_evaluations} times"
            resampled = (
                f"{t.n_rows:,} test rows"
                if t.ci.unit == "rows"
                else f"{t.ci.n_units:,} {t.ci.unit} holding {t.n_rows:,} test rows"
            )
            out += [
                "### Held-out test set",
                "",
                f"{t.metric}: **{t.score:.3f}**, {pct} bootstrap interval "
                f"[{t.ci.low:.3f}, {t.ci.high:.3f}] ({t.ci.n_resamples:,} resamples of "
                f"{resampled}). The test set was evaluated **{looks}** "
                "(counted by `mlstack.model_selection.guard.HeldOutTestSet`).",
                "",
            ]
            if t.scores:
                table = pd.DataFrame({"metric": list(t.scores), "test": list(t.scores.values())})
                out += [markdown_table(table, index=False), ""]
        if self.calibration is not None and len(self.calibration):
            ece = expected_calibration_error(self.calibration)
            what = (
                "predicted probability of the positive class"
                if self.task == "binary"
                else "confidence of the predicted class"
            )
            out += [
                "### Calibration",
                "",
                f"Test rows binned by {what}; observed rate per bin. Expected calibration "
                f"error: {ece:.3f}.",
                "",
                markdown_table(self.calibration, index=False),
                "",
            ]
            if figure_dir:
                out += [f"![Reliability diagram]({figure_dir}/calibration.png)", ""]
        if self.slices is not None and len(self.slices):
            out += [
                "### Performance on slices (test set)",
                "",
                markdown_table(self.slices),
                "",
            ]
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the card as plain data (tables as lists of records), e.g. for JSON."""
        result: dict[str, Any] = {
            "title": self.title,
            "problem": self.problem,
            "intended_use": self.intended_use,
            "task": self.task,
            "data": {
                **{
                    f.name: getattr(self.data, f.name)
                    for f in fields(self.data)
                    if f.name != "target_summary"
                },
                "target_summary": _records(self.data.target_summary.reset_index()),
            },
            "features_used": list(self.features_used),
            "features_excluded": dict(self.features_excluded),
            "model": self.model,
            "hyperparameters": {k: _show(v) for k, v in self.hyperparameters.items()},
            "cv": None
            if self.cv is None
            else {
                "metric": self.cv.metric,
                "mean": self.cv.mean,
                "se": self.cv.se,
                "std": self.cv.std,
                "folds": self.cv.n_folds,
                "scores": list(self.cv.scores),
                "scheme": self.cv.scheme,
            },
            "test": None
            if self.test is None
            else {
                "metric": self.test.metric,
                "score": self.test.score,
                "ci": self.test.ci.as_dict(),
                "scores": dict(self.test.scores),
                "n_rows": self.test.n_rows,
                "n_evaluations": self.test.n_evaluations,
            },
            "calibration": None if self.calibration is None else _records(self.calibration),
            "slices": None if self.slices is None else _records(self.slices.reset_index()),
            "limitations": list(self.limitations),
            "leakage_checks": list(self.leakage_checks),
            "warnings": self.all_warnings(),
            "reproducibility": dict(self.reproducibility),
            "model_file": self.model_file,
            "trusted_types": list(self.trusted_types),
        }
        return result

    def write(self, path: str | os.PathLike[str], *, figures: bool = True) -> Path:
        """Write the card to ``path`` (markdown) atomically, with its figure beside it.

        Parameters
        ----------
        path : path-like
            The markdown file, e.g. ``reports/model_card.md``.
        figures : bool, default=True
            Also write ``<stem>_files/calibration.png`` (a reliability
            diagram) when the card has a calibration table.

        Returns
        -------
        pathlib.Path
            The markdown file written.
        """
        path = Path(path)
        figure_dir = None
        if figures and self.calibration is not None and len(self.calibration):
            figure_dir = f"{path.stem}_files"
            with atomic_directory(path.parent / figure_dir) as staging:
                _save_reliability_png(self.calibration, self.task, staging / "calibration.png")
        write_text(path, self.to_markdown(figure_dir=figure_dir))
        return path


def describe_estimator(estimator: Any) -> tuple[str, dict[str, Any]]:
    """Describe a (fitted) estimator or pipeline in words, with its non-default settings.

    Parameters
    ----------
    estimator : scikit-learn compatible estimator
        A plain estimator or a ``Pipeline`` (whose steps are described in order).

    Returns
    -------
    description : str
        One sentence naming the steps, e.g. ``"Pipeline: preprocess
        (ColumnTransformer: categorical -> OneHotEncoder on 7 columns, ...)
        -> model (LogisticRegression)."``
    hyperparameters : dict
        Parameters that differ from the class defaults, named as in
        ``set_params`` (``model__learning_rate``), values made printable.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> describe_estimator(LogisticRegression(C=0.5))
    ('LogisticRegression.', {'C': 0.5})
    """
    steps = getattr(estimator, "steps", None)
    if steps is None:
        return f"{_describe_step(estimator)}.", _non_default(estimator, "")
    parts = [f"{name} ({_describe_step(step)})" for name, step in steps]
    params: dict[str, Any] = {}
    for name, step in steps:
        params.update(_non_default(step, f"{name}__"))
    return "Pipeline: " + " -> ".join(parts) + ".", params


def _describe_step(step: Any) -> str:
    if step is None or step == "passthrough":
        return "passthrough"
    name = type(step).__name__
    transformers = getattr(step, "transformers", None)
    if transformers is not None and name == "ColumnTransformer":
        inner = []
        for tname, trans, cols in transformers:
            what = trans if isinstance(trans, str) else _describe_step(trans)
            count = len(cols) if isinstance(cols, list | tuple) else "selected"
            inner.append(f"{tname} -> {what} on {count} columns")
        return f"{name}: " + "; ".join(inner)
    if getattr(step, "steps", None) is not None:
        return " -> ".join(_describe_step(s) for _, s in step.steps)
    return name


def _non_default(estimator: Any, prefix: str) -> dict[str, Any]:
    if not hasattr(estimator, "get_params"):
        return {}
    params = estimator.get_params(deep=False)
    try:
        defaults = type(estimator)().get_params(deep=False)
    except TypeError:  # required constructor arguments (ColumnTransformer...)
        return {}
    changed = {}
    for key in sorted(params):
        value = params[key]
        nested = hasattr(value, "get_params")
        if nested or (key in ("steps", "transformers") and isinstance(value, list | tuple)):
            continue  # described by _describe_step, not as a value
        if key not in defaults or not _same(value, defaults[key]):
            changed[f"{prefix}{key}"] = value
    return changed


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) if not isinstance(a, np.ndarray) else np.array_equal(a, b)
    except (ValueError, TypeError):
        return a is b


def reproducibility_facts(
    *,
    data_fingerprint: str = "",
    seeds: Mapping[str, int] | None = None,
    packages: Sequence[str] = DEFAULT_PACKAGES,
    lock_file: str | os.PathLike[str] | None = None,
) -> dict[str, str]:
    """Collect what someone needs to rebuild the same model.

    Parameters
    ----------
    data_fingerprint : str, default=""
        Content fingerprint of the data (e.g. :func:`mlstack.flights.data.data_fingerprint`
        or :func:`fingerprint_frame`).
    seeds : mapping of str to int, optional
        Every seed used (``{"model": 0, "search": 0, "bootstrap": 0}``).
    packages : sequence of str, default=DEFAULT_PACKAGES
        Distributions whose installed versions to record (missing ones are skipped).
    lock_file : path-like, optional
        The dependency lock; ``uv.lock`` at the repository root by default.

    Returns
    -------
    dict of str to str
        Sorted by key within groups: data, lock, seeds, Python, packages.
    """
    from mlstack import __version__
    from mlstack.utils.paths import repo_root

    facts: dict[str, str] = {}
    if data_fingerprint:
        facts["data fingerprint"] = data_fingerprint
    lock = Path(lock_file) if lock_file is not None else repo_root() / "uv.lock"
    facts[f"{lock.name} sha256"] = (
        hashlib.sha256(lock.read_bytes()).hexdigest()[:16] if lock.is_file() else "not found"
    )
    for name, seed in sorted((seeds or {}).items()):
        facts[f"seed ({name})"] = str(seed)
    facts["python"] = platform.python_version()
    facts["mlstack"] = __version__
    for package in packages:
        try:
            facts[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return facts


def fingerprint_frame(frame: pd.DataFrame) -> str:
    """Return a 16-hex-digit content fingerprint of a table (values, columns, dtypes).

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> fingerprint_frame(a) == fingerprint_frame(a.copy()), fingerprint_frame(a) == fingerprint_frame(a + 1)
    (True, False)
    """
    digest = hashlib.sha256()
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise InputError(
            f"unknown task {task!r}; choose one of {', '.join(TASKS)}", parameter="task"
        )


def _time_range(time: Any) -> str:
    if time is None:
        return ""
    values = pd.Series(time).dropna()
    if values.empty:
        return ""
    low, high = values.min(), values.max()
    if isinstance(low, pd.Timestamp):
        fmt = "%Y-%m-%d" if (values.dt.normalize() == values).all() else "%Y-%m-%d %H:%M"
        return f"{low.strftime(fmt)} to {high.strftime(fmt)}"
    return f"{low} to {high}"


def _kv_table(rows: Mapping[str, str]) -> str:
    return markdown_table(
        pd.DataFrame({"": list(rows), "value": list(rows.values())}), index=False
    )


def markdown_table(frame: pd.DataFrame, *, index: bool = True, digits: int = 3) -> str:
    """Render a table as markdown with fixed formatting: the same bytes on every run.

    Integers get thousands separators, floats ``digits`` decimals (missing
    values an en dash), everything else ``str``; numbers are right-aligned.
    The index (all its levels) becomes leading columns when ``index`` is true.

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"n": [1200], "auc": [0.71234]}), index=False))
    |     n |   auc |
    |------:|------:|
    | 1,200 | 0.712 |
    """
    shown = frame.reset_index() if index else frame
    columns: dict[str, pd.Series] = {}
    align = []
    for name in shown.columns:
        col = shown[name]
        label = "" if name is None or name == "index" else str(name)
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            columns[label] = col.map(lambda v: "–" if _missing(v) else str(v))
            align.append("left")
        elif pd.api.types.is_integer_dtype(col):
            columns[label] = col.map(lambda v: f"{int(v):,}")
            align.append("right")
        else:
            columns[label] = col.map(lambda v: "–" if pd.isna(v) else f"{float(v):.{digits}f}")
            align.append("right")
    table = pd.DataFrame(columns)
    return table.to_markdown(index=False, disable_numparse=True, colalign=align)


def _std(value: float) -> str:
    """Format a standard deviation: 3 decimals, or 4 when it is below 0.001."""
    return f"{value:.3f}" if value >= 0.001 or value == 0 else f"{value:.4f}"


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # containers are not missing values
        return False


def _bullets(items: Sequence[str], *, empty: str = "None recorded.") -> list[str]:
    return [f"- {item.strip()}" for item in items] if items else [empty]


def _show(value: Any) -> Any:
    """A printable, address-free form of a parameter value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | np.floating):
        return float(f"{float(value):.6g}")
    if isinstance(value, np.integer):
        return int(value)
    if callable(value):
        return getattr(value, "__qualname__", type(value).__name__)
    if isinstance(value, list | tuple):
        return repr(type(value)(_show(v) for v in value))
    if isinstance(value, dict):
        return repr({k: _show(v) for k, v in value.items()})
    text = repr(value)
    return type(value).__name__ if " at 0x" in text else text


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        for row in clean.to_dict(orient="records")
    ]


def _save_reliability_png(table: pd.DataFrame, task: str, path: Path) -> None:
    from matplotlib.figure import Figure

    from mlstack.plotting.figures import plot_calibration

    fig = Figure(figsize=(5.0, 4.5), dpi=100)
    ax = fig.subplots()
    plot_calibration(table, ax=ax, task=task)
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
