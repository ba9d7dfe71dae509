"""A notebook's inputs follow what it runs; stale reasons name what changed."""

from __future__ import annotations

import nbformat
import pytest

from mlstack.engine.inputs import InputReader, NotebookInputs, stale_reasons

PACKAGE = {
    "toypkg/__init__.py": '"""Imports nothing but the errors."""\nfrom toypkg.errors import Oops\n',
    "toypkg/errors.py": "class Oops(Exception):\n    pass\n",
    "toypkg/shared.py": "import numpy as np\n\ndef double(x):\n    return 2 * x\n",
    "toypkg/lessons/__init__.py": "",
    "toypkg/lessons/alpha.py": "from toypkg.shared import double\n\ndef alpha():\n    return 1\n",
    "toypkg/lessons/beta.py": "import scipy\n\ndef beta():\n    return 2\n",
}

LOCK = """
[[package]]
name = "numpy"
version = "2.3.1"

[[package]]
name = "scipy"
version = "1.16.0"
dependencies = [{ name = "numpy" }]

[[package]]
name = "nbconvert"
version = "7.16.0"
"""


def write_package(root, files=PACKAGE):
    for name, text in files.items():
        path = root / "lib" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def write_notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    for index, cell in enumerate(nb.cells):
        cell["id"] = str(index)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def project(tmp_path):
    write_package(tmp_path)
    (tmp_path / "uv.lock").write_text(LOCK)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "01_alpha.ipynb", "from toypkg.lessons import alpha")
    write_notebook(notebooks / "02_beta.ipynb", "from toypkg.lessons.beta import beta")
    return tmp_path


def _reader(root):
    return InputReader(root / "lib", root / "uv.lock", package="toypkg", data_fingerprint="d" * 64)


def _inputs(root, stem, params=None):
    return _reader(root)(root / "notebooks" / f"{stem}.ipynb", "default", params or {})


def test_modules_are_the_ones_the_notebook_executes(project):
    assert list(_inputs(project, "01_alpha").modules) == [
        "toypkg/__init__.py",
        "toypkg/errors.py",
        "toypkg/lessons/__init__.py",
        "toypkg/lessons/alpha.py",
        "toypkg/shared.py",
    ]
    assert "toypkg/shared.py" not in _inputs(project, "02_beta").modules


def test_packages_are_the_locked_ones_it_imports_through_the_package(project):
    assert _inputs(project, "01_alpha").packages == {"nbconvert": "7.16.0", "numpy": "2.3.1"}
    assert _inputs(project, "02_beta").packages == {
        "nbconvert": "7.16.0",
        "numpy": "2.3.1",
        "scipy": "1.16.0",
    }


def test_a_module_one_notebook_uses_changes_that_notebook_only(project):
    before = {stem: _inputs(project, stem) for stem in ("01_alpha", "02_beta")}
    path = project / "lib" / "toypkg" / "lessons" / "alpha.py"
    path.write_text(path.read_text() + "# one more line\n")
    after = {stem: _inputs(project, stem) for stem in ("01_alpha", "02_beta")}
    assert after["02_beta"].digest == before["02_beta"].digest
    assert after["01_alpha"].digest != before["01_alpha"].digest
    recorded = {"inputs": before["01_alpha"].hashes, "modules": before["01_alpha"].modules}
    assert stale_reasons(recorded, after["01_alpha"]) == ["lib: toypkg/lessons/alpha.py"]


def test_the_top_level_init_is_an_input_of_every_notebook(project):
    before = {stem: _inputs(project, stem).digest for stem in ("01_alpha", "02_beta")}
    path = project / "lib" / "toypkg" / "__init__.py"
    path.write_text(path.read_text() + "VERSION = 2\n")
    after = {stem: _inputs(project, stem).digest for stem in ("01_alpha", "02_beta")}
    assert all(after[stem] != before[stem] for stem in before)


def test_parameters_and_cells_are_inputs(project):
    base = _inputs(project, "01_alpha", {"seed": 0})
    assert _inputs(project, "01_alpha", {"seed": 1}).hashes["params"] != base.hashes["params"]
    write_notebook(project / "notebooks" / "01_alpha.ipynb", "from toypkg.lessons import alpha\n1")
    changed = _inputs(project, "01_alpha", {"seed": 0})
    recorded = {"inputs": base.hashes, "modules": base.modules, "packages": base.packages}
    assert stale_reasons(recorded, changed) == ["cells"]


@pytest.mark.parametrize(
    ("recorded", "current", "reasons"),
    [
        ({}, NotebookInputs({"cells": "a"}), ["no report yet"]),
        (
            {"inputs": {"lock": "1"}, "packages": {"numpy": "2.3.1", "old": "1"}},
            NotebookInputs({"lock": "2"}, packages={"numpy": "2.3.2", "new": "0.1"}),
            ["lock: numpy 2.3.1 -> 2.3.2", "lock: new 0.1 (added)", "lock: old (removed)"],
        ),
        (
            {"inputs": {"lib": "1"}, "modules": {"p/a.py": "1"}},
            NotebookInputs({"lib": "2"}, modules={"p/a.py": "1", "p/b.py": "1"}),
            ["lib: p/b.py (now imported)"],
        ),
        (
            {"inputs": {"lib": "1"}, "modules": {f"p/{i}.py": "1" for i in range(5)}},
            NotebookInputs({"lib": "2"}, modules={f"p/{i}.py": "2" for i in range(5)}),
            ["lib: p/0.py, p/1.py, p/2.py and 2 more"],
        ),
        (
            {"inputs": {"lib": "1", "data": "x", "engine": "e"}},
            NotebookInputs({"lib": "2", "data": "y", "engine": "e"}, modules={"p/a.py": "1"}),
            ["data", "lib"],
        ),
    ],
    ids=["no-record", "package-versions", "module-added", "many-modules", "record-without-detail"],
)
def test_stale_reasons_name_what_changed(recorded, current, reasons):
    assert stale_reasons(recorded, current) == reasons


def test_a_file_the_notebook_declares_it_reads_is_an_input(project):
    results = project / "reports" / "timings" / "bench.json"
    results.parent.mkdir(parents=True)
    results.write_text('{"seconds": 1}')
    path = project / "notebooks" / "02_beta.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.metadata["mlstack"] = {"reads": ["reports/timings/bench.json"]}
    nbformat.write(nb, path)
    before = _inputs(project, "02_beta")
    results.write_text('{"seconds": 2}')
    after = _inputs(project, "02_beta")
    recorded = {"inputs": before.hashes, "reads": before.reads}
    assert stale_reasons(recorded, after) == ["reads: reports/timings/bench.json"]
    assert _inputs(project, "01_alpha").reads == {}
