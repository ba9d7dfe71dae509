"""Write what :func:`mlstack.tools.exit_test.run.exit_test` found: report, model card, model, metrics.

Everything goes into a staging directory first and replaces the output
directory in one move (:func:`mlstack.utils.atomic.atomic_directory`), so a run that
fails half-way leaves no half-written directory behind.
"""

from __future__ import annotations

import json
import time as _time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlstack.reporting.persist import save_model
from mlstack.tools.exit_test.result import PROXY_DROP_STRENGTH, ExitTestResult, format_evidence
from mlstack.utils.atomic import atomic_directory

__all__ = [
    "render_markdown",
    "report_sections",
    "search_table",
    "write_model_card",
    "write_outputs",
]


def _table(frame: pd.DataFrame, floatfmt: str = ".4f") -> str:
    return frame.to_markdown(floatfmt=floatfmt)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else "- none"


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value)


def _test_lines(result: ExitTestResult) -> list[str]:
    lines = []
    for name, value in result.metrics["test"].items():
        ci = result.test_ci.get(name)
        interval = f" (95 % bootstrap interval {ci[0]:.4f} to {ci[1]:.4f})" if ci else ""
        lines.append(f"{name}: **{value:.4f}**{interval}")
    return lines


def _figure_block(figures: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"![{caption}](figures/{name})\n\n*{caption}*" for name, caption in figures)


def _comparison_table(result: ExitTestResult) -> pd.DataFrame:
    table = result.comparison[["estimator", "cv_mean", "cv_std", "fit_seconds_per_fold"]].copy()
    table.columns = ["estimator", f"CV {result.metrics['primary_metric']} mean", "std", "s/fold"]
    return table


def report_sections(
    result: ExitTestResult, figures: dict[str, list[tuple[str, str]]]
) -> list[tuple[str, str]]:
    """Return the report as ``(heading, markdown body)`` pairs."""
    p, m = result.prepared, result.metrics
    primary = m["primary_metric"]
    intro = (
        f"`mlstack exit-test` on **{p.source}**, predicting **`{p.target}`** "
        f"({p.task}). Training part: {m['n_train']} rows; held-out test set: {m['n_test']} "
        f"rows, scored {m['test_evaluations']} time. Cross-validated {primary}: "
        f"**{m['cv']['mean']:.4f} ± {m['cv']['std']:.4f}**; test {primary}: "
        f"**{m['test'][primary]:.4f}**."
    )
    profile = result.profile.columns.copy()
    profile["missing_share"] = (100 * profile["missing_share"]).round(1)
    profile = profile.rename(columns={"missing_share": "missing %"})
    profile = profile[["kind", "dtype", "missing %", "n_unique", "summary"]]
    encoded = pd.Series(result.column_kinds, name="encoded as").reindex(profile.index)
    profile["encoded as"] = encoded.fillna("not used").to_numpy()
    assoc = result.profile.target_associations.head(10).dropna(axis=1, how="all")
    findings = [
        f"`{f['kind']}` ({f['severity']}) on {', '.join(map(str, f['columns']))}: "
        + format_evidence(f["evidence"], holdout=True)
        for f in p.findings
    ]
    overlap = [
        f"`{f['kind']}` ({f['severity']}) on {', '.join(map(str, f['columns'][:5]))}: "
        + format_evidence(f["evidence"])
        + f". {f['advice']}"
        for f in p.overlap
    ]
    sections = [
        ("Summary", intro),
        ("What it decided, and why", _bullets(p.decisions)),
        ("Warnings", _bullets(p.warnings)),
        (
            "The data (training part)",
            f"{result.profile.n_rows} rows and {result.profile.n_columns} columns, the test "
            "set left out. The last column says how the final pipeline's TableVectorizer "
            "encodes each column (`not used`: the target and the dropped columns).\n\n"
            + _table(profile, ".3g")
            + "\n\nColumns most associated with the target (Cramér's V on a row sample; "
            "Pearson's r where both are numeric):\n\n"
            + (_table(assoc.set_index("column"), ".3f") if not assoc.empty else "none")
            + "\n\n"
            + _figure_block(figures["profile"]),
        ),
        (
            "Leakage audit",
            "On the training part alone (`mlstack.tools.leakage.auditor.audit_columns`, which splits it "
            "internally into a fit part and a holdout): identifiers are dropped, and so are "
            "target proxies of high severity or a strength of at least "
            f"{PROXY_DROP_STRENGTH} on their own; weaker ones are kept with a warning.\n\n"
            + _bullets(findings)
            + "\n\nTrain/test overlap (warnings only; the test set decides nothing):\n\n"
            + _bullets(overlap),
        ),
        (
            "Model comparison",
            f"Cross-validation scheme: {result.cv_scheme}. Each model is a `Pipeline` whose "
            "preprocessing is skrub's `tabular_pipeline` for that estimator.\n\n"
            + _table(_comparison_table(result))
            + "\n\n"
            + _figure_block(figures["models"]),
        ),
        ("Tuning", _tuning_text(result)),
        (
            "Final model and the single test evaluation",
            f"Model: `{m['model']}`\n\n"
            + _bullets(_test_lines(result))
            + f"\n\nThe test set was evaluated {m['test_evaluations']} time, through "
            "`mlstack.model_selection.guard.HeldOutTestSet`. The interval resamples the test rows' stored "
            "predictions; it does not look at the test set again.\n\n"
            + _figure_block(figures["test"]),
        ),
        (
            "Time",
            f"Budget: {result.budget_s:g} s.\n\n"
            + _table(
                pd.Series(result.seconds, name="seconds").to_frame().rename_axis("phase"), ".1f"
            ),
        ),
        ("Files", _files_text()),
    ]
    return sections


