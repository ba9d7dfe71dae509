"""The package's own exceptions.

Every error a user can cause (a missing file, a bad column, a notebook that
fails) is one of these. They carry the facts (file, column, cell) in their
message; the command line turns any of them into one ``error: ...`` line and
exit status 2, with no traceback.
"""

from __future__ import annotations


class MlstackError(Exception):
    """Base class for every error the command line reports as ``error: ...``."""


class InputError(MlstackError, ValueError):
    """Bad user input: a missing or unreadable file, a missing column, an empty table."""


class DataError(MlstackError):
    """The bundled data could not be loaded (unknown table, unreadable source)."""


class ReproduceError(MlstackError):
    """The reproduce engine could not run (no notebooks, unknown parameter set)."""


class TestSetReuseError(MlstackError, RuntimeError):
    """A held-out test set was asked for a second evaluation."""

    __test__ = False  # not a pytest test class, despite the name
