"""mlstack: the shared library of the Python ML stack curriculum.

Small, tested, vectorized helpers that the notebooks call: data loading
(:mod:`mlstack.flights.data`), atomic file writes (:mod:`mlstack.utils.atomic`), the reproduce
engine (:mod:`mlstack.engine.runner`) and the command line (:mod:`mlstack.cli`).
Importing the package does no work; submodules are imported where used.
"""

from mlstack.errors import DataError, InputError, MlstackError, ReproduceError, TestSetReuseError

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "InputError",
    "MlstackError",
    "ReproduceError",
    "TestSetReuseError",
    "__version__",
]
