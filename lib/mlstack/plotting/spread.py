"""Plot a mean with its spread: one line per group, a shaded quantile band around it.

Learning curves, scores over many resamples and leaks measured over many
training sets all have the same shape: a long table with an x (training-set
size, a complexity knob), a measured y and a group. :func:`plot_spread` draws
them the same way everywhere, so a notebook cell stays one line plus labels.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

__all__ = ["plot_spread"]


def plot_spread(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str,
    band: tuple[float, float] = (0.1, 0.9),
    logx: bool = False,
    ax: Any = None,
    colors: dict[str, str] | None = None,
    linestyles: dict[str, str] | None = None,
) -> Any:
    """Plot the mean of ``y`` against ``x`` for each ``hue`` group, with a quantile band.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long format: one row per measurement, with columns ``x``, ``y``, ``hue``.
    x, y, hue : str
        Column names.
    band : (float, float), default=(0.1, 0.9)
        Lower and upper quantiles of the shaded band; ``(0, 1)`` shades the
        full range.
    logx : bool, default=False
        Log-scale x axis, ticked at the measured x values.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    colors, linestyles : dict, optional
        Per-group line colour and style.

    Returns
    -------
    matplotlib Axes
        Label it (title, axis labels with units) before showing it.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": [10, 10, 100, 100], "score": [0.5, 0.7, 0.6, 0.62],
    ...                       "model": ["a"] * 4})
    >>> ax = plot_spread(frame, x="n", y="score", hue="model", band=(0, 1))
    >>> [line.get_label() for line in ax.get_lines()]
    ['a']
    """
    if ax is None:
        _, ax = plt.subplots()
    low, high = band
    for group, part in frame.groupby(hue, sort=False):
        stats = part.groupby(x)[y].agg(
            mean="mean", low=lambda s: s.quantile(low), high=lambda s: s.quantile(high)
        )
        style = {}
        if colors and group in colors:
            style["color"] = colors[group]
        if linestyles and group in linestyles:
            style["linestyle"] = linestyles[group]
        (line,) = ax.plot(stats.index, stats["mean"], marker="o", label=str(group), **style)
        ax.fill_between(
            stats.index, stats["low"], stats["high"], color=line.get_color(), alpha=0.2
        )
    if logx:
        ticks = sorted(frame[x].unique())
        ax.set_xscale("log")
        ax.set_xticks(ticks, labels=[f"{tick:,}" for tick in ticks])
        ax.minorticks_off()
    ax.legend(fontsize="small")
    return ax
