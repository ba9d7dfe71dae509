"""Tests of mlstack.flights.policy: the one table of the flights task's columns."""

import numpy as np
import pytest

from mlstack.errors import InputError
from mlstack.flights import policy
from mlstack.flights.data import task_data


def test_every_column_is_either_a_feature_or_excluded_with_a_reason():
    for name, column in policy.POLICY.items():
        assert column.role in policy.ROLES, name
        assert (column.use is None) == bool(column.reason.strip()), name


def test_every_column_the_task_returns_is_in_the_policy():
    X, _ = task_data(sample=300, include_leaky=True, period="all")
    assert set(X.columns) <= set(policy.POLICY)


def test_the_views_are_derived_from_the_one_table():
    assert set(policy.FEATURES) == {n for n, c in policy.POLICY.items() if c.use}
    assert set(policy.FEATURES).isdisjoint(policy.EXCLUDED)
    assert policy.FEATURES == (*policy.CATEGORICAL, *policy.NUMERIC)
    assert policy.COLUMN_ROLES["dep_delay"] == "post_departure"
    assert set(policy.POST_DEPARTURE) == set(policy.columns_with_role("post_departure")) - {
        "cancelled"
    }


def test_no_outcome_identifier_or_calendar_position_is_a_feature():
    forbidden = policy.columns_with_role("post_departure", "target", "identifier")
    forbidden += ["month", "day", "day_of_year", "sched_dep", "time_hour", "tailnum"]
    assert not set(forbidden) & set(policy.FEATURES)
    assert set(forbidden) - {"late", "rownames"} <= set(policy.EXCLUDED)


@pytest.mark.parametrize(
    ("period", "expected"),
    [("development", [True, False, False]), ("test", [False, True, True]), ("all", [True] * 3)],
    ids=["development", "test", "all"],
)
def test_period_mask_splits_the_year(period, expected):
    assert policy.period_mask(np.array([10, 11, 12]), period).tolist() == expected


def test_unknown_role_and_period_are_input_errors():
    with pytest.raises(InputError, match="unknown role"):
        policy.columns_with_role("weather", "gossip")
    with pytest.raises(InputError, match="unknown period 'spring'"):
        policy.period_mask([1], "spring")


def test_policy_table_lists_use_and_reason():
    table = policy.policy_table(["tailnum", "carrier", "not-a-column"])
    assert table.index.tolist() == ["carrier", "tailnum"]
    assert table.loc["carrier", "used as"] == "categorical"
    assert "identifier" in table.loc["tailnum", "reason left out"]


# --- the notebooks use the policy -------------------------------------------------------

#: Notebooks that fit a clean flights model: they build it with the policy's builders.
CLEAN_MODEL_NOTEBOOKS = ("03", "04", "08", "10", "11")

#: The marker a notebook writes next to a deliberate departure from the policy.
DEPARTURE = "departs from the feature policy"

#: Estimators a clean-model notebook must not build by hand (the policy's builders do).
HAND_BUILT = {
    "HistGradientBoostingClassifier",
    "LogisticRegression",
    "LGBMClassifier",
    "XGBClassifier",
    "GradientBoostingClassifier",
    "RandomForestClassifier",
}

#: Loaders, and whether they return the development months unless asked otherwise.
DEVELOPMENT_BY_DEFAULT = {"task_frame": True, "task_data": True, "load_flights": False}

#: Whole-year reads before notebook 08 that show no November-December outcome, each with why.
WHOLE_YEAR_READS = {
    # 05 counts rows and categories of the whole published schedule (no outcome) to size a
    # dense one-hot matrix.
    ("05_scaling_encoding", "load_table"): "the schedule's size only",
    # 01 times array operations on the raw table; its memory-layout table shows the length of
    # one dep_delay mask over the year. Owned by the vectorization notebook; listed so that
    # any new whole-year read fails this test.
    ("01_vectorization", "load_flights"): "memory-layout demonstration",
}


def _notebook_cells(stem_prefix: str) -> list[tuple[str, str]]:
    import json

    from mlstack.engine.notebooks import discover_notebooks
    from mlstack.utils.paths import notebooks_dir

    (path,) = [p for p in discover_notebooks(notebooks_dir()) if p.stem.startswith(stem_prefix)]
    cells = json.loads(path.read_text())["cells"]
    return [(path.stem, "".join(c["source"])) for c in cells if c["cell_type"] == "code"]


def _calls(source: str):
    import ast

    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    )
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            yield name, node


def _keyword(call, name):
    import ast

    for keyword in call.keywords:
        if keyword.arg == name:
            return (
                keyword.value.value if isinstance(keyword.value, ast.Constant) else keyword.value
            )
    return None


@pytest.mark.parametrize("number", CLEAN_MODEL_NOTEBOOKS)
def test_notebooks_that_fit_clean_flights_models_build_them_from_the_policy(number):
    cells = _notebook_cells(number)
    builders = [
        name for _, source in cells for name, _ in _calls(source)
        if name in ("make_model", "tuning_estimator")
    ]  # fmt: skip
    assert builders, f"notebook {number} never calls make_model or tuning_estimator"
    for _, source in cells:
        for name, call in _calls(source):
            assert name not in HAND_BUILT, f"notebook {number} builds {name} by hand"
            departs = name == "late_model" or (
                name == "make_model"
                and (_keyword(call, "features") is not None or _keyword(call, "target_encode"))
            )
            if departs:
                assert DEPARTURE in source, (
                    f"notebook {number}: {name}(...) departs from the policy without saying so"
                )


def _pre_mastery_notebooks() -> list[str]:
    from mlstack.engine.notebooks import discover_notebooks
    from mlstack.utils.paths import notebooks_dir

    return [p.stem[:2] for p in discover_notebooks(notebooks_dir()) if p.stem[:2] < "08"]


@pytest.mark.parametrize("number", _pre_mastery_notebooks())
def test_no_notebook_before_08_computes_on_the_test_months(number):
    for stem, source in _notebook_cells(number):
        for name, call in _calls(source):
            whole_year = (stem, name) in WHOLE_YEAR_READS
            if name in DEVELOPMENT_BY_DEFAULT:
                period = _keyword(call, "period")
                default = "development" if DEVELOPMENT_BY_DEFAULT[name] else "all"
                period = default if period is None else period
                assert period == "development" or whole_year, (
                    f"{stem}: {name}(...) reads period={period!r}; explore January-October only"
                )
            elif name == "load_table" and call.args:
                table = getattr(call.args[0], "value", None)
                assert table != "flights" or whole_year, (
                    f"{stem}: load_table('flights') reads the test months"
                )
            elif name == "flights_frame":
                raise AssertionError(f"{stem}: flights_frame returns the whole year")
