"""Imports are read from the code the way Python runs them: parents, relatives, magics.

A name taken from a module (``from a.b import c``) is listed as ``a.b.c`` too, since
it may be a submodule; the import graph keeps only the names that are files.
"""

from __future__ import annotations

import nbformat
import pytest

from mlstack.engine.imports import ImportGraph, notebook_code, parse_imports


@pytest.mark.parametrize(
    ("source", "importer", "is_package", "modules"),
    [
        ("import a.b.c", "", False, {"a", "a.b", "a.b.c"}),
        ("from a.b import c, d", "", False, {"a", "a.b", "a.b.c", "a.b.d"}),
        (
            "from .sib import f",
            "pkg.sub.mod",
            False,
            {"pkg", "pkg.sub", "pkg.sub.sib", "pkg.sub.sib.f"},
        ),
        ("from . import sib", "pkg.sub.mod", False, {"pkg", "pkg.sub", "pkg.sub.sib"}),
        ("from . import mod", "pkg.sub", True, {"pkg", "pkg.sub", "pkg.sub.mod"}),
        ("from ..other import g", "pkg.sub.mod", False, {"pkg", "pkg.other", "pkg.other.g"}),
        ("def f():\n    import a.lazy\n", "", False, {"a", "a.lazy"}),
        ("if TYPE_CHECKING:\n    import a.typed\nelse:\n    import b\n", "", False, {"b"}),
        ("from a import *", "", False, {"a"}),
    ],
    ids=[
        "dotted",
        "from-names",
        "relative-module",
        "relative-name",
        "relative-in-package",
        "two-levels-up",
        "inside-function",
        "type-checking-skipped",
        "star",
    ],
)
def test_imports_include_every_module_python_executes(source, importer, is_package, modules):
    assert parse_imports(source, importer, is_package=is_package).modules == modules


def test_top_level_names_leave_out_the_standard_library_and_relative_imports():
    found = parse_imports(
        "import os, json\nfrom sklearn.base import clone\nimport numpy as np\nfrom .x import y",
        "pkg.mod",
    )
    assert found.top_level == {"sklearn", "numpy"}


def _package(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return ImportGraph(root, "pkg")


def test_importing_a_module_executes_its_parents_and_what_they_import(tmp_path):
    graph = _package(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.errors import Oops\n",
            "pkg/errors.py": "class Oops(Exception): pass\n",
            "pkg/sub/__init__.py": "from pkg.sub.core import f\n",
            "pkg/sub/core.py": "from ..helpers import h\nimport pandas\n",
            "pkg/sub/leaf.py": "import numpy\n",
            "pkg/helpers.py": "def h(): pass\n",
            "pkg/unused.py": "import polars\n",
        },
    )
    executed = graph.closure(parse_imports("from pkg.sub.leaf import x").modules)
    assert executed == [
        "pkg/__init__.py",
        "pkg/errors.py",
        "pkg/helpers.py",
        "pkg/sub/__init__.py",
        "pkg/sub/core.py",
        "pkg/sub/leaf.py",
    ]
    modules = graph.executed(parse_imports("from pkg.sub.leaf import x").modules)
    assert graph.third_party(modules) == {"numpy", "pandas"}


def test_an_import_cycle_is_followed_once(tmp_path):
    graph = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "from pkg import a\n",
        },
    )
    assert graph.closure(["pkg.a"]) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]


def test_notebook_code_translates_magics_and_skips_broken_cells(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%matplotlib inline\nimport pkg.a"),
        nbformat.v4.new_code_cell("!ls\n%timeit import pkg.timed"),
        nbformat.v4.new_code_cell("this is not python (\nimport pkg.broken"),
        nbformat.v4.new_markdown_cell("import pkg.prose"),
        nbformat.v4.new_code_cell("from pkg import b"),
    ]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    modules = parse_imports(notebook_code(path)).modules
    assert {"pkg.a", "pkg.b"} <= modules
    assert not {"pkg.broken", "pkg.prose"} & modules
