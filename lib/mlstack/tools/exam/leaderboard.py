"""``mlstack exam submit``: score Part 1's predictions on the public half, and keep the leaderboard.

Like a Kaggle competition, the test rows of Part 1 are split in two halves the
learner cannot tell apart. :func:`submit` scores ``part1/predictions.csv`` on the
*public* half, keeps a copy under ``submissions/`` and appends a line to
``leaderboard.csv`` (number, time, public score with its bootstrap interval).
The grade scores the *private* half: keeping whichever variant scored best in
public selects on noise in those rows, and shows up as a public score above
the private one (anti-pattern AP2, test data used in model selection).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import time as _time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlstack.errors import InputError
from mlstack.metrics.bootstrap import ConfidenceInterval
from mlstack.tools.exam.derive import Part1
from mlstack.tools.exam.rules import ID_COLUMN, PREDICTIONS
from mlstack.tools.exam.scoring import score_interval
from mlstack.tools.exam.workspace import iso_time, load_exam
from mlstack.utils.atomic import write_text

__all__ = [
    "LEADERBOARD",
    "Submission",
    "format_leaderboard",
    "read_leaderboard",
    "read_predictions",
    "submit",
]

#: The leaderboard inside the workspace, one line per submission.
LEADERBOARD = "leaderboard.csv"
_COLUMNS = [
    "submission",
    "submitted_at",
    "elapsed_min",
    "metric",
    "public_score",
    "public_low",
    "public_high",
    "sha256",
]


def read_predictions(path: str | Path, part1: Part1) -> np.ndarray:
    """Read a predictions file and return the prediction of each test row, in test order.

    Parameters
    ----------
    path : str or pathlib.Path
        A CSV file with the columns ``row_id`` and ``prediction``, one row per test row.
    part1 : Part1
        The exam's Part 1 (its test rows, task and labels).

    Returns
    -------
    numpy.ndarray
        Probabilities of the positive class (binary), labels (multiclass, as text) or
        values (regression).

    Raises
    ------
    InputError
        Naming the file and what is wrong: missing, unreadable, a missing column,
        missing, repeated or unknown row ids, or predictions of the wrong kind.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file; write your predictions there", path=path)
    try:
        frame = pd.read_csv(path)
    except Exception as exc:  # pandas raises several types for a bad CSV
        raise InputError(
            f"{path}: cannot read it as CSV ({type(exc).__name__}: {exc})", path=path
        ) from None
    for column in (ID_COLUMN, "prediction"):
        if column not in frame.columns:
            raise InputError(
                f"{path}: no column {column!r} (columns: {', '.join(map(str, frame.columns))}); "
                f"write the columns {ID_COLUMN!r} and 'prediction'",
                path=path,
                column=column,
            )
    ids = pd.to_numeric(frame[ID_COLUMN], errors="coerce")
    expected = part1.test[ID_COLUMN]
    repeated = ids[ids.duplicated()].dropna().astype(int).unique().tolist()
    if repeated:
        raise InputError(
            f"{path}: {ID_COLUMN} {repeated[:5]} appear more than once; give one row per test row",
            path=path,
            column=ID_COLUMN,
        )
    missing = sorted(set(expected) - set(ids.dropna().astype(int)))
    unknown = frame.loc[~ids.isin(expected), ID_COLUMN].tolist()
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"{len(missing)} test rows have no prediction (e.g. {missing[:5]})")
        if unknown:
            parts.append(f"{len(unknown)} rows are not test rows (e.g. {unknown[:5]})")
        raise InputError(
            f"{path}: {'; '.join(parts)}; give one prediction for each {ID_COLUMN} of test.csv",
            path=path,
            column=ID_COLUMN,
        )
    aligned = frame.set_index(ids.astype(int))["prediction"].reindex(expected.to_numpy())
    return _checked(aligned, part1, path)


def _checked(prediction: pd.Series, part1: Part1, path: Path) -> np.ndarray:
    table = part1.table
    if prediction.isna().any():
        raise InputError(
            f"{path}: {int(prediction.isna().sum())} predictions are empty; predict every row",
            path=path,
            column="prediction",
        )
    if table.task == "multiclass":
        labels = prediction.map(_label).astype(str)
        unknown = sorted(set(labels) - set(part1.classes))
        if unknown:
            raise InputError(
                f"{path}: predictions {unknown[:5]} are not labels of {table.target!r} "
                f"(labels: {', '.join(part1.classes)})",
                path=path,
                column="prediction",
            )
        return labels.to_numpy()
    values = pd.to_numeric(prediction, errors="coerce")
    if values.isna().any() or not np.isfinite(values).all():
        raise InputError(
            f"{path}: predictions must be numbers; {int(values.isna().sum())} are not",
            path=path,
            column="prediction",
        )
    if table.task == "binary" and ((values < 0) | (values > 1)).any():
        raise InputError(
            f"{path}: predictions must be probabilities that {table.target!r} is "
            f"{table.positive!r}, from 0 to 1",
            path=path,
            column="prediction",
        )
    return values.to_numpy(dtype=float)


