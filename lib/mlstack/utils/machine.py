"""The facts about this machine that a timing needs to be read: the one place that gathers them.

Every timings file (``reports/timings/*.json``) and every benchmark report records
:func:`machine_facts`, so a reader knows which machine, interpreter and library
versions produced its seconds.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from typing import Any

__all__ = ["DEFAULT_PACKAGES", "machine_facts"]

#: Distributions whose versions every record carries.
DEFAULT_PACKAGES: tuple[str, ...] = ("numpy", "pandas", "scikit-learn")


def machine_facts(packages: Sequence[str] = DEFAULT_PACKAGES) -> dict[str, Any]:
    """Return the facts needed to read a timing: CPUs, memory, platform, versions.

    Parameters
    ----------
    packages : sequence of str, default=DEFAULT_PACKAGES
        Distributions whose installed versions are added, each under its own
        name. Versions come from the distributions' metadata, so nothing is
        imported to learn them.

    Returns
    -------
    dict
        ``cpu_count``, ``machine``, ``python``, ``memory_gib``,
        ``omp_num_threads``, then one entry per package.

    Examples
    --------
    >>> facts = machine_facts(packages=("numpy",))
    >>> sorted(facts)
    ['cpu_count', 'machine', 'memory_gib', 'numpy', 'omp_num_threads', 'python']
    """
    from importlib.metadata import version

    import psutil

    facts: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
    }
    return facts | {name: version(name) for name in packages}
