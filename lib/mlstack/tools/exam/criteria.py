"""The checks of a hand-in that need no model: code, model card, leakage answer, reflection, time.

Each function returns a :class:`Criterion`: passed or not, and one sentence
saying why, naming the file and what to change. A missing or unreadable
hand-in is a failed criterion with that message, never an exception.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from mlstack.errors import InputError
from mlstack.tools.exam.outcome import Criterion
from mlstack.tools.exam.rules import (
    CAUSES,
    CROSS_VALIDATION,
    MAX_EXTRA_COLUMNS,
    MIN_FIGURES,
    MINUTES,
    MODEL_CARD_SECTIONS,
    PIPELINE,
    WORDS,
)
from mlstack.tools.lint import iter_lint_files, lint_paths

__all__ = [
    "check_answer",
    "check_code",
    "check_model_card",
    "check_pipeline",
    "check_reflection",
    "check_time",
    "code_files",
    "count_figures",
    "count_words",
]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ALLOW = re.compile(r"mlstack-lint:\s*allow", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.\-]*")
_FIGURE = re.compile(
    r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s?"
    r"(%|×|x\b|(?:ms|s|sec|secs|seconds?|min|minutes?|h|hours?|[KMGT]i?B|rows|million|times)\b)",
    re.IGNORECASE,
)


def code_files(folder: Path) -> list[Path]:
    """The learner's notebooks and scripts in ``folder`` (hidden folders skipped)."""
    if not folder.is_dir():
        return []
    return list(iter_lint_files([folder]))


def _code_text(path: Path) -> str:
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8", errors="replace")
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (ValueError, KeyError, TypeError):
        return ""
    sources = [c.get("source", "") for c in cells if c.get("cell_type") == "code"]
    return "\n".join("".join(s) if isinstance(s, list) else str(s) for s in sources)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def check_code(files: list[Path], root: Path) -> Criterion:
    """No anti-pattern found by ``mlstack lint`` in the learner's code, and none silenced."""
    title = "no anti-pattern in the code (mlstack lint)"
    if not files:
        return Criterion(
            "anti_patterns",
            "Part 1",
            title,
            False,
            "no notebook or script in part1/: hand in the .ipynb or .py that made the predictions",
        )
    try:
        findings = lint_paths(files)
    except InputError as exc:
        return Criterion("anti_patterns", "Part 1", title, False, f"cannot lint: {exc}")
    silenced = [_relative(p, root) for p in files if _ALLOW.search(_code_text(p))]
    if findings:
        shown = "; ".join(
            f"{_relative(Path(f.path), root)} line {f.line}"
            + (f" (cell {f.cell})" if f.cell is not None else "")
            + f": {f.rule} {f.message}"
            for f in findings[:4]
        )
        more = f" and {len(findings) - 4} more" if len(findings) > 4 else ""
        return Criterion(
            "anti_patterns",
            "Part 1",
            title,
            False,
            f"{len(findings)} anti-pattern(s): {shown}{more}",
        )
    if silenced:
        return Criterion(
            "anti_patterns",
            "Part 1",
            title,
            False,
            f"{', '.join(silenced)} silence(s) the linter with '# mlstack-lint: allow': an exam "
            "hand-in demonstrates nothing on purpose, remove the comment and fix the code",
        )
    names = ", ".join(_relative(p, root) for p in files)
    return Criterion(
        "anti_patterns",
        "Part 1",
        title,
        True,
        f"mlstack lint finds no anti-pattern in {len(files)} file(s): {names}",
    )


def _first_name(text: str, names: tuple[str, ...]) -> str | None:
    for name in names:
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text):
            return name
    return None


