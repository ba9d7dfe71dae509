"""Everything a notebook's report depends on, hashed by name, and why a report is stale.

A notebook's inputs are

``cells``
    its cells' sources, types and tags (:func:`~mlstack.engine.notebooks.source_hash`);
``params``
    the parameter set's name and the values this notebook receives;
``lib``
    the package modules it executes, read from the code
    (:class:`~mlstack.engine.imports.ImportGraph`): what it imports, what those
    import, and every parent package's ``__init__``;
``lock``
    the locked versions of the distributions it imports, directly or through
    the package, with their dependencies, plus those of the engine that runs
    and exports it (papermill, nbconvert, ipykernel)
    (:class:`~mlstack.engine.locked.LockedVersions`);
``data``
    the fingerprint of the bundled flights data;
``engine``
    the engine's format version, the kernel's environment, the Python
    version and the kernel's IPython extension;
``reads``
    the files the notebook declares it reads (``"reads"`` in its ``mlstack``
    metadata: the committed results of a long benchmark).

``lib``, ``lock`` and ``reads`` are kept in detail (a hash per module or
file, a version per distribution), so that :func:`stale_reasons` can name
what changed: ``lib: mlstack/lessons/recurrence.py``,
``lock: numpy 2.3.1 -> 2.3.2`` or ``reads: reports/timings/frames.json``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mlstack.engine.imports import ImportGraph, notebook_code, parse_imports
from mlstack.engine.kernel import KERNEL_ENV, KERNEL_EXTENSION
from mlstack.engine.locked import LockedVersions
from mlstack.engine.notebooks import notebook_info, source_hash

__all__ = [
    "ENGINE_DISTRIBUTIONS",
    "ENGINE_VERSION",
    "InputReader",
    "NotebookInputs",
    "short_hash",
    "stale_reasons",
]

#: Bump when a change to the engine changes what it writes (the report format).
ENGINE_VERSION = "2"

#: What executes and exports every notebook, whatever it imports.
ENGINE_DISTRIBUTIONS = ("papermill", "nbconvert", "ipykernel")

#: How many changed modules or packages a reason names before it counts the rest.
_NAMED = 3


def short_hash(data: str | bytes) -> str:
    """Return the first 12 hex digits of the SHA-256 of ``data``.

    Examples
    --------
    >>> short_hash("abc")
    'ba7816bf8f01'
    """
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:12]


def _mapping_hash(mapping: dict[str, Any]) -> str:
    return short_hash(json.dumps(mapping, sort_keys=True, default=str))


@dataclass(frozen=True)
class NotebookInputs:
    """A notebook's inputs: one hash per name, and the detail of ``lib`` and ``lock``.

    Attributes
    ----------
    hashes : dict of str to str
        ``cells``, ``params``, ``lib``, ``lock``, ``data``, ``engine``.
    modules : dict of str to str
        Each package module the notebook executes (``mlstack/flights/data.py``)
        and the hash of its source.
    packages : dict of str to str
        Each locked distribution it runs and its version.
    reads : dict of str to str
        Each file it declares it reads and the hash of its content
        (``missing`` when absent).
    """

    hashes: dict[str, str]
    modules: dict[str, str] = field(default_factory=dict)
    packages: dict[str, str] = field(default_factory=dict)
    reads: dict[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """One hash of all the inputs: equal digests mean an up-to-date report."""
        return _mapping_hash(self.hashes)


@dataclass
class InputReader:
    """Compute notebooks' inputs for one repository, sharing the work between notebooks.

    Parameters
    ----------
    source_root : pathlib.Path
        The directory that holds the package (``lib/``).
    lock_path : pathlib.Path
        ``uv.lock``.
    package : str, default="mlstack"
        The package whose modules are followed.
    data_fingerprint : str, optional
        The data's fingerprint; by default, that of the bundled flights data.

    Files a notebook declares it reads are resolved against the parent of
    ``source_root`` (the repository root).
    """

    source_root: Path
    lock_path: Path
    package: str = "mlstack"
    data_fingerprint: str | None = None

    @cached_property
    def graph(self) -> ImportGraph:
        """The package's import graph."""
        return ImportGraph(self.source_root, self.package)

    @cached_property
    def locked(self) -> LockedVersions:
        """The lock file's versions."""
        return LockedVersions(self.lock_path)

    @cached_property
    def _data(self) -> str:
        if self.data_fingerprint is not None:
            return self.data_fingerprint[:12]
        from mlstack.flights.data import data_fingerprint

        return data_fingerprint()[:12]

    @cached_property
    def _engine(self) -> str:
        extension = self.graph.files.get(KERNEL_EXTENSION)
        return _mapping_hash(
            {
                "version": ENGINE_VERSION,
                "kernel_env": KERNEL_ENV,
                "python": "{}.{}".format(*sys.version_info[:2]),
                "extension": short_hash(extension.read_bytes()) if extension else "",
            }
        )

    @cached_property
    def _module_hashes(self) -> dict[str, str]:
        return {
            self.graph.relative_path(name): short_hash(path.read_bytes())
            for name, path in self.graph.files.items()
        }

    def __call__(self, notebook: Path, param_set: str, params: dict[str, Any]) -> NotebookInputs:
        """Return the inputs of ``notebook`` run with ``params`` from set ``param_set``."""
        imported = parse_imports(notebook_code(notebook))
        executed = self.graph.executed(imported.modules)
        third_party = (imported.top_level - {self.package}) | self.graph.third_party(executed)
        packages = self.locked.versions(
            [*third_party, *ENGINE_DISTRIBUTIONS], exclude=[self.package]
        )
        modules = {
            self.graph.relative_path(name): self._module_hashes[self.graph.relative_path(name)]
            for name in executed
        }
        reads = {}
        for relative in notebook_info(notebook).reads:
            path = self.source_root.parent / relative
            reads[relative] = short_hash(path.read_bytes()) if path.is_file() else "missing"
        hashes = {
            "cells": source_hash(notebook)[:12],
            "params": _mapping_hash({"set": param_set, **params}),
            "lib": _mapping_hash(modules),
            "lock": _mapping_hash(packages),
            "data": self._data,
            "engine": self._engine,
            "reads": _mapping_hash(reads),
        }
        return NotebookInputs(hashes, dict(sorted(modules.items())), packages, reads)


