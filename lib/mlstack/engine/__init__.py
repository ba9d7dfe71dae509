"""The reproduce engine: execute notebooks headless, export their reports, keep them tidy.

``mlstack reproduce`` runs :func:`reproduce`; ``make strip`` runs :mod:`.hygiene`.
"""

from mlstack.engine.hygiene import (
    normalize,
    problems,
)
from mlstack.engine.ipython_ext import (
    load_ipython_extension,
)
from mlstack.engine.notebooks import (
    NOTEBOOK_PATTERN,
    NotebookInfo,
    cell_text_output,
    discover_notebooks,
    notebook_info,
    source_hash,
)
from mlstack.engine.params import (
    available_param_sets,
    load_param_set,
    params_for,
)
from mlstack.engine.report_index import (
    render_index,
    write_index,
)
from mlstack.engine.runner import (
    NotebookResult,
    ReproduceSummary,
    plan,
    reproduce,
)

__all__ = [
    "NOTEBOOK_PATTERN",
    "NotebookInfo",
    "NotebookResult",
    "ReproduceSummary",
    "available_param_sets",
    "cell_text_output",
    "discover_notebooks",
    "load_ipython_extension",
    "load_param_set",
    "normalize",
    "notebook_info",
    "params_for",
    "plan",
    "problems",
    "render_index",
    "reproduce",
    "source_hash",
    "write_index",
]