def check_pipeline(files: list[Path], root: Path) -> Criterion:
    """The code cross-validates a pipeline (names of :data:`~.rules.CROSS_VALIDATION` and :data:`~.rules.PIPELINE`)."""
    title = "a cross-validated pipeline"
    if not files:
        return Criterion(
            "cross_validated_pipeline", "Part 1", title, False, "no notebook or script in part1/"
        )
    text = "\n".join(_code_text(p) for p in files)
    cv, pipeline = _first_name(text, CROSS_VALIDATION), _first_name(text, PIPELINE)
    missing = []
    if cv is None:
        missing.append("no cross-validation (cross_validate, cross_val_score, a *SearchCV)")
    if pipeline is None:
        missing.append("no pipeline (Pipeline, make_pipeline, skrub's tabular_pipeline)")
    if missing:
        return Criterion(
            "cross_validated_pipeline",
            "Part 1",
            title,
            False,
            f"{'; '.join(missing)} in {', '.join(_relative(p, root) for p in files)}",
        )
    return Criterion(
        "cross_validated_pipeline",
        "Part 1",
        title,
        True,
        f"cross-validation (`{cv}`) of a pipeline (`{pipeline}`)",
    )


def _sections(text: str) -> list[tuple[int, str, bool]]:
    """Each heading: its level, its text, and whether any text is under it."""
    lines = text.splitlines()
    headings = [(i, _HEADING.match(line)) for i, line in enumerate(lines)]
    headings = [(i, len(m.group(1)), m.group(2)) for i, m in headings if m]
    out = []
    for k, (i, level, name) in enumerate(headings):
        end = next((j for j, lv, _ in headings[k + 1 :] if lv <= level), len(lines))
        body = [line for line in lines[i + 1 : end] if line.strip() and not _HEADING.match(line)]
        out.append((level, name, bool(body)))
    return out


def check_model_card(path: Path) -> Criterion:
    """``part1/model_card.md`` exists and has each section of :data:`~.rules.MODEL_CARD_SECTIONS`, with text."""
    title = "a model card with its sections"
    if not path.is_file():
        return Criterion(
            "model_card",
            "Part 1",
            title,
            False,
            f"part1/{path.name} is missing: write the model card ({', '.join(MODEL_CARD_SECTIONS)})",
        )
    sections = [
        (name, filled)
        for _, name, filled in _sections(path.read_text(encoding="utf-8", errors="replace"))
        if "model card" not in name.lower()
    ]
    missing, empty = [], []
    for section, words in MODEL_CARD_SECTIONS.items():
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + ")", re.IGNORECASE)
        found = [filled for name, filled in sections if pattern.search(name)]
        if not found:
            missing.append(section)
        elif not any(found):
            empty.append(section)
    if missing or empty:
        parts = []
        if missing:
            parts.append(f"no section {', '.join(missing)}")
        if empty:
            parts.append(f"nothing under {', '.join(empty)}")
        return Criterion(
            "model_card",
            "Part 1",
            title,
            False,
            f"part1/{path.name}: {'; '.join(parts)} (headings must name "
            f"{', '.join(MODEL_CARD_SECTIONS)})",
        )
    return Criterion(
        "model_card",
        "Part 1",
        title,
        True,
        f"part1/{path.name} has {', '.join(MODEL_CARD_SECTIONS)}",
    )


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def check_answer(path: Path, kind: str, columns: tuple[str, ...]) -> Criterion:
    """The cause named in ``part2/answer.toml`` is the planted ``kind``, with its ``columns``."""
    title = "the leakage cause and its columns"
    planted = f"`{kind}`" + (f" ({', '.join(f'`{c}`' for c in columns)})" if columns else "")
    if not path.is_file():
        return Criterion("leakage_answer", "Part 2", title, False, "part2/answer.toml is missing")
    try:
        answer = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return Criterion(
            "leakage_answer",
            "Part 2",
            title,
            False,
            f"part2/answer.toml is not valid TOML ({exc}); keep the template's form",
        )
    cause = _normal(answer.get("cause", ""))
    named = answer.get("columns", [])
    if isinstance(named, str):
        named = [named]
    if not cause:
        return Criterion(
            "leakage_answer",
            "Part 2",
            title,
            False,
            f"part2/answer.toml names no cause; the planted one was {planted}",
        )
    if cause not in CAUSES:
        return Criterion(
            "leakage_answer",
            "Part 2",
            title,
            False,
            f"part2/answer.toml: cause {cause!r} is none of {', '.join(CAUSES)}; "
            f"the planted one was {planted}",
        )
    if cause != kind:
        return Criterion(
            "leakage_answer",
            "Part 2",
            title,
            False,
            f"you named `{cause}`; the planted cause was {planted}",
        )
    named_set = {str(c).strip().lower() for c in named}
    wanted = {c.lower() for c in columns}
    if not wanted:
        return Criterion(
            "leakage_answer",
            "Part 2",
            title,
            True,
            f"you named {planted}, the planted cause (it is about whole rows)",
        )
    if not wanted <= named_set:
        return Criterion(
            "leakage_answer",
            "Part 2",
            title,
            False,
            f"right cause `{kind}`, but your columns {sorted(named_set) or '[]'} miss the planted "
            f"{', '.join(f'`{c}`' for c in columns)}",
        )
    extra = len(named_set - wanted)
    if extra > MAX_EXTRA_COLUMNS:
        return Criterion(
            "leakage_answer",
            "Part 2",
            title,
            False,
            f"right cause `{kind}`, but {extra} columns besides the planted "
            f"{', '.join(f'`{c}`' for c in columns)} (at most {MAX_EXTRA_COLUMNS}): name the cause, "
            "not every column",
        )
    return Criterion(
        "leakage_answer", "Part 2", title, True, f"you named {planted}, the planted cause"
    )


