"""The text ``mlstack lint`` prints: one line per finding, then a summary."""

from __future__ import annotations

from mlstack.tools.lint.rules import LintFinding

__all__ = ["format_lint"]


def format_lint(findings: list[LintFinding], n_files: int | None = None) -> str:
    """Render findings one per line, then a summary line.

    Examples
    --------
    >>> print(format_lint([LintFinding("a.py", None, 3, 1, "AP1", "loop")]))  # doctest: +ELLIPSIS
    a.py:3:1: AP1 loop
    1 problem(s) in 1 file(s) (AP1: 1); if a cell shows one on purpose, ...
    >>> format_lint([], n_files=4)
    'no anti-patterns found in 4 file(s)'
    """
    if not findings:
        checked = f" in {n_files} file(s)" if n_files is not None else ""
        return f"no anti-patterns found{checked}"
    lines = [str(f) for f in findings]
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    files = len({f.path for f in findings})
    rules = ", ".join(f"{rule}: {n}" for rule, n in sorted(counts.items()))
    lines.append(
        f"{len(findings)} problem(s) in {files} file(s) ({rules}); if a cell shows one on "
        "purpose, mark it with '# mlstack-lint: allow <ID>'"
    )
    return "\n".join(lines)
