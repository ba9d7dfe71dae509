"""The kernel every notebook runs on: this interpreter, one thread per pool, a fixed hash seed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mlstack.utils.atomic import write_text

__all__ = ["KERNEL_ENV", "KERNEL_NAME", "ensure_kernel"]

KERNEL_NAME = "mlstack-reproduce"

#: Environment every notebook kernel gets: one thread per BLAS/OpenMP pool, so
#: results do not depend on how many notebooks run side by side, and a fixed
#: hash seed. A notebook that studies threading sets its own limits explicitly.
KERNEL_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "TQDM_DISABLE": "1",
}

#: The IPython extension the kernel loads (markdown tables); part of every notebook's inputs.
KERNEL_EXTENSION = "mlstack.engine.ipython_ext"


def ensure_kernel(build_dir: Path) -> Path:
    """Write a kernelspec for this interpreter and return the ``JUPYTER_PATH`` entry.

    The spec has a name of its own and is found through ``JUPYTER_PATH``, which
    jupyter searches before the user's and the system's kernels, so a stray
    ``python3`` kernel elsewhere on the machine cannot take over the run.
    """
    jupyter_dir = build_dir / "jupyter"
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.log_level=ERROR",
            f"--ext={KERNEL_EXTENSION}",
        ],
        "display_name": "mlstack (reproduce)",
        "language": "python",
        "env": KERNEL_ENV,
        "metadata": {"debugger": False},
    }
    kernel_file = jupyter_dir / "kernels" / KERNEL_NAME / "kernel.json"
    text = json.dumps(spec, indent=1, sort_keys=True) + "\n"
    if not kernel_file.exists() or kernel_file.read_text() != text:
        write_text(kernel_file, text)
    return jupyter_dir
