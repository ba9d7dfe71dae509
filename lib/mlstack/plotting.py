"""Plot helpers shared by the notebooks, so cells stay one-liners.

Figures are plain matplotlib with titles, axis labels and units. :func:`setup`
pins the style so that a figure is the same bytes on every run.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["setup"]


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
