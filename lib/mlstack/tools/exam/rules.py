"""The exam's rules in one place: time, hand-ins, and what each criterion asks for.

The task statements (:mod:`~mlstack.tools.exam.texts`) and the grader
(:mod:`~mlstack.tools.exam.grading`) both read these, so what the learner is told
is what is graded.
"""

from __future__ import annotations

__all__ = [
    "CAUSES",
    "CROSS_VALIDATION",
    "ID_COLUMN",
    "MAX_EXTRA_COLUMNS",
    "MINUTES",
    "MIN_FIGURES",
    "MODEL_CARD_SECTIONS",
    "PIPELINE",
    "PREDICTIONS",
    "WORDS",
]

#: Minutes allowed: the whole exam and each part (the seed's exit test).
MINUTES: dict[str, int] = {"total": 120, "build": 75, "diagnose": 30, "articulate": 15}

#: The column that numbers the test rows of Part 1.
ID_COLUMN = "row_id"

#: Part 1's predictions file, inside the workspace.
PREDICTIONS = "part1/predictions.csv"

#: Sections a model card must have (syllabus M9), each matched by any of these words in a
#: heading, case-insensitive, and each with some text under it.
MODEL_CARD_SECTIONS: dict[str, tuple[str, ...]] = {
    "Problem": ("problem", "intended use", "purpose", "overview"),
    "Data": ("data",),
    "Model": ("model",),
    "Performance": ("performance", "evaluation", "results", "metrics"),
    "Limitations": ("limitation", "caveat", "failure"),
}

#: Names in code that show cross-validation, and names that show a pipeline. Running the
#: repository's reference solution (``exit_test``, ``mlstack exit-test``) counts as both.
CROSS_VALIDATION: tuple[str, ...] = (
    "cross_val_score",
    "cross_validate",
    "cross_val_predict",
    "GridSearchCV",
    "RandomizedSearchCV",
    "HalvingGridSearchCV",
    "HalvingRandomSearchCV",
    "exit_test",
    "exit-test",
)
PIPELINE: tuple[str, ...] = (
    "Pipeline",
    "make_pipeline",
    "tabular_pipeline",
    "exit_test",
    "exit-test",
)

#: The leakage causes a learner may name in Part 2, and what each means.
CAUSES: dict[str, str] = {
    "duplicate_rows": "rows of the evaluation file are copies of training rows",
    "group_overlap": "the same entities are on both sides of a split",
    "temporal_overlap": "the evaluation rows are not after the training period",
    "target_proxy": "a column is filled in from the outcome, after the fact",
    "identifier": "a record number carries the target because of how records were numbered",
    "distribution_shift": "the test rows come from a different range of the data",
}

#: Naming a few columns besides the planted ones is fine; naming everything is not.
MAX_EXTRA_COLUMNS = 2

#: Words of the Part 3 reflection ("about 400").
WORDS: tuple[int, int] = (300, 500)
#: Measured figures (a number with a unit: seconds, GB, %, times faster) it must cite.
MIN_FIGURES = 2
