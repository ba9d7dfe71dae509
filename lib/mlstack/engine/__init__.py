"""The reproduce engine: execute notebooks headless, export their reports, keep them tidy.

``mlstack reproduce`` runs :func:`reproduce` (:mod:`.runner` names the steps
and the module of each); ``make strip`` and the git clean filter run
:mod:`.hygiene`.

The public names below are loaded on first use, in the manner of Scientific
Python's SPEC 1 (lazy loading): the git clean filter runs on every
``git status`` of a changed notebook and every kernel loads the
:mod:`.ipython_ext` extension, and neither should pay for the whole engine
(which imports pandas through :mod:`mlstack.utils`).
"""

from __future__ import annotations

import importlib
from typing import Any

#: Each public name and the module that defines it.
_EXPORTS = {
    "COMMAND_OUTPUTS": "manifest",
    "ImportGraph": "imports",
    "InputReader": "inputs",
    "LockedVersions": "locked",
    "NOTEBOOK_PATTERN": "notebooks",
    "NotebookInfo": "notebooks",
    "NotebookInputs": "inputs",
    "NotebookResult": "planning",
    "Project": "planning",
    "ReproduceSummary": "runner",
    "available_param_sets": "params",
    "cell_text_output": "notebooks",
    "clean_notebook_text": "hygiene",
    "discover_notebooks": "notebooks",
    "file_owners": "manifest",
    "load_ipython_extension": "ipython_ext",
    "load_param_set": "params",
    "normalize": "hygiene",
    "notebook_info": "notebooks",
    "params_for": "params",
    "parse_imports": "imports",
    "plan": "planning",
    "problems": "hygiene",
    "read_manifest": "manifest",
    "render_index": "report_index",
    "reproduce": "runner",
    "source_hash": "notebooks",
    "stale_reasons": "inputs",
    "write_index": "report_index",
}

__all__ = [
    "COMMAND_OUTPUTS",
    "ImportGraph",
    "InputReader",
    "LockedVersions",
    "NOTEBOOK_PATTERN",
    "NotebookInfo",
    "NotebookInputs",
    "NotebookResult",
    "Project",
    "ReproduceSummary",
    "available_param_sets",
    "cell_text_output",
    "clean_notebook_text",
    "discover_notebooks",
    "file_owners",
    "load_ipython_extension",
    "load_param_set",
    "normalize",
    "notebook_info",
    "params_for",
    "parse_imports",
    "plan",
    "problems",
    "read_manifest",
    "render_index",
    "reproduce",
    "source_hash",
    "stale_reasons",
    "write_index",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
