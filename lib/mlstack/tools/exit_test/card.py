"""The exit test's model card, through :class:`mlstack.reporting.model_card.ModelCard`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from mlstack.tools.exit_test.result import ExitTestResult

__all__ = ["describe_model", "write_model_card"]


def _voters(estimator: Any) -> list[tuple[str, Any]]:
    named = getattr(estimator, "named_estimators_", None)
    return list(named.items()) if named is not None else []


def describe_model(result: ExitTestResult) -> tuple[str, dict[str, Any]]:
    """One paragraph naming the final model's parts, and its non-default settings.

    An ensemble is a vote over one pipeline per encoding, each ending in its model
    or in a vote over its members; every setting is prefixed with where it sits
    (``native: lightgbm_12: learning_rate``).
    """
    from mlstack.reporting.model_card import describe_estimator

    inner = getattr(result.model, "estimator_", result.model)
    pipelines = _voters(inner) or [("", inner)]
    parts, params = [], {}
    for encoding, pipeline in pipelines:
        prefix = f"{encoding}: " if encoding else ""
        text, settings = describe_estimator(pipeline)
        params.update({prefix + k: v for k, v in settings.items()})
        members = _voters(pipeline.steps[-1][1])
        for member, estimator in members:
            _, own = describe_estimator(estimator)
            params.update({f"{prefix}{member}: {k}": v for k, v in own.items()})
        if members:
            names = ", ".join(f"{m} ({type(e).__name__})" for m, e in members)
            text = text.rstrip(".") + f", voting over {names}."
        parts.append(prefix + text)
    if len(pipelines) == 1 and len(result.choice.members) == 1:
        return parts[0], params
    return f"{result.choice.label}. " + " ".join(parts), params


def _choice_text(result: ExitTestResult) -> str:
    table = result.families[["model", "default", "best", "best candidate", "tried", "status"]]
    lines = [
        "Families tried, each cross-validated on the same folds (scores: "
        f"{result.metrics['primary_metric']}):",
        "",
        table.to_markdown(floatfmt=".4f"),
        "",
        "How the final model was chosen (cross-validation only; each step up from the "
        "reference is judged on folds it was not chosen on):",
        "",
    ]
    lines += [f"- {reason}" for reason in result.choice.reasons]
    return "\n".join(lines)


def write_model_card(result: ExitTestResult, path: Path) -> Path:
    """Write the model card with :class:`mlstack.reporting.model_card.ModelCard`."""
    import skops.io as sio

    from mlstack.metrics.calibration import calibration_table
    from mlstack.reporting.model_card import (
        CVSummary,
        DataSummary,
        HeldOutResult,
        ModelCard,
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
    description, params = describe_model(result)
    time = p.X_train[p.time] if p.time is not None and p.time in p.X_train else None
    fingerprint = ", ".join(f"{k} {v}" for k, v in p.fingerprints.items())
    card = ModelCard(
        title=f"{p.target} from {p.name}",
        problem=(
            f"Predict `{p.target}` ({p.task}) from the other columns of {p.source}. "
            f"Chosen model: {result.choice.label}."
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
            fingerprint=fingerprint,
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
            data_fingerprint=fingerprint,
            seeds={"split, folds, search, model": result.seed},
        ),
        model_file="model.skops",
        trusted_types=sio.get_untrusted_types(file=path.parent / "model.skops"),
        sections={"How the model was chosen (cross-validation)": _choice_text(result)},
    )
    return card.write(path, figures=True)


def _limitations(result: ExitTestResult) -> list[str]:
    m = result.metrics
    return [
        f"Trained on {m['n_train']} rows of one table; it is only as good as that table is "
        "representative of where it will be used.",
        "The cross-validated score above is the chosen procedure's, scored on folds it was "
        "not chosen on (the reference model's own scores when it was kept); the test score "
        "is the final, independent estimate.",
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
