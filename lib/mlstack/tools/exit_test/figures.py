"""The exit test's own figures: scores per family, and the single test evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlstack.tools.exit_test.result import ExitTestResult

__all__ = ["model_figures", "profile_figure_files"]

_META = {"Software": None}  # byte-identical PNGs between runs


def _families_figure(result: ExitTestResult, out: Path) -> tuple[str, str]:
    import matplotlib.pyplot as plt

    primary = result.metrics["primary_metric"]
    rows = []
    for name in result.families.index:
        mine = [e for e in result.pool if e.candidate.family == name]
        if mine:
            best = max(mine, key=lambda e: e.mean)
            rows.append((f"{name} (best)", best.scores))
    rows.append(("final model (re-checked)", np.asarray(result.choice.fold_scores)))
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(rows) + 1.4))
    for i, (_, scores) in enumerate(rows):
        ax.plot(scores, np.full(len(scores), i), "k.", markersize=4, alpha=0.6)
        ax.plot([np.mean(scores)], [i], "o", color="C0" if i < len(rows) - 1 else "C3")
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.set(title="Cross-validated score per family", xlabel=f"{primary} (dots: folds)")
    fig.tight_layout()
    fig.savefig(out / "models.png", metadata=_META)
    plt.close(fig)
    caption = (
        f"Cross-validated {primary} of each family's best candidate (dots: folds; circle: "
        "mean) and of the final model, scored on folds it was not chosen on."
    )
    return "models.png", caption


def _test_figure(result: ExitTestResult, out: Path) -> tuple[str, str]:
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

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
    fig.savefig(out / "test.png", metadata=_META)
    plt.close(fig)
    return "test.png", caption


def profile_figure_files(
    prepared, profile, seed: int
) -> tuple[list[tuple[str, str]], dict[str, bytes]]:
    """Draw the profile's figures now, kept in memory: ``([(file, caption)], {file: bytes})``.

    Drawn before the search, so the time they take is measured and spent early,
    not at the end when the budget is nearly used.
    """
    import tempfile

    from mlstack.reporting.table_profile import profile_figures

    with tempfile.TemporaryDirectory() as tmp:
        captions = profile_figures(
            prepared.train_frame, prepared.target, prepared.task, profile, tmp, random_state=seed
        )
        files = {name: (Path(tmp) / name).read_bytes() for name, _ in captions}
    return captions, files


def model_figures(result: ExitTestResult, out: Path) -> dict[str, list[tuple[str, str]]]:
    """Draw ``models.png`` and ``test.png`` into ``out``; return ``{section: [(file, caption)]}``."""
    import matplotlib

    matplotlib.use("Agg")
    return {"models": [_families_figure(result, out)], "test": [_test_figure(result, out)]}
