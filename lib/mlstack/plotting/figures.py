"""Plot helpers shared by the notebooks, so cells stay one-liners.

Figures are plain matplotlib with titles, axis labels and units. :func:`setup`
pins the style so that a figure is the same bytes on every run.
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl

__all__ = ["plot_calibration", "setup"]


def setup() -> None:
    """Apply the repository's plot style (call once at the top of a notebook)."""
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "mlstack",
            "image.interpolation": "nearest",
        }
    )


def plot_calibration(table: Any, *, ax: Any = None, task: str = "binary") -> Any:
    """Draw a reliability diagram from :func:`mlstack.metrics.calibration.calibration_table`.

    Parameters
    ----------
    table : pandas.DataFrame
        With columns ``mean_predicted``, ``observed_rate`` and ``n``.
    ax : matplotlib Axes, optional
        Where to draw; the current axes by default.
    task : str, default="binary"
        ``"binary"`` labels the axes as positive-class probability and rate,
        anything else as top-label confidence and accuracy.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    ax.plot(
        [0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfectly calibrated"
    )
    ax.plot(
        table["mean_predicted"],
        table["observed_rate"],
        marker="o",
        label="model (one dot per bin)",
    )
    top = max(float(table["mean_predicted"].max()), float(table["observed_rate"].max()))
    limit = min(1.0, top * 1.1 + 0.02)
    ax.set_xlim(0, limit)
    ax.set_ylim(0, limit)
    if task == "binary":
        ax.set_xlabel("mean predicted probability (per bin)")
        ax.set_ylabel("observed positive rate (per bin)")
    else:
        ax.set_xlabel("mean confidence of the predicted class (per bin)")
        ax.set_ylabel("accuracy (per bin)")
    ax.set_title("Reliability diagram (test set)")
    ax.legend(loc="upper left")
    return ax
