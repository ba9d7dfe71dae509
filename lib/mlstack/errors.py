"""The package's own exceptions.

Every error a user can cause (a missing file, a bad column, a bad parameter, a
notebook that fails) is one of these. Like papermill's
``PapermillExecutionError``, each carries its facts as attributes (``path``,
``column``, ``parameter``, and for the engine ``notebook`` and ``cell``), so a
caller can act on them without parsing the message. The command line turns any
of them into one ``error: ...`` line and exit status 2, with no traceback.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DataError",
    "InputError",
    "MlstackError",
    "ReproduceError",
    "TestSetReuseError",
]


class MlstackError(Exception):
    """Base class for every error the command line reports as ``error: ...``.

    Parameters
    ----------
    message : str
        One line that names what is wrong and what to do.
    path : str or os.PathLike, optional
        The file the error is about.
    column : str, optional
        The column the error is about.
    parameter : str, optional
        The library parameter the error is about (``budget_s``); the command
        line names its own flag instead (``--budget-s``).

    Examples
    --------
    >>> error = InputError("column 'y' is missing", path="train.csv", column="y")
    >>> (str(error), error.path, error.column, error.parameter)
    ("column 'y' is missing", 'train.csv', 'y', None)
    """

    def __init__(
        self,
        message: str,
        *,
        path: Any = None,
        column: str | None = None,
        parameter: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.column = column
        self.parameter = parameter

    def facts(self) -> dict[str, Any]:
        """Return the facts that are set, by name."""
        names = ("path", "column", "parameter", "notebook", "cell")
        return {
            name: getattr(self, name) for name in names if getattr(self, name, None) is not None
        }


class InputError(MlstackError, ValueError):
    """Bad user input: a missing or unreadable file, a missing column, a bad parameter."""


class DataError(MlstackError):
    """The bundled data could not be loaded (unknown table, unreadable source)."""


class ReproduceError(MlstackError):
    """The reproduce engine could not run (no notebooks, unknown parameter set, a failed cell).

    Parameters
    ----------
    message : str
    notebook : str, optional
        Stem of the notebook concerned (``08_mastery_model``).
    cell : int, optional
        1-based position of the cell concerned, in the source notebook.
    **facts
        ``path``, ``column``, ``parameter`` as in :class:`MlstackError`.
    """

    def __init__(
        self, message: str, *, notebook: str | None = None, cell: int | None = None, **facts: Any
    ) -> None:
        super().__init__(message, **facts)
        self.notebook = notebook
        self.cell = cell


class TestSetReuseError(MlstackError, RuntimeError):
    """A held-out test set was asked for a second evaluation."""

    __test__ = False  # not a pytest test class, despite the name
