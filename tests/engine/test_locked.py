"""Locked versions: what a notebook imports, with its dependencies, and nothing else."""

from __future__ import annotations

from mlstack.engine.locked import LockedVersions

LOCK = """
version = 1

[[package]]
name = "scikit-learn"
version = "1.8.0"
dependencies = [{ name = "numpy" }, { name = "scipy" }]

[[package]]
name = "scipy"
version = "1.16.0"
dependencies = [{ name = "numpy" }]

[[package]]
name = "numpy"
version = "2.3.1"

[[package]]
name = "dask"
version = "2025.1.0"
dependencies = [{ name = "toolz" }]

[package.optional-dependencies]
dataframe = [{ name = "pandas" }]

[[package]]
name = "toolz"
version = "1.0.0"

[[package]]
name = "pandas"
version = "3.0.0"
dependencies = [{ name = "numpy" }]

[[package]]
name = "consumer"
version = "0.1"
dependencies = [{ name = "dask", extra = ["dataframe"] }]
"""


def _lock(tmp_path, text=LOCK):
    path = tmp_path / "uv.lock"
    path.write_text(text)
    return LockedVersions(path)


def test_import_names_map_to_distributions_with_their_dependencies(tmp_path):
    assert _lock(tmp_path).versions(["sklearn"]) == {
        "numpy": "2.3.1",
        "scikit-learn": "1.8.0",
        "scipy": "1.16.0",
    }


def test_extras_a_dependant_asks_for_are_followed(tmp_path):
    locked = _lock(tmp_path)
    assert set(locked.versions(["dask"])) == {"dask", "toolz"}
    assert set(locked.versions(["consumer"])) == {"consumer", "dask", "toolz", "pandas", "numpy"}


def test_adding_a_package_for_one_notebook_leaves_the_others_alone(tmp_path):
    before = _lock(tmp_path).versions(["sklearn"])
    added = LOCK + '\n[[package]]\nname = "polars"\nversion = "1.30.0"\n'
    (tmp_path / "more").mkdir()
    assert _lock(tmp_path / "more", added).versions(["sklearn"]) == before
    assert _lock(tmp_path / "more", added).versions(["polars"]) == {"polars": "1.30.0"}


def test_a_dependency_upgrade_shows_in_its_dependants(tmp_path):
    upgraded = LOCK.replace('version = "2.3.1"', 'version = "2.3.2"')
    (tmp_path / "new").mkdir()
    assert _lock(tmp_path / "new", upgraded).versions(["sklearn"])["numpy"] == "2.3.2"


def test_names_without_a_locked_distribution_and_excluded_ones_are_left_out(tmp_path):
    locked = _lock(tmp_path)
    assert locked.versions(["not_installed_anywhere"]) == {}
    assert "scipy" not in locked.versions(["sklearn"], exclude=["scipy"])
    assert LockedVersions(tmp_path / "missing.lock").versions(["sklearn"]) == {}