def _tuning_text(result: ExitTestResult) -> str:
    if result.search is None:
        return "No search: the time budget left no room for one."
    params = (
        "\n\nSettings chosen:\n\n"
        + _bullets([f"`{k}` = {_fmt(v)}" for k, v in sorted(result.best_params.items())])
        if result.best_params
        else "\n\nThe default settings were kept."
    )
    return (
        "`HalvingRandomSearchCV` on the same folds, sized to the budget:\n\n"
        + _table(search_table(result.search))
        + params
    )


def search_table(rounds: pd.DataFrame) -> pd.DataFrame:
    """The halving rounds with the best score as text, so counts stay integers in markdown."""
    return rounds.assign(best_score=rounds["best_score"].map("{:.4f}".format))


def _files_text() -> str:
    return _bullets(
        [
            "`metrics.json`: the numbers above, machine-readable",
            "`model_card.md`: the model card",
            "`model.skops`: the fitted pipeline; load it with `skops.io.load(path, "
            "trusted=skops.io.get_untrusted_types(file=path))` after reviewing that list",
            "`figures/`: the figures of this report",
        ]
    )


def write_model_card(result: ExitTestResult, path: Path) -> Path:
    """Write the model card with :class:`mlstack.reporting.model_card.ModelCard`."""
    from types import SimpleNamespace

    import skops.io as sio

    from mlstack.metrics.calibration import calibration_table
    from mlstack.reporting.model_card import (
        CVSummary,
        DataSummary,
        HeldOutResult,
        ModelCard,
        describe_estimator,
        reproducibility_facts,
    )

    p, m = result.prepared, result.metrics
    evaluation = result.evaluation
    y_true, y_score = np.asarray(evaluation.y_true), evaluation.y_score
    if p.task == "binary":  # the card's vectorized AUC wants 0/1 labels
        y_true = y_true == result.model.classes_[1]
    scored = SimpleNamespace(
        y_true=y_true, y_pred=evaluation.y_pred, y_score=y_score, scores=evaluation.scores
    )
    calibration = None
    if p.task != "regression" and y_score is not None:
        classes = None if p.task == "binary" else result.model.classes_
        calibration = calibration_table(y_true, y_score, classes=classes)
    description, params = describe_estimator(result.model)
    time = p.X_train[p.time] if p.time is not None and p.time in p.X_train else None
    card = ModelCard(
        title=f"{p.target} from {p.name}",
        problem=(
            f"Predict `{p.target}` ({p.task}) from the other columns of {p.source}. "
            f"Chosen model: {m['model'].split(':')[0]}."
        ),
        intended_use=(
            "A reference solution built automatically by `mlstack exit-test`: a baseline to "
            "beat and to review, not a model to deploy unreviewed."
        ),
        task=p.task,
        data=DataSummary.describe(
            p.y_train,
            evaluation.y_true,
            task=p.task,
            source=p.source,
            target=p.target,
            time=time,
            split=p.split_how,
            fingerprint=", ".join(f"{k} {v}" for k, v in p.fingerprints.items()),
        ),
        features_used=list(p.X_train.columns),
        features_excluded=dict(sorted(p.dropped.items())),
        model=description,
        hyperparameters=params,
        cv=CVSummary.from_scores(m["primary_metric"], m["cv"]["folds"], scheme=m["cv"]["scheme"]),
        test=HeldOutResult.from_evaluation(
            scored,
            metric=m["primary_metric"],
            n_evaluations=m["test_evaluations"],
            random_state=result.seed,
        ),
        calibration=calibration,
        limitations=_limitations(result),
        leakage_checks=_leakage_checks(result),
        warnings=list(p.warnings),
        reproducibility=reproducibility_facts(
            data_fingerprint=", ".join(f"{k} {v}" for k, v in p.fingerprints.items()),
            seeds={"split, folds, search, model": result.seed},
        ),
        model_file="model.skops",
        trusted_types=sio.get_untrusted_types(file=path.parent / "model.skops"),
        sections={
            "Model comparison (cross-validation)": _table(_comparison_table(result)),
        },
    )
    return card.write(path, figures=True)


