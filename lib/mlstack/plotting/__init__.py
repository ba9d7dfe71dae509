"""Plot helpers shared by the notebooks and reports, so cells stay one-liners."""

from mlstack.plotting.figures import (
    plot_calibration,
    setup,
)
from mlstack.plotting.spread import (
    plot_spread,
)

__all__ = [
    "plot_calibration",
    "plot_spread",
    "setup",
]
