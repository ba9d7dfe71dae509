"""The locked versions of the distributions a notebook runs, read from ``uv.lock``.

A notebook depends on the distributions it imports *and on their
dependencies* (a new pandas may come with a new numpy), but not on the rest
of the lock: adding a package for one notebook must not make the others
stale. :class:`LockedVersions` reads ``uv.lock`` once and answers, for a set
of import names, the versions of every distribution they pull in.

Import names are mapped to distributions through the installed metadata
(:func:`importlib.metadata.packages_distributions`: ``sklearn`` is
``scikit-learn``). Dependencies are followed as the lock records them,
including the extras a dependant asks for (``dask[dataframe]``) and whatever
the environment markers say, so the answer errs on the side of re-running.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

__all__ = ["LockedVersions", "canonical_name"]


def canonical_name(name: str) -> str:
    """Return a distribution name normalised as in PEP 503.

    Examples
    --------
    >>> canonical_name("Scikit_Learn")
    'scikit-learn'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class LockedVersions:
    """The packages of a ``uv.lock`` file and their dependencies.

    Parameters
    ----------
    lock_path : pathlib.Path
        The lock file. A missing file gives no versions at all.

    Examples
    --------
    >>> import tempfile
    >>> lock = Path(tempfile.mkdtemp()) / "uv.lock"
    >>> _ = lock.write_text('''
    ... [[package]]
    ... name = "a"
    ... version = "1.0"
    ... dependencies = [{ name = "b", extra = ["fast"] }]
    ... [[package]]
    ... name = "b"
    ... version = "2.0"
    ... [package.optional-dependencies]
    ... fast = [{ name = "c" }]
    ... [[package]]
    ... name = "c"
    ... version = "3.0"
    ... [[package]]
    ... name = "unrelated"
    ... version = "9.9"
    ... ''')
    >>> LockedVersions(lock).versions(["a"])
    {'a': '1.0', 'b': '2.0', 'c': '3.0'}
    """

    lock_path: Path

    @cached_property
    def _packages(self) -> dict[str, list[dict[str, Any]]]:
        if not self.lock_path.is_file():
            return {}
        with self.lock_path.open("rb") as fh:
            lock = tomllib.load(fh)
        packages: dict[str, list[dict[str, Any]]] = {}
        for entry in lock.get("package", []):
            packages.setdefault(canonical_name(entry["name"]), []).append(entry)
        return packages

    @cached_property
    def _import_names(self) -> dict[str, list[str]]:
        from importlib.metadata import packages_distributions

        return {
            name: sorted({canonical_name(dist) for dist in dists})
            for name, dists in packages_distributions().items()
        }

    def distributions(self, import_names: Iterable[str]) -> set[str]:
        """Return the locked distributions that provide ``import_names``.

        A name no installed distribution provides (a module imported only
        when available) is left out: there is no locked version to follow.
        """
        found = set()
        for name in import_names:
            for dist in self._import_names.get(name, [canonical_name(name)]):
                if dist in self._packages:
                    found.add(dist)
        return found

    def _requirements(self, name: str, extras: Iterable[str] = ()) -> list[tuple[str, tuple]]:
        needed = []
        for entry in self._packages.get(name, []):
            groups = [entry.get("dependencies", [])]
            groups += [entry.get("optional-dependencies", {}).get(extra, []) for extra in extras]
            for group in groups:
                needed += [
                    (canonical_name(dep["name"]), tuple(dep.get("extra", ()))) for dep in group
                ]
        return needed

    def closure(self, distributions: Iterable[str]) -> set[str]:
        """Return ``distributions`` and everything they depend on, transitively."""
        seen: set[tuple[str, tuple]] = set()
        stack = [(canonical_name(name), ()) for name in distributions]
        while stack:
            item = stack.pop()
            if item in seen:
                continue
            seen.add(item)
            stack.extend(self._requirements(*item))
        return {name for name, _ in seen if name in self._packages}

    def _version(self, name: str) -> str:
        return " | ".join(sorted({str(e.get("version", "?")) for e in self._packages[name]}))

    def versions(
        self, import_names: Iterable[str], *, exclude: Iterable[str] = ()
    ) -> dict[str, str]:
        """Return ``{distribution: locked version}`` for what ``import_names`` pull in.

        Parameters
        ----------
        import_names : iterable of str
            Top-level import names (``sklearn``) or distribution names.
        exclude : iterable of str, default=()
            Distributions to leave out (the project itself).
        """
        skip = {canonical_name(name) for name in exclude}
        names = self.closure(self.distributions(import_names)) - skip
        return {name: self._version(name) for name in sorted(names)}
