"""IPython extension the reproduce kernel loads: tables as markdown.

Markdown reports read best with real markdown tables, not HTML with inline
styles. This extension gives pandas objects a ``text/markdown`` representation
(the exporter prefers it); JupyterLab keeps showing its usual HTML tables.
Load it by hand with ``%load_ext mlstack.engine.ipython_ext``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension"]

MAX_ROWS = 60


def _frame_markdown(df: Any) -> str:
    import pandas as pd

    shown = (
        df if len(df) <= MAX_ROWS else pd.concat([df.head(MAX_ROWS // 2), df.tail(MAX_ROWS // 2)])
    )
    text = shown.to_markdown()
    if len(df) > MAX_ROWS:
        text += (
            f"\n\n*{len(df):,} rows x {df.shape[1]} columns; first and last {MAX_ROWS // 2} shown*"
        )
    return text


def _series_markdown(series: Any) -> str:
    return _frame_markdown(series.to_frame())


def load_ipython_extension(ipython: Any) -> None:
    """Register the markdown formatters (IPython extension entry point)."""
    import pandas as pd

    formatter = ipython.display_formatter.formatters["text/markdown"]
    formatter.for_type(pd.DataFrame, _frame_markdown)
    formatter.for_type(pd.Series, _series_markdown)
