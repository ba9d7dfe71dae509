import json

import pytest

from mlstack.tools.lint import UnparsableCellWarning, lint_file, lint_source


def _notebook(path, *cells):
    """Write a notebook of code cells."""
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}
            for source in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


LOOP = "for _, r in df.iterrows():\n    pass"


@pytest.mark.parametrize(
    ("cell", "line"),
    [
        ("!tool --dir x \\\n    --flag y\n" + LOOP, 3),
        ("files = !ls \\\n  data\n" + LOOP, 3),
        ("%matplotlib inline\ndf.describe?\n" + LOOP, 3),
        ("result = %timeit -o f()\n" + LOOP, 2),
        ("%%time\n" + LOOP, 2),
        ("  x = 1\n  " + LOOP.replace("\n", "\n  "), 2),
    ],
    ids=[
        "shell-continuation",
        "shell-assign-continuation",
        "magics-and-help",
        "magic-assign",
        "python-cell-magic",
        "indented-cell",
    ],
)
def test_ipython_syntax_is_read_as_ipython_does_and_lines_are_kept(tmp_path, cell, line):
    path = _notebook(tmp_path / "nb.ipynb", cell)
    assert [(f.cell, f.line, f.rule) for f in lint_file(path)] == [(1, line, "AP1")]


def test_cell_magic_of_another_language_is_skipped(tmp_path):
    path = _notebook(tmp_path / "nb.ipynb", "%%bash\necho {\nfor x in $(ls); do :; done", LOOP)
    assert [(f.cell, f.line) for f in lint_file(path)] == [(2, 1)]


def test_unparsable_cell_warns_and_data_flows_across_the_others(tmp_path):
    path = _notebook(
        tmp_path / "nb.ipynb",
        "scaler = StandardScaler()\nX_scaled = scaler.fit_transform(X)",
        "def broken(:\n    pass",
        "X_train, X_test, y_train, y_test = train_test_split(X_scaled, y)",
    )
    with pytest.warns(UnparsableCellWarning, match="cell 2, line 1"):
        findings = lint_file(path)
    assert [(f.cell, f.line, f.rule) for f in findings] == [(1, 2, "AP3")]


def test_percent_script_cells_keep_file_line_numbers_after_a_shell_escape():
    code = "# %%\n!pip install x \\\n   y\n# %%\n" + LOOP + "\n"
    assert [(f.cell, f.line) for f in lint_source(code, path="s.py")] == [(None, 5)]


def test_unparsable_percent_cell_names_its_file_line():
    code = "x = 1\n# %%\ny = (\n# %%\n" + LOOP + "\n"
    with pytest.warns(UnparsableCellWarning, match=r"s.py: line 3: cannot parse"):
        findings = lint_source(code, path="s.py")
    assert [(f.line, f.rule) for f in findings] == [(5, "AP1")]
