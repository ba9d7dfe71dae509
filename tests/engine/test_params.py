import pytest

from mlstack.engine.params import filter_declared, load_param_set, params_for
from mlstack.errors import ReproduceError


def test_notebook_table_wins_over_all():
    assert params_for({"all": {"a": 1, "b": 2}, "01_x": {"b": 3}}, "01_x") == {"a": 1, "b": 3}
    assert params_for({"all": {"a": 1}}, "02_y") == {"a": 1}


def test_unknown_param_set_names_the_available_ones(tmp_path):
    (tmp_path / "smoke.toml").write_text("[all]\nseed = 0\n")
    with pytest.raises(ReproduceError, match=r"no parameter set 'fast'.*available: smoke"):
        load_param_set(tmp_path, "fast")


def test_invalid_toml_is_reported(tmp_path):
    (tmp_path / "bad.toml").write_text("[all\n")
    with pytest.raises(ReproduceError, match="not valid TOML"):
        load_param_set(tmp_path, "bad")


def test_shipped_param_sets_parse():
    from mlstack.utils.paths import notebooks_dir

    for name in ("default", "smoke"):
        assert "all" in load_param_set(notebooks_dir() / "params", name)


def test_undeclared_notebook_parameter_is_an_error(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("rows = 10")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    assert filter_declared(path, "01_x", {"all": {"rows": 5, "other": 1}}) == {"rows": 5}
    with pytest.raises(
        ReproduceError, match=r"parameters \['rowz'\] are set for it but not declared"
    ):
        filter_declared(path, "01_x", {"01_x": {"rowz": 5}})


def test_a_parameterized_copy_injects_the_values_after_the_parameters_cell(tmp_path):
    import nbformat

    from mlstack.engine.params import write_parameterized

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("rows = 10")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# x"), cell, nbformat.v4.new_code_cell("rows")]
    source = tmp_path / "01_x.ipynb"
    nbformat.write(nb, source)
    injected = write_parameterized(source, tmp_path / "copy" / "01_x.ipynb", {"all": {"rows": 5}})
    copy = nbformat.read(tmp_path / "copy" / "01_x.ipynb", as_version=4)
    assert injected == {"rows": 5}
    assert copy.cells[2].metadata["tags"] == ["injected-parameters"]
    assert "rows = 5" in copy.cells[2].source
    assert [c.source for c in copy.cells[3:]] == ["rows"]
