"""The rules ``mlstack lint`` checks, the finding it reports, and the vocabulary it reads.

The rules are the curriculum's anti-patterns (:data:`RULES`). A finding
(:class:`LintFinding`) names its file, cell and line. The vocabulary says which calls
search, cross-validate, split or preprocess, and which variable names mean test or
training data.

A variable is *test-named* when a word of its name is ``test``, ``tst``, ``holdout``
or ``heldout`` (``X_test``, ``test_df``, ``Xtest``, ``X_te``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = [
    "CV_FUNCTIONS",
    "FIT_METHODS",
    "PREPROCESSORS",
    "RULES",
    "SEARCHES",
    "SMALL_LOADERS",
    "SMALL_ROWS",
    "SPLITTERS",
    "LintFinding",
    "Problem",
    "is_preprocessor_name",
    "is_test_name",
    "is_train_name",
]

#: Rule IDs (the syllabus anti-patterns) and what each one catches.
RULES: dict[str, str] = {
    "AP1": "Python loop over DataFrame rows",
    "AP2": "test data used in model selection",
    "AP3": "preprocessing fitted before the split or on all data",
    "AP4": "single train/test split on small data without cross-validation",
    "AP5": "fit or fit_transform on test data",
}

#: At most this many rows is "small" for AP4: a 25% test set then has at most 500 rows,
#: and an accuracy measured on it moves by two points or more between random splits.
SMALL_ROWS = 2000


@dataclass(frozen=True, order=True)
class LintFinding:
    """One anti-pattern found in a file.

    ``cell`` is the 1-based cell number in a notebook (``None`` in a ``.py``
    file) and ``line`` is counted within that cell (within the file for ``.py``).

    Examples
    --------
    >>> str(LintFinding("nb.ipynb", 3, 2, 1, "AP3", "scaler fitted before the split"))
    'nb.ipynb:cell 3:2:1: AP3 scaler fitted before the split'
    """

    path: str
    cell: int | None
    line: int
    col: int
    rule: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as a JSON-serializable dict."""
        return {
            "path": self.path,
            "cell": self.cell,
            "line": self.line,
            "col": self.col,
            "rule": self.rule,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"{self.path}:cell {self.cell}:" if self.cell is not None else f"{self.path}:"
        return f"{where}{self.line}:{self.col}: {self.rule} {self.message}"


class Problem(NamedTuple):
    """What a check reports, before it is placed in its file and cell.

    ``node`` is the syntax node reported (its line and column), ``span`` the module lines
    an allow comment may sit on.
    """

    rule: str
    node: Any
    span: tuple[int, int]
    message: str


FIT_METHODS = {"fit", "fit_transform", "fit_predict", "fit_resample", "partial_fit"}
ROW_INDEXERS = {"iloc", "loc", "at", "iat"}
SEARCHES = {
    "GridSearchCV",
    "RandomizedSearchCV",
    "HalvingGridSearchCV",
    "HalvingRandomSearchCV",
    "TunedThresholdClassifierCV",
}
CV_FUNCTIONS = {
    "cross_val_score",
    "cross_validate",
    "cross_val_predict",
    "learning_curve",
    "validation_curve",
    "permutation_test_score",
}
SPLITTERS = {
    "KFold",
    "StratifiedKFold",
    "GroupKFold",
    "StratifiedGroupKFold",
    "TimeSeriesSplit",
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "LeaveOneOut",
    "LeavePOut",
    "LeaveOneGroupOut",
    "LeavePGroupsOut",
    "PredefinedSplit",
}
PREPROCESSORS = {
    # sklearn.preprocessing
    "StandardScaler",
    "MinMaxScaler",
    "MaxAbsScaler",
    "RobustScaler",
    "QuantileTransformer",
    "PowerTransformer",
    "KBinsDiscretizer",
    "OneHotEncoder",
    "OrdinalEncoder",
    "TargetEncoder",
    "SplineTransformer",
    # imputation, decomposition, selection, text
    "SimpleImputer",
    "KNNImputer",
    "IterativeImputer",
    "PCA",
    "IncrementalPCA",
    "KernelPCA",
    "TruncatedSVD",
    "NMF",
    "FastICA",
    "SelectKBest",
    "SelectPercentile",
    "VarianceThreshold",
    "SelectFromModel",
    "RFE",
    "TfidfVectorizer",
    "CountVectorizer",
    "DictVectorizer",
    "ColumnTransformer",
    "make_column_transformer",
    # skrub
    "TableVectorizer",
    "MinHashEncoder",
    "GapEncoder",
    "StringEncoder",
    "TextEncoder",
    "SquashingScaler",
}
SCORING_METHODS = {"score", "predict", "predict_proba", "predict_log_proba", "decision_function"}
SCORING_SUFFIXES = ("_score", "_error", "_loss", "_deviance")
SMALL_LOADERS = {
    "load_iris": 150,
    "load_wine": 178,
    "load_breast_cancer": 569,
    "load_diabetes": 442,
    "load_digits": 1797,
    "load_linnerud": 20,
}
# Keywords that vary in a loop without being tuned: repeated seeds, resources, logging.
NOT_HYPERPARAMETERS = {"random_state", "seed", "n_jobs", "verbose", "thread_count"}

_PREPROCESSOR_WORDS = {
    "scaler",
    "encoder",
    "imputer",
    "vectorizer",
    "pca",
    "svd",
    "preprocessor",
    "preprocessing",
    "normalizer",
    "discretizer",
}
_TEST_WORDS = {"test", "tst", "holdout", "heldout"}
_TRAIN_WORDS = {"train", "tr", "trn", "dev", "fit", "learn"}


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", spaced)
    return [w for w in re.split(r"[_\d]+", spaced.lower()) if w]


def is_test_name(name: str) -> bool:
    """Whether a variable name says it holds test data.

    Examples
    --------
    >>> [is_test_name(n) for n in ("X_test", "Xtest", "X_te", "latest", "y_contest")]
    [True, True, True, False, False]
    """
    words = _words(name)
    if any(w in _TEST_WORDS for w in words):
        return True
    lower = name.lower()
    if re.fullmatch(r"(x|y|df|data)_?(test|tst|te|ho)\d*", lower):
        return True
    return len(words) > 1 and words[-1] == "te"  # X_te, y_te


def is_train_name(name: str) -> bool:
    """Whether a variable name says it holds training data (``X_train``, ``Xtr``, ``dev``)."""
    words = _words(name)
    return any(w in _TRAIN_WORDS for w in words) or bool(
        re.fullmatch(r"(x|y|df|data)_?(train|tr|trn)\d*", name.lower())
    )


def is_preprocessor_name(name: str) -> bool:
    """Whether a variable name says it holds a preprocessor, when its construction is not seen.

    Examples
    --------
    >>> [is_preprocessor_name(n) for n in ("scaler", "std_scaler", "oneHotEncoder", "model")]
    [True, True, True, False]
    """
    return any(w in _PREPROCESSOR_WORDS for w in _words(name))