def count_words(text: str) -> int:
    """Words of prose in markdown (numbers count, markup does not).

    Examples
    --------
    >>> count_words("## Title\\n\\nPolars read 10 GB in *12.5 s*, pandas didn't.")
    10
    """
    return len(_WORD.findall(text))


def count_figures(text: str) -> list[str]:
    """The measured figures in ``text``: numbers with a unit, except the question's 10 GB.

    Examples
    --------
    >>> count_figures("On 10 GB, DuckDB took 41 s, pandas ran out of memory at 24 GiB; 3.2x faster.")
    ['41 s', '24 GiB', '3.2x']
    """
    found = [m.group(0) for m in _FIGURE.finditer(text)]
    return [f for f in found if re.sub(r"\s", "", f).lower() != "10gb"]


def check_reflection(path: Path) -> Criterion:
    """``part3/reflection.md``: about 400 words, the three engines named, measured figures cited."""
    title = "the reflection: length, engines, measured figures"
    if not path.is_file():
        return Criterion("reflection", "Part 3", title, False, "part3/reflection.md is missing")
    text = path.read_text(encoding="utf-8", errors="replace")
    words, figures = count_words(text), count_figures(text)
    low, high = WORDS
    engines = [e for e in ("pandas", "Polars", "DuckDB") if not re.search(e, text, re.IGNORECASE)]
    problems = []
    if not low <= words <= high:
        problems.append(f"{words} words (write {low} to {high})")
    if engines:
        problems.append(f"does not name {', '.join(engines)}")
    if len(figures) < MIN_FIGURES:
        shown = f" ({', '.join(figures)})" if figures else ""
        problems.append(
            f"{len(figures)} measured figure(s){shown}; cite at least {MIN_FIGURES} "
            "(a number with its unit, e.g. from reports/csv_bench.md)"
        )
    if problems:
        return Criterion("reflection", "Part 3", title, False, "; ".join(problems))
    return Criterion(
        "reflection",
        "Part 3",
        title,
        True,
        f"{words} words, names pandas, Polars and DuckDB, cites {len(figures)} figures "
        f"({', '.join(figures[:4])}{', ...' if len(figures) > 4 else ''})",
    )


def check_time(started: float, handed_in: float | None) -> Criterion:
    """The last change to a hand-in file is within :data:`~.rules.MINUTES` of the start."""
    allowed = MINUTES["total"]
    title = f"within {allowed // 60} hours"
    if handed_in is None:
        return Criterion("time", "Exam", title, False, "nothing was handed in")
    minutes = (handed_in - started) / 60
    hours, rest = divmod(max(minutes, 0.0), 60)
    took = f"{int(hours)} h {rest:02.0f} min"
    if minutes > allowed:
        return Criterion(
            "time",
            "Exam",
            title,
            False,
            f"the last hand-in changed {took} after the start, past the {allowed} minutes allowed",
        )
    return Criterion(
        "time", "Exam", title, True, f"handed in {took} after the start ({allowed} min allowed)"
    )