def _limitations(result: ExitTestResult) -> list[str]:
    m = result.metrics
    return [
        f"Trained on {m['n_train']} rows of one table; it is only as good as that table is "
        "representative of where it will be used.",
        "The cross-validated score of a tuned model is slightly optimistic (it was selected "
        "among several candidates); the test score is the honest estimate.",
        "Built without domain knowledge: a column recorded after the target that is not "
        "strong enough to be flagged as a proxy would still be used.",
    ]


def _leakage_checks(result: ExitTestResult) -> list[str]:
    p, m = result.prepared, result.metrics
    return [
        "test set held out before any decision and scored once (`HeldOutTestSet`)",
        "identifier and target-proxy audit on the training part: "
        + (", ".join(f"`{c}` dropped" for c in sorted(p.dropped)) or "nothing dropped"),
        f"train/test overlap audit (duplicates, shared groups, time overlap, shift): "
        f"{len(p.overlap)} finding(s), listed in the warnings",
        "all preprocessing inside the `Pipeline`, fitted within each fold",
        f"cross-validation: {m['cv']['scheme']}",
    ]


def render_markdown(title: str, sections: list[tuple[str, str]]) -> str:
    """Render ``(heading, body)`` sections under an H1 title as markdown."""
    parts = [f"# {title}"] + [f"## {heading}\n\n{body}" for heading, body in sections]
    return "\n\n".join(parts).rstrip() + "\n"


def _model_figures(result: ExitTestResult, out: Path) -> dict[str, list[tuple[str, str]]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    meta = {"Software": None}
    primary = result.metrics["primary_metric"]
    fig, ax = plt.subplots()
    names = list(result.comparison.index)
    folds = np.array(result.comparison["folds"].tolist(), dtype=float)
    ax.barh(names, result.comparison["cv_mean"], xerr=result.comparison["cv_std"], alpha=0.6)
    for i, row in enumerate(folds):
        ax.plot(row, np.full(row.shape, i), "k.", markersize=4)
    ax.set(title="Cross-validated score per model", xlabel=f"{primary} (per fold: dots)")
    fig.tight_layout()
    fig.savefig(out / "models.png", metadata=meta)
    plt.close(fig)
    models = [("models.png", f"Cross-validated {primary} per model family, mean ± std.")]

    evaluation = result.evaluation
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    if result.prepared.task == "regression":
        ax.scatter(evaluation.y_true, evaluation.y_pred, s=6, alpha=0.4)
        low = float(min(np.min(evaluation.y_true), np.min(evaluation.y_pred)))
        high = float(max(np.max(evaluation.y_true), np.max(evaluation.y_pred)))
        ax.plot([low, high], [low, high], "k--", linewidth=1)
        target = result.prepared.target
        ax.set(
            title="Test set: predicted vs actual",
            xlabel=f"actual {target}",
            ylabel=f"predicted {target}",
        )
        caption = "Test set: predictions against actual values (dashed: perfect)."
    else:
        ConfusionMatrixDisplay.from_predictions(
            np.asarray(evaluation.y_true).astype(str),
            np.asarray(evaluation.y_pred).astype(str),
            ax=ax,
            colorbar=False,
            xticks_rotation=45,
        )
        ax.grid(False)
        ax.set_title("Test set: confusion matrix (rows: actual)")
        caption = "Test set: confusion matrix of the single evaluation."
    fig.tight_layout()
    fig.savefig(out / "test.png", metadata=meta)
    plt.close(fig)
    return {"models": models, "test": [("test.png", caption)]}


def write_outputs(result: ExitTestResult, *, started: float | None = None) -> Path:
    """Write report.md, model_card.md, model.skops, metrics.json and figures/ atomically."""
    from mlstack.reporting.table_profile import profile_figures

    phase = _time.perf_counter()
    p = result.prepared
    with atomic_directory(result.out_dir) as staging:
        fig_dir = staging / "figures"
        figures = {
            "profile": profile_figures(
                p.train_frame, p.target, p.task, result.profile, fig_dir, random_state=result.seed
            )
        }
        figures.update(_model_figures(result, fig_dir))
        # deflated (skops' JSON schema shrinks about 30 times) and byte-identical between runs
        save_model(result.model, staging / "model.skops")
        (staging / "metrics.json").write_text(
            json.dumps(result.metrics, indent=2, sort_keys=False, allow_nan=False) + "\n"
        )
        now = _time.perf_counter()
        result.seconds["figures, model file"] = now - phase
        if started is not None:
            result.seconds["total"] = now - started
        title = f"Exit test: {p.name}"
        (staging / "report.md").write_text(
            render_markdown(title, report_sections(result, figures))
        )
        write_model_card(result, staging / "model_card.md")
    return result.out_dir
