"""The text ``mlstack leakage`` prints: a table of findings, a summary line, then advice."""

from __future__ import annotations

from mlstack.tools.leakage.findings import SEVERITIES, Finding, has_problems

__all__ = ["format_findings"]


def format_findings(findings: list[Finding]) -> str:
    """Render findings as the table ``mlstack leakage`` prints, with advice below it.

    Findings are shown in the order given (the audit's: most severe first, then by
    evidence), with their score. Advice is given once per kind; when something is of
    medium or high severity, the advice of ``low`` hints is left out.

    Examples
    --------
    >>> print(format_findings([]))
    no findings: nothing suggests leakage or shift between train and test
    """
    if not findings:
        return "no findings: nothing suggests leakage or shift between train and test"
    from tabulate import tabulate

    rows = [
        [i, f.severity, f"{f.score:.2f}", f.kind, ", ".join(f.columns) or "(rows)", f.describe()]
        for i, f in enumerate(findings, start=1)
    ]
    table = tabulate(
        rows,
        headers=["#", "severity", "score", "kind", "columns", "evidence"],
        tablefmt="simple",
        maxcolwidths=[None, None, None, None, 28, 70],
        disable_numparse=True,
    )
    counts = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    advice = []
    seen = set()
    for i, f in enumerate(findings, start=1):
        if f.severity == "low" and has_problems(findings):
            continue
        key = (f.kind, f.advice)
        if key in seen:
            continue
        seen.add(key)
        advice.append(f"  {f.kind} (#{i}): {f.advice}")
    lines = [table, "", f"{len(findings)} finding(s): {summary}", "what to do:", *advice]
    return "\n".join(lines)
