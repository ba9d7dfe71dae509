import json
import re

import pytest

from mlstack.tools.exam.criteria import (
    check_answer,
    check_code,
    check_model_card,
    check_pipeline,
    check_reflection,
    check_time,
    code_files,
    count_figures,
    count_words,
)

CARD = """# Model card: churn

## Problem and intended use
Predict churn.

## Data
5,000 customers.

## Model
Gradient boosting in a pipeline.

## Performance

### Cross-validation
ROC AUC 0.91 +/- 0.01.

## Limitations
One company, one year.
"""


@pytest.mark.parametrize(
    ("text", "passed", "reason"),
    [
        (CARD, True, "has Problem, Data, Model, Performance, Limitations"),
        (
            CARD.replace("## Limitations\nOne company, one year.\n", ""),
            False,
            "no section Limitations",
        ),
        (CARD.replace("5,000 customers.", ""), False, "nothing under Data"),
        (CARD.replace("## Model\n", "## Estimator\n"), True, "has Problem"),
        ("# Model card\n\nAll good.\n", False, "no section Problem, Data, Model, Performance"),
    ],
    ids=["complete", "no-limitations", "empty-data", "title-is-not-a-section", "title-only"],
)
def test_model_card_sections(text, passed, reason, tmp_path):
    if "Estimator" in text:  # "Model" then appears only in the title, which does not count
        passed, reason = False, "no section Model"
    path = tmp_path / "model_card.md"
    path.write_text(text)
    result = check_model_card(path)
    assert result.passed is passed
    assert reason in result.reason


def test_a_subsection_counts_as_text_under_its_section(tmp_path):
    path = tmp_path / "model_card.md"
    path.write_text(
        CARD.replace("## Performance\n\n### Cross-validation", "## Performance\n### CV")
    )
    assert check_model_card(path).passed


@pytest.mark.parametrize(
    ("answer", "passed", "reason"),
    [
        ('cause = "group_overlap"\ncolumns = ["state"]', True, "the planted cause"),
        ('cause = "Group overlap"\ncolumns = ["State", "year"]', True, "the planted cause"),
        ('cause = "group_overlap"\ncolumns = ["year"]', False, "miss the planted `state`"),
        (
            'cause = "group_overlap"\ncolumns = ["state", "a", "b", "c"]',
            False,
            "3 columns besides",
        ),
        ('cause = "temporal_overlap"\ncolumns = ["year"]', False, "the planted cause was"),
        ('cause = "leak"\ncolumns = []', False, "is none of duplicate_rows"),
        ('cause = ""\ncolumns = []', False, "names no cause"),
        ("cause = [unclosed", False, "not valid TOML"),
    ],
    ids=[
        "right",
        "right-any-case-one-extra-column",
        "wrong-column",
        "every-column",
        "wrong-cause",
        "unknown-cause",
        "empty",
        "broken-toml",
    ],
)
def test_leakage_answer(answer, passed, reason, tmp_path):
    path = tmp_path / "answer.toml"
    path.write_text(answer)
    result = check_answer(path, "group_overlap", ("state",))
    assert result.passed is passed
    assert reason in result.reason


def test_duplicate_rows_need_no_columns(tmp_path):
    path = tmp_path / "answer.toml"
    path.write_text('cause = "duplicate_rows"\ncolumns = []')
    assert check_answer(path, "duplicate_rows", ()).passed
    assert not check_answer(tmp_path / "missing.toml", "duplicate_rows", ()).passed


def test_reflection_counts_words_engines_and_figures(tmp_path, handins):
    path = tmp_path / "reflection.md"
    path.write_text(handins.REFLECTION)
    assert check_reflection(path).passed
    path.write_text(handins.REFLECTION.replace("DuckDB", "the database"))
    assert "does not name DuckDB" in check_reflection(path).reason
    path.write_text(re.sub(r"\d", "", handins.REFLECTION))
    assert "cite at least 2" in check_reflection(path).reason


def test_the_question_own_10_gb_is_not_a_measured_figure():
    assert count_figures("A 10 GB CSV, or a 10GB one.") == []
    assert count_figures("Polars took 12.5 s and 3.1 GiB; 40% less.") == [
        "12.5 s",
        "3.1 GiB",
        "40%",
    ]
    assert count_words("pandas vs Polars") == 3


def test_time_is_measured_from_the_start_to_the_last_hand_in():
    assert check_time(0.0, 119 * 60).passed
    late = check_time(0.0, 121 * 60)
    assert not late.passed and "2 h 01 min" in late.reason
    assert not check_time(0.0, None).passed


def _notebook(path, *sources):
    cells = [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []} for s in sources]
    path.write_text(
        json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    )


def test_code_checks_read_notebooks_and_scripts(tmp_path):
    _notebook(
        tmp_path / "work.ipynb",
        "from sklearn.pipeline import make_pipeline\n",
        "scores = cross_val_score(make_pipeline(model), X, y)\n",
    )
    (tmp_path / ".ipynb_checkpoints").mkdir()
    _notebook(tmp_path / ".ipynb_checkpoints" / "work-checkpoint.ipynb", "x = 1\n")
    files = code_files(tmp_path)
    assert [p.name for p in files] == ["work.ipynb"]
    assert check_code(files, tmp_path).passed
    assert (
        "(`cross_val_score`) of a pipeline (`make_pipeline`)"
        in check_pipeline(files, tmp_path).reason
    )


def test_a_model_fitted_without_cross_validation_is_not_a_cross_validated_pipeline(tmp_path):
    (tmp_path / "fit.py").write_text("model.fit(X, y)\n")
    result = check_pipeline(code_files(tmp_path), tmp_path)
    assert not result.passed
    assert "no cross-validation" in result.reason and "no pipeline" in result.reason


def test_anti_patterns_are_listed_with_file_and_line(tmp_path):
    (tmp_path / "loop.py").write_text("for _, row in df.iterrows():\n    total += row['x']\n")
    result = check_code(code_files(tmp_path), tmp_path)
    assert not result.passed
    assert result.reason.startswith("1 anti-pattern(s): loop.py line 1: AP1")


def test_an_unparseable_script_fails_with_the_linter_message(tmp_path):
    (tmp_path / "broken.py").write_text("def f(:\n")
    result = check_code(code_files(tmp_path), tmp_path)
    assert not result.passed and result.reason.startswith("cannot lint:")
