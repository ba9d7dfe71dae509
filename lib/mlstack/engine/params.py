"""Named parameter sets for the notebooks.

A parameter set is a TOML file in ``notebooks/params/``: ``default.toml`` for the
full run that produces the committed reports, ``smoke.toml`` for the fast,
small-data run the tests use. A table ``[all]`` applies to every notebook; a
table named after a notebook (``[01_vectorization]``) applies to that one and
wins over ``[all]``::

    [all]
    sample_rows = 20000

    [01_vectorization]
    loop_rows = 2000

A notebook receives only the names its ``parameters`` cell declares (papermill
convention); a name in a notebook's own table that the notebook does not
declare is an error, so a typo cannot silently leave the default in force.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from mlstack.errors import ReproduceError

__all__ = [
    "available_param_sets",
    "load_param_set",
    "params_for",
    "write_parameterized",
]


def available_param_sets(directory: Path) -> list[str]:
    """Return the names of the parameter sets in ``directory``."""
    return sorted(path.stem for path in directory.glob("*.toml"))


def load_param_set(directory: Path, name: str) -> dict[str, dict[str, Any]]:
    """Read the parameter set ``name`` from ``directory``.

    Raises
    ------
    ReproduceError
        If the file is missing or is not valid TOML.
    """
    path = directory / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(available_param_sets(directory)) or "none"
        raise ReproduceError(f"no parameter set {name!r} in {directory} (available: {known})")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ReproduceError(f"{path} is not valid TOML: {exc}") from exc
    bad = [key for key, value in data.items() if not isinstance(value, dict)]
    if bad:
        raise ReproduceError(
            f"{path}: top-level keys {bad} must be tables like [all] or [01_name]"
        )
    return data


def params_for(param_set: dict[str, dict[str, Any]], stem: str) -> dict[str, Any]:
    """Merge ``[all]`` and the notebook's own table (the latter wins).

    Examples
    --------
    >>> params_for({"all": {"n": 1, "seed": 0}, "01_x": {"n": 5}}, "01_x")
    {'n': 5, 'seed': 0}
    """
    merged = dict(param_set.get("all", {}))
    merged.update(param_set.get(stem, {}))
    return dict(sorted(merged.items()))


def declared_params(path: Path) -> set[str]:
    """Return the parameter names declared in a notebook's ``parameters`` cell."""
    import json
    import tempfile

    import papermill

    nb = json.loads(path.read_text(encoding="utf-8"))
    meta = nb.setdefault("metadata", {})
    if "kernelspec" in meta:
        return set(papermill.inspect_notebook(str(path)))
    # papermill needs a kernel name to know the language; all notebooks here are Python.
    meta["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        copy.write_text(json.dumps(nb), encoding="utf-8")
        return set(papermill.inspect_notebook(str(copy)))


def filter_declared(path: Path, stem: str, param_set: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return the parameters to inject into notebook ``path``.

    Names from ``[all]`` that the notebook does not declare are dropped; names
    from the notebook's own table that it does not declare raise.
    """
    declared = declared_params(path)
    own_unknown = sorted(set(param_set.get(stem, {})) - declared)
    if own_unknown:
        raise ReproduceError(
            f"{path.name}: parameters {own_unknown} are set for it but not declared in its "
            "'parameters' cell; fix the name or declare it"
        )
    return {key: value for key, value in params_for(param_set, stem).items() if key in declared}


def write_parameterized(
    source: Path, target: Path, param_set: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Write a copy of notebook ``source`` with ``param_set``'s values injected, as papermill does.

    The copy gets papermill's ``injected-parameters`` cell after the
    ``parameters`` cell, so it runs in JupyterLab exactly as the engine would
    run it with that parameter set (``make test-lab`` runs such a copy).

    Returns
    -------
    dict
        The injected parameters.
    """
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    parameters = filter_declared(source, source.stem, param_set)
    # every notebook here is Python; say so for copies without a kernelspec
    nb = parameterize_notebook(
        load_notebook_node(str(source)), parameters, kernel_name="python3", language="python"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return parameters