def _label(value: object) -> object:
    """A label read from CSV as the number 2.0 is the label ``2``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class Submission:
    """One submission: its number, time, public score, and the leaderboard after it."""

    number: int
    submitted_at: str
    elapsed_min: float
    public: ConfidenceInterval
    leaderboard: pd.DataFrame


def read_leaderboard(directory: str | Path) -> pd.DataFrame:
    """The workspace's leaderboard (empty when nothing was submitted)."""
    path = Path(directory) / LEADERBOARD
    if not path.is_file():
        return pd.DataFrame(columns=_COLUMNS)
    try:
        board = pd.read_csv(path)
    except Exception as exc:
        raise InputError(
            f"{path}: unreadable ({type(exc).__name__}); `mlstack exam submit` writes it, "
            "do not edit it",
            path=path,
        ) from None
    if list(board.columns) != _COLUMNS:
        raise InputError(
            f"{path}: unexpected columns; `mlstack exam submit` writes it, do not edit it",
            path=path,
        )
    return board


def submit(
    directory: str | Path, predictions: str | Path | None = None, *, now: float | None = None
) -> Submission:
    """Score a predictions file on the public half of Part 1's test rows; add it to the board.

    Parameters
    ----------
    directory : str or pathlib.Path
        The exam workspace.
    predictions : str or pathlib.Path, optional
        The file to submit; ``part1/predictions.csv`` of the workspace by default.
    now : float, optional
        The submission time in seconds since the epoch (the current time by default).

    Returns
    -------
    Submission

    Raises
    ------
    InputError
        If ``directory`` is not an exam workspace or the predictions are unusable
        (nothing is recorded then).
    """
    state = load_exam(directory)
    part1 = state.exam.part1
    path = Path(predictions) if predictions is not None else state.directory / PREDICTIONS
    prediction = read_predictions(path, part1)
    public = part1.public
    interval = score_interval(
        part1.answers.to_numpy()[public],
        prediction[public],
        part1.table.task,
        part1.table.positive,
    )
    board = read_leaderboard(state.directory)
    number = len(board) + 1
    when = _time.time() if now is None else float(now)
    data = path.read_bytes()
    copy = state.directory / "submissions" / f"{number:03d}.csv"
    copy.parent.mkdir(exist_ok=True)
    shutil.copyfile(path, copy)
    line = {
        "submission": number,
        "submitted_at": iso_time(when),
        "elapsed_min": round((when - state.started_epoch) / 60, 1),
        "metric": interval.metric,
        "public_score": round(interval.estimate, 6),
        "public_low": round(interval.low, 6),
        "public_high": round(interval.high, 6),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    board = (
        pd.concat([board, pd.DataFrame([line])], ignore_index=True)
        if len(board)
        else pd.DataFrame([line])
    )
    buffer = io.StringIO()
    board.to_csv(buffer, index=False, lineterminator="\n")
    write_text(state.directory / LEADERBOARD, buffer.getvalue())
    return Submission(number, line["submitted_at"], line["elapsed_min"], interval, board)


def format_leaderboard(board: pd.DataFrame, *, latest: int | None = None, top: int = 5) -> str:
    """The best ``top`` public scores, and the latest submission (marked ``*``) if not among them.

    Examples
    --------
    >>> board = pd.DataFrame({"submission": [1, 2], "submitted_at": ["t1", "t2"],
    ...     "elapsed_min": [10.0, 20.0], "metric": ["r2", "r2"], "public_score": [0.5, 0.6],
    ...     "public_low": [0.4, 0.5], "public_high": [0.6, 0.7], "sha256": ["a", "b"]})
    >>> print(format_leaderboard(board, latest=1))
     #  minutes  public r2     95% interval
     2     20.0     0.6000 [0.5000, 0.7000]
    *1     10.0     0.5000 [0.4000, 0.6000]
    """
    if board.empty:
        return "no submissions yet"
    metric = board["metric"].iloc[-1]
    ranked = board.sort_values(["public_score", "submission"], ascending=[False, True])
    shown = ranked.head(top)
    if latest is not None and latest not in set(shown["submission"]):
        shown = pd.concat([shown, board[board["submission"] == latest]])
    mark = np.where(shown["submission"] == latest, "*", "")
    table = pd.DataFrame(
        {
            "#": pd.Series(mark, index=shown.index) + shown["submission"].astype(str),
            "minutes": shown["elapsed_min"].map("{:.1f}".format),
            f"public {metric}": shown["public_score"].map("{:.4f}".format),
            "95% interval": "["
            + shown["public_low"].map("{:.4f}".format)
            + ", "
            + shown["public_high"].map("{:.4f}".format)
            + "]",
        }
    )
    return table.to_string(index=False)
