"""Save and load fitted models with skops, never pickle.

A pickle file runs arbitrary code when it is loaded. A skops file is a zip of
JSON and arrays that is only turned back into objects whose types the loader
explicitly trusts. :func:`save_model` returns the types a loader will be asked
to trust, so they can be reviewed once and written down (the model card lists
them); :func:`load_model` refuses anything outside the list it is given.

Saved files are byte-identical for the same model: skops names arrays and
shared objects after their memory addresses, raw byte buffers (an XGBoost
booster) after random uuids, and stamps zip entries with the current time, so
:func:`save_model` renumbers the ids and buffers in order of appearance and
fixes the timestamps. A file's hash then identifies the model it holds.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlstack.errors import InputError
from mlstack.utils.atomic import write_bytes

__all__ = ["file_sha256", "load_model", "save_model", "untrusted_types"]

_EPOCH = (1980, 1, 1, 0, 0, 0)


_ID = re.compile(r'"__id__": (\d+)')
_BIN = re.compile(r'"file": "([0-9a-f-]{36})\.bin"')


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite a skops archive with stable ids, sorted entries and fixed timestamps."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {name: src.read(name) for name in src.namelist()}
    schema = entries.pop("schema.json").decode("utf-8")
    ids: dict[str, str] = {}
    for match in _ID.finditer(schema):
        ids.setdefault(match.group(1), str(len(ids) + 1))
    schema = _ID.sub(lambda m: f'"__id__": {ids[m.group(1)]}', schema)
    schema = re.sub(r'"file": "(\d+)\.npy"', lambda m: f'"file": "{ids[m.group(1)]}.npy"', schema)
    # raw byte buffers (an XGBoost booster) are named by a random uuid: number them in order
    blobs = {m.group(1): f"bytes-{i + 1}" for i, m in enumerate(_BIN.finditer(schema))}
    schema = _BIN.sub(lambda m: f'"file": "{blobs[m.group(1)]}.bin"', schema)
    renamed = {
        f"{ids.get(name.removesuffix('.npy'), name.removesuffix('.npy'))}.npy"
        if name.endswith(".npy")
        else f"{blobs.get(name.removesuffix('.bin'), name.removesuffix('.bin'))}.bin"
        if name.endswith(".bin")
        else name: blob
        for name, blob in entries.items()
    }
    renamed["schema.json"] = schema.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(renamed):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, renamed[name])
    return out.getvalue()


def save_model(estimator: Any, path: str | os.PathLike[str]) -> list[str]:
    """Write a fitted estimator to a skops file atomically.

    Parameters
    ----------
    estimator : object
        A fitted scikit-learn estimator or pipeline (or another object skops
        can persist, such as a LightGBM or XGBoost model inside a pipeline).
    path : path-like
        Destination, conventionally ``*.skops``.

    Returns
    -------
    list of str
        The types that :func:`load_model` must be told to trust, sorted:
        review them, then pass them as ``trusted``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.skops"
    >>> trusted = save_model(model, path)
    >>> load_model(path, trusted=trusted).predict([[1.0]])
    array([1])
    """
    import skops.io

    data = _deterministic_zip(skops.io.dumps(estimator))
    write_bytes(path, data)
    return sorted(skops.io.get_untrusted_types(data=data))


def untrusted_types(path: str | os.PathLike[str]) -> list[str]:
    """Return the types in a skops file that are not trusted by default, sorted."""
    import skops.io

    return sorted(skops.io.get_untrusted_types(file=_existing(path)))


def load_model(path: str | os.PathLike[str], *, trusted: Sequence[str]) -> Any:
    """Load a skops file, trusting exactly the types listed.

    Parameters
    ----------
    path : path-like
        A file written by :func:`save_model`.
    trusted : sequence of str
        Fully qualified type names to trust beyond skops' defaults (the list
        :func:`save_model` returned, after review). Required: there is no
        "trust everything" switch.

    Returns
    -------
    object
        The estimator.

    Raises
    ------
    InputError
        If the file is missing or not a skops file, or holds a type that is
        not in ``trusted`` (the message names it).
    """
    import skops.io

    file = _existing(path)
    try:
        needed = skops.io.get_untrusted_types(file=file)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{file}: not a skops model file ({exc})") from exc
    refused = sorted(set(needed) - set(trusted))
    if refused:
        raise InputError(
            f"{file}: refusing to load untrusted types {refused}; "
            "review them and add them to trusted= if you trust this file"
        )
    return skops.io.load(file, trusted=list(trusted))


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the SHA-256 of a file (hex), e.g. to identify a saved model."""
    return hashlib.sha256(_existing(path).read_bytes()).hexdigest()


def _existing(path: str | os.PathLike[str]) -> Path:
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{file}: no such model file; check the path")
    return file
