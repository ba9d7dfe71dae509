"""Every syllabus ID is answered somewhere, and the list of gaps can only shrink.

The syllabus (docs/syllabus.md, a copy of the curriculum's shared/syllabus.md) gives each
item an ID. A notebook declares the IDs it answers in its first cell (``Answers: V1 V2``);
runbooks, pattern outlines, the weekly log and reflections declare theirs with the same
line. ``STILL_MISSING`` names the IDs no file answers yet: the test fails both when an ID
is missing that is not listed (a regression) and when a listed ID has been answered (so
the list is kept honest and shrinks to nothing).
"""

from __future__ import annotations

import re

from mlstack.engine.notebooks import discover_notebooks, notebook_info, syllabus_ids
from mlstack.utils.paths import notebooks_dir, repo_root

STILL_MISSING: set[str] = set()

_ANSWERS_LINE = re.compile(r"^\s*\**Answers:?\**:?\s*(.+)$", re.MULTILINE)


def syllabus() -> list[str]:
    text = (repo_root() / "docs" / "syllabus.md").read_text(encoding="utf-8")
    return re.findall(r"^\| ((?:AP|[VSCFBATMKOPX])\d+) \|", text, re.MULTILINE)


def answered() -> dict[str, list[str]]:
    """Map each answered ID to the files that declare it."""
    where: dict[str, list[str]] = {}
    for path in discover_notebooks(notebooks_dir()):
        for item in notebook_info(path).answers:
            where.setdefault(item, []).append(path.name)
    root = repo_root()
    for folder in ("docs", "runbooks", "reports"):
        for path in sorted((root / folder).rglob("*.md")):
            if path.name == "syllabus.md":
                continue
            head = "\n".join(path.read_text(encoding="utf-8").splitlines()[:8])
            for match in _ANSWERS_LINE.finditer(head):
                for item in syllabus_ids(match.group(1)):
                    where.setdefault(item, []).append(str(path.relative_to(root)))
    return where


def test_syllabus_copy_matches_the_curriculum_when_available():
    shared = repo_root().parent / "shared" / "syllabus.md"
    if shared.exists():  # beside the repository on the project's machines
        assert (repo_root() / "docs" / "syllabus.md").read_text() == shared.read_text()
    assert len(syllabus()) == 47


def test_declared_answers_are_real_syllabus_ids():
    unknown = sorted(set(answered()) - set(syllabus()))
    assert unknown == []


def test_missing_ids_are_exactly_the_listed_ones():
    missing = {item for item in syllabus() if item not in answered()}
    newly_missing = sorted(missing - STILL_MISSING)
    now_answered = sorted(STILL_MISSING - missing)
    assert newly_missing == [], f"IDs no longer answered anywhere: {newly_missing}"
    assert now_answered == [], f"answered now, remove from STILL_MISSING: {now_answered}"
