"""``mlstack lint``: static checks of notebooks and scripts for the curriculum's anti-patterns.

:mod:`.checks` runs them (:func:`lint_paths`, :func:`lint_file`, :func:`lint_source`):
:mod:`.source` reads cells as IPython does, :mod:`.rules` names the rules and their
vocabulary, :mod:`.context` reads what a file binds, and one module per kind of check
(:mod:`.local_checks`: AP1, AP2, AP5; :mod:`.dataflow`: AP3; :mod:`.single_split`: AP4)
reports problems; :mod:`.formatting` prints them.
"""

from mlstack.tools.lint.checks import (
    iter_lint_files,
    lint_file,
    lint_notebook,
    lint_paths,
    lint_source,
)
from mlstack.tools.lint.formatting import format_lint
from mlstack.tools.lint.rules import RULES, LintFinding
from mlstack.tools.lint.source import UnparsableCellWarning

__all__ = [
    "LintFinding",
    "RULES",
    "UnparsableCellWarning",
    "format_lint",
    "iter_lint_files",
    "lint_file",
    "lint_notebook",
    "lint_paths",
    "lint_source",
]