def _named(label: str, items: list[str]) -> list[str]:
    if len(items) <= _NAMED:
        return [f"{label}: {item}" for item in items]
    shown = ", ".join(items[:_NAMED])
    return [f"{label}: {shown} and {len(items) - _NAMED} more"]


def _changed_modules(old: dict[str, str], new: dict[str, str]) -> list[str]:
    changed = [path for path in sorted(new) if path in old and old[path] != new[path]]
    added = [f"{path} (now imported)" for path in sorted(set(new) - set(old))]
    removed = [f"{path} (no longer imported)" for path in sorted(set(old) - set(new))]
    return changed + added + removed


def _changed_files(old: dict[str, str], new: dict[str, str]) -> list[str]:
    return [path for path in sorted(set(old) | set(new)) if old.get(path) != new.get(path)]


def _changed_packages(old: dict[str, str], new: dict[str, str]) -> list[str]:
    changed = [
        f"{name} {old[name]} -> {new[name]}"
        for name in sorted(new)
        if name in old and old[name] != new[name]
    ]
    added = [f"{name} {new[name]} (added)" for name in sorted(set(new) - set(old))]
    removed = [f"{name} (removed)" for name in sorted(set(old) - set(new))]
    return changed + added + removed


def stale_reasons(recorded: dict[str, Any], current: NotebookInputs) -> list[str]:
    """Name the inputs that differ from those a report was made from.

    Parameters
    ----------
    recorded : dict
        The notebook's manifest entry (``inputs``, ``modules``, ``packages``);
        empty when it has no report yet.
    current : NotebookInputs
        Its inputs now.

    Returns
    -------
    list of str
        ``cells``, ``params``, ``data``, ``engine``, one ``lib: PATH`` per
        changed module, one ``lock: NAME OLD -> NEW`` per changed
        distribution and one ``reads: PATH`` per changed file read (a plain
        name when the manifest entry predates the detail).

    Examples
    --------
    >>> now = NotebookInputs({"cells": "a", "lib": "b2"}, {"m/x.py": "2", "m/y.py": "1"})
    >>> entry = {"inputs": {"cells": "a", "lib": "b1"}, "modules": {"m/x.py": "1", "m/y.py": "1"}}
    >>> stale_reasons(entry, now)
    ['lib: m/x.py']
    """
    old = recorded.get("inputs", {})
    if not old:
        return ["no report yet"]
    reasons = []
    for name in sorted(current.hashes):
        if old.get(name) == current.hashes[name]:
            continue
        if name == "lib" and "modules" in recorded:
            details = _changed_modules(recorded["modules"], current.modules)
        elif name == "lock" and "packages" in recorded:
            details = _changed_packages(recorded["packages"], current.packages)
        elif name == "reads" and "reads" in recorded:
            details = _changed_files(recorded["reads"], current.reads)
        else:
            details = []
        reasons += _named(name, details) if details else [name]
    return reasons
