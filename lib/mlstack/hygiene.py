"""Keep committed notebooks tidy: one kernel name, no editor metadata.

``make strip`` runs ``nbstripout`` (which keeps the outputs of cells tagged
``keep_output``) and then this module, which sets the notebook-level metadata
every notebook should carry so that JupyterLab opens it on the project kernel
without asking, and drops editor-specific keys that only make diffs noisy.

Run it as ``python -m mlstack.hygiene NOTEBOOK...``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mlstack.atomic import write_text

__all__ = ["normalize_metadata"]

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}
_DROP = ("jupytext", "widgets", "toc", "varInspector")


def normalize_metadata(path: Path) -> bool:
    """Normalize the notebook-level metadata of ``path`` in place.

    Returns
    -------
    bool
        True when the file changed.
    """
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    meta = nb.setdefault("metadata", {})
    for key in _DROP:
        meta.pop(key, None)
    meta["kernelspec"] = KERNELSPEC
    meta["language_info"] = LANGUAGE_INFO
    new = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if new == text:
        return False
    write_text(path, new)
    return True


def main(argv: list[str]) -> int:
    """Normalize each notebook named in ``argv``; print the ones that changed."""
    for name in argv:
        if normalize_metadata(Path(name)):
            print(f"normalized {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
