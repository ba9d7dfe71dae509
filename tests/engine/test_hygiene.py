"""The git clean filter gives exactly what `make strip` gives, so a run notebook stays clean."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlstack.engine.hygiene import clean_filter, clean_notebook_text, problems
from mlstack.errors import InputError
from mlstack.utils.paths import notebooks_dir

NOTEBOOKS = sorted(notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def as_saved_by_jupyterlab(text: str, kept_too: bool = False) -> str:
    """Return a notebook as JupyterLab saves it after a run: outputs, counts, ids, metadata."""
    nb = json.loads(text)
    for index, cell in enumerate(nb["cells"]):
        cell["id"] = f"3f2a{index:04d}-lab"
        if cell["cell_type"] != "code":
            continue
        kept = "keep_output" in cell["metadata"].get("tags", [])
        cell["execution_count"] = index + 7
        cell["metadata"]["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
        cell["metadata"]["scrolled"] = True
        if kept and not kept_too:
            for output in cell["outputs"]:
                if "execution_count" in output:
                    output["execution_count"] = index + 7
            continue
        cell["outputs"] = [
            {"name": "stdout", "output_type": "stream", "text": [f"run {index}\n"]},
            {
                "data": {"text/plain": ["42"]},
                "execution_count": index + 7,
                "metadata": {},
                "output_type": "execute_result",
            },
        ]
    nb["metadata"]["kernelspec"] = {
        "display_name": "Python 3 (mlstack)",
        "language": "python",
        "name": "python3",
    }
    nb["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "name": "python",
        "version": "3.11.7",
    }
    nb["metadata"]["widgets"] = {"state": {}}
    return json.dumps(nb, indent=1)


def test_a_committed_notebook_passes_the_filter_unchanged():
    for path in NOTEBOOKS:
        assert clean_notebook_text(path.read_text(encoding="utf-8")) == path.read_text(
            encoding="utf-8"
        ), f"{path.name}: run `make strip`"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS[:2], ids=[p.stem for p in NOTEBOOKS[:2]])
def test_the_filter_gives_what_make_strip_gives(tmp_path, path):
    saved = as_saved_by_jupyterlab(path.read_text(encoding="utf-8"), kept_too=True)
    copy = tmp_path / path.name
    copy.write_text(saved, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    for command in ([bin_dir / "nbstripout", copy], [bin_dir / "mlstack", "hygiene", copy]):
        subprocess.run(command, check=True, capture_output=True)  # the recipe of `make strip`
    assert clean_notebook_text(saved) == copy.read_text(encoding="utf-8")
    assert problems(copy) == []


def test_filter_reads_stdin_and_writes_stdout():
    text = as_saved_by_jupyterlab(NOTEBOOKS[0].read_text(encoding="utf-8"))
    out = io.BytesIO()
    assert clean_filter(io.BytesIO(text.encode()), out) == 0
    assert out.getvalue() == NOTEBOOKS[0].read_bytes()


def test_filter_refuses_what_is_not_a_notebook():
    with pytest.raises(InputError, match="standard input is not a notebook"):
        clean_filter(io.BytesIO(b"<<<<<<< HEAD\n{"), io.BytesIO())
