"""``mlstack lint``: static checks of notebooks and scripts for the curriculum's anti-patterns."""

from mlstack.tools.lint.checks import (
    RULES,
    LintFinding,
    format_lint,
    iter_lint_files,
    lint_file,
    lint_notebook,
    lint_paths,
    lint_source,
)

__all__ = [
    "LintFinding",
    "RULES",
    "format_lint",
    "iter_lint_files",
    "lint_file",
    "lint_notebook",
    "lint_paths",
    "lint_source",
]
