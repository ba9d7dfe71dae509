"""What a notebook imports, read from the code: package modules and third-party names.

The engine re-runs a notebook when something it runs changed, so it needs the
modules a notebook actually executes. They are read from the source with
:mod:`ast`, never declared by hand, and followed the way Python imports them:

- ``import mlstack.a.b`` and ``from mlstack.a.b import x`` execute
  ``mlstack/__init__.py``, ``mlstack/a/__init__.py`` and ``mlstack/a/b.py``,
  and ``mlstack/a/b/x.py`` too when ``x`` is a submodule;
- each of those modules' own imports, at any depth (an import inside a
  function counts: it runs when the function does), relative ones included.

Imports of anything else are reported by their top-level name (``sklearn``,
``IPython``); :mod:`mlstack.engine.locked` maps them to locked distributions.
Standard-library names are left out. Magics in notebook cells (``%timeit``,
``!ls``) are turned into Python by IPython's own input transformer before
parsing, so a notebook is read as its kernel reads it.
"""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

__all__ = ["ImportGraph", "ImportedNames", "notebook_code", "parse_imports"]


@dataclass(frozen=True)
class ImportedNames:
    """What one piece of code imports.

    Attributes
    ----------
    modules : frozenset of str
        Dotted names the code may execute, every parent package included
        (``mlstack``, ``mlstack.a``, ``mlstack.a.b``, and ``mlstack.a.b.x``
        for ``from mlstack.a.b import x``); whether each is a module is for
        the caller to decide.
    top_level : frozenset of str
        Top-level names of absolute imports (``sklearn`` for
        ``from sklearn.base import clone``), standard library excluded.
    """

    modules: frozenset[str] = frozenset()
    top_level: frozenset[str] = frozenset()


def _prefixes(dotted: str) -> list[str]:
    parts = dotted.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _relative_base(importer: str, is_package: bool, level: int) -> str:
    """The package a ``from .`` (level 1), ``from ..`` (level 2)... import refers to."""
    parts = importer.split(".") if importer else []
    if not is_package:
        parts = parts[:-1]
    return ".".join(parts[: len(parts) - (level - 1)])


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _executed_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Walk ``tree`` like :func:`ast.walk`, minus ``if TYPE_CHECKING:`` bodies (never run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def parse_imports(source: str, importer: str = "", *, is_package: bool = False) -> ImportedNames:
    """Return what ``source`` imports.

    Parameters
    ----------
    source : str
        Python source code.
    importer : str, default=""
        Dotted name of the module the code belongs to, to resolve relative
        imports; empty for a notebook.
    is_package : bool, default=False
        Whether ``importer`` is a package (its ``__init__.py``).

    Returns
    -------
    ImportedNames

    Examples
    --------
    >>> found = parse_imports("import os\\nfrom mlstack.flights import data\\nimport numpy as np")
    >>> sorted(found.modules)
    ['mlstack', 'mlstack.flights', 'mlstack.flights.data', 'numpy', 'os']
    >>> sorted(found.top_level)
    ['mlstack', 'numpy']
    >>> sorted(parse_imports("from .data import load", "mlstack.flights.features").modules)
    ['mlstack', 'mlstack.flights', 'mlstack.flights.data', 'mlstack.flights.data.load']
    >>> parse_imports("if TYPE_CHECKING:\\n    import numpy").modules
    frozenset()
    """
    modules: set[str] = set()
    top: set[str] = set()
    for node in _executed_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                modules.update(_prefixes(alias.name))
                top.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _relative_base(importer, is_package, node.level)
                target = ".".join(filter(None, [base, node.module]))
            else:
                target = node.module or ""
                top.add(target.split(".")[0])
            if not target:
                continue
            modules.update(_prefixes(target))
            modules.update(f"{target}.{alias.name}" for alias in node.names if alias.name != "*")
    stdlib = sys.stdlib_module_names
    return ImportedNames(
        frozenset(modules), frozenset(name for name in top if name and name not in stdlib)
    )


def notebook_code(path: Path) -> str:
    """Return the code of a notebook's code cells as the kernel runs it (magics translated)."""
    from IPython.core.inputtransformer2 import TransformerManager

    transformer = TransformerManager()
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        code = transformer.transform_cell(source)
        try:
            ast.parse(code)
        except SyntaxError:
            continue  # the cell fails in the kernel too; it cannot import anything
        cells.append(code)
    return "\n".join(cells)


@dataclass
class ImportGraph:
    """The modules of one package, and what each of them imports.

    Parameters
    ----------
    source_root : pathlib.Path
        The directory that holds the package (``lib/``).
    package : str, default="mlstack"
        The package's top-level name.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "pkg" / "sub").mkdir(parents=True)
    >>> _ = (root / "pkg" / "__init__.py").write_text("")
    >>> _ = (root / "pkg" / "sub" / "__init__.py").write_text("from pkg.sub.a import f")
    >>> _ = (root / "pkg" / "sub" / "a.py").write_text("import numpy\\ndef f(): pass")
    >>> _ = (root / "pkg" / "sub" / "b.py").write_text("")
    >>> graph = ImportGraph(root, "pkg")
    >>> graph.closure(parse_imports("from pkg.sub import b").modules)
    ['pkg/__init__.py', 'pkg/sub/__init__.py', 'pkg/sub/a.py', 'pkg/sub/b.py']
    >>> sorted(graph.third_party(graph.executed(["pkg.sub.b"])))
    ['numpy']
    """

    source_root: Path
    package: str = "mlstack"
    _parsed: dict[str, ImportedNames] = field(default_factory=dict, repr=False)

    @cached_property
    def files(self) -> dict[str, Path]:
        """Every module of the package by dotted name (``mlstack.flights.data``)."""
        found = {}
        for path in sorted((self.source_root / self.package).rglob("*.py")):
            parts = list(path.relative_to(self.source_root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
        return found

    def relative_path(self, module: str) -> str:
        """Return a module's file relative to the source root (``mlstack/flights/data.py``)."""
        return self.files[module].relative_to(self.source_root).as_posix()

    def imports_of(self, module: str) -> ImportedNames:
        """Return what one module of the package imports (parsed once)."""
        if module not in self._parsed:
            path = self.files[module]
            self._parsed[module] = parse_imports(
                path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"
            )
        return self._parsed[module]

    def executed(self, names: Iterable[str]) -> list[str]:
        """Return the package modules that importing ``names`` executes, sorted."""
        seen: set[str] = set()
        stack = [name for name in names if name in self.files]
        while stack:
            module = stack.pop()
            if module in seen:
                continue
            seen.add(module)
            parents = _prefixes(module)[:-1]  # importing a module runs its packages first
            stack.extend(name for name in parents if name in self.files)
            stack.extend(name for name in self.imports_of(module).modules if name in self.files)
        return sorted(seen)

    def closure(self, names: Iterable[str]) -> list[str]:
        """Like :meth:`executed`, as files relative to the source root."""
        return sorted(self.relative_path(module) for module in self.executed(names))

    def third_party(self, modules: Iterable[str]) -> set[str]:
        """Return the top-level names outside the package that ``modules`` import."""
        names: set[str] = set()
        for module in modules:
            names |= self.imports_of(module).top_level
        return names - {self.package}
