"""An exam workspace on disk: the files a learner receives, and reading them back.

:func:`new_exam` writes the workspace (``README.md``, ``exam.json``, ``part1/``,
``part2/``, ``part3/``) all at once and records the start time; :func:`load_exam`
reads it back, re-derives the exam from the seed (:func:`~mlstack.tools.exam.derive.build_exam`)
and checks that the derivation still gives the files the learner got.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time as _time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mlstack.errors import InputError
from mlstack.tools.exam.derive import Exam, build_exam, check_seed
from mlstack.tools.exam.scenarios import measure
from mlstack.tools.exam.texts import answer_template, prompt, readme, scenario, task
from mlstack.utils.atomic import atomic_directory, write_json, write_text

__all__ = ["FORMAT", "ExamState", "iso_time", "load_exam", "new_exam"]

#: Version of the workspace layout and of the derivation from the seed.
FORMAT = 1
MAX_SEED = 1_000_000


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _exam_files(exam: Exam) -> dict[str, bytes]:
    """The data files of the workspace, by path relative to it."""
    part2 = exam.part2
    return {
        "part1/train.csv": _csv_bytes(exam.part1.train),
        "part1/test.csv": _csv_bytes(exam.part1.test),
        "part2/train.csv": _csv_bytes(part2.train),
        "part2/validation.csv": _csv_bytes(part2.validation),
        "part2/test.csv": _csv_bytes(part2.test),
    }


def _digests(files: dict[str, bytes]) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in sorted(files.items())}


def new_exam(directory: str | Path, seed: int | None = None) -> Path:
    """Write a fresh exam workspace into ``directory`` and start its clock.

    Parameters
    ----------
    directory : str or pathlib.Path
        A directory that does not exist yet (or is empty).
    seed : int, optional
        Decides the tables, the splits and the planted cause; a random one by default.
        The answers are not written: grading re-derives them from the seed.

    Returns
    -------
    pathlib.Path
        The workspace.

    Raises
    ------
    InputError
        If ``directory`` is a file or a directory that is not empty, or ``seed`` is not
        a whole number from 0.
    """
    directory = Path(directory)
    if directory.is_file() or (directory.is_dir() and any(directory.iterdir())):
        raise InputError(
            f"{directory}: already exists and is not empty; give a new directory",
            path=directory,
        )
    seed = secrets.randbelow(MAX_SEED) if seed is None else check_seed(seed)
    exam = build_exam(seed)
    measured = measure(exam.part2)
    files = _exam_files(exam)
    started = _time.time()
    state = {
        "format": FORMAT,
        "seed": seed,
        "started_at": iso_time(started),
        "started_epoch": started,
        "files": _digests(files),
    }
    with atomic_directory(directory) as staging:
        for relative, data in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        write_text(staging / "README.md", readme(exam, directory, state["started_at"]))
        write_text(staging / "part1" / "TASK.md", task(exam.part1))
        write_text(staging / "part2" / "SCENARIO.md", scenario(exam.part2, measured))
        write_text(staging / "part2" / "answer.toml", answer_template())
        write_text(staging / "part3" / "PROMPT.md", prompt())
        write_json(staging / "exam.json", state)
    return directory


def iso_time(epoch: float) -> str:
    """``epoch`` seconds as an ISO 8601 UTC time to the second.

    Examples
    --------
    >>> iso_time(0)
    '1970-01-01T00:00:00Z'
    """
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ExamState:
    """A workspace read back: where it is, its ``exam.json``, and the exam re-derived."""

    directory: Path
    seed: int
    started_epoch: float
    started_at: str
    exam: Exam


def load_exam(directory: str | Path) -> ExamState:
    """Read a workspace's ``exam.json`` and re-derive its exam from the seed.

    Raises
    ------
    InputError
        If ``directory`` is not an exam workspace, its ``exam.json`` is unreadable,
        or the seed no longer gives the files the workspace was made with (it was
        made by another version of the exam).
    """
    directory = Path(directory)
    path = directory / "exam.json"
    if not path.is_file():
        raise InputError(
            f"{directory}: not an exam workspace (no exam.json); make one with "
            "`mlstack exam new DIR`",
            path=directory,
        )
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        seed, started = int(state["seed"]), float(state["started_epoch"])
        version, digests = int(state["format"]), dict(state["files"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: unreadable ({type(exc).__name__}: {exc}); the exam needs the file as "
            "`mlstack exam new` wrote it",
            path=path,
        ) from None
    if version != FORMAT:
        raise InputError(
            f"{path}: made by exam format {version}, this version grades format {FORMAT}",
            path=path,
        )
    exam = build_exam(seed)
    if _digests(_exam_files(exam)) != digests:
        raise InputError(
            f"{path}: seed {seed} no longer gives the files this workspace was made with "
            "(the exam's tables or code changed since); grade it with the version that made "
            "it, or start a new exam",
            path=path,
        )
    return ExamState(directory, seed, started, iso_time(started), exam)
