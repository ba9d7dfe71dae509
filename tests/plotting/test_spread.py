import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mlstack.plotting.spread import plot_spread


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    n = np.repeat([10, 100, 1000], 20)
    return pd.DataFrame(
        {
            "n": np.tile(n, 2),
            "score": rng.normal(size=120),
            "model": ["tree"] * 60 + ["linear"] * 60,
        }
    )


def test_one_line_and_one_band_per_group(frame):
    ax = plot_spread(frame, x="n", y="score", hue="model")
    assert [line.get_label() for line in ax.get_lines()] == ["tree", "linear"]
    assert len(ax.collections) == 2
    np.testing.assert_allclose(
        ax.get_lines()[0].get_ydata(), frame[frame.model == "tree"].groupby("n")["score"].mean()
    )
    plt.close("all")


def test_logx_ticks_at_measured_values(frame):
    ax = plot_spread(frame, x="n", y="score", hue="model", logx=True)
    assert ax.get_xscale() == "log"
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["10", "100", "1,000"]
    plt.close("all")


def test_colors_and_existing_axes(frame):
    _, ax = plt.subplots()
    out = plot_spread(frame, x="n", y="score", hue="model", ax=ax, colors={"tree": "red"})
    assert out is ax
    assert ax.get_lines()[0].get_color() == "red"
    plt.close("all")
