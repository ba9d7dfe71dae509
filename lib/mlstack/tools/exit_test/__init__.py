"""``mlstack exit-test``: from a new table to a cross-validated model and its card.

The steps live in their own modules, in the order they run: :mod:`.reading`,
:mod:`.splitting`, :mod:`.columns` and :mod:`.prepare` (everything decided before a
model is fitted); :mod:`.families`, :mod:`.encoding`, :mod:`.crossval` and
:mod:`.search` (candidates and the budgeted search); :mod:`.ensemble` and
:mod:`.selection` (the honest choice); :mod:`.final` (the single test evaluation);
:mod:`.report`, :mod:`.card` and :mod:`.figures` (the files); :mod:`.run` ties them
together and :mod:`.progress` reports on standard error.
"""

from mlstack.tools.exit_test.card import describe_model, write_model_card
from mlstack.tools.exit_test.crossval import Candidate, CrossValidation, Evaluation
from mlstack.tools.exit_test.ensemble import Ensemble, build_ensemble, greedy_weights
from mlstack.tools.exit_test.estimators import CodedClassifier, CoerceNumeric, KnownCategories
from mlstack.tools.exit_test.families import FAMILIES, Family
from mlstack.tools.exit_test.prepare import prepare
from mlstack.tools.exit_test.progress import Progress
from mlstack.tools.exit_test.report import (
    family_table,
    render_markdown,
    report_sections,
    search_table,
    write_outputs,
)
from mlstack.tools.exit_test.result import (
    ExitTestResult,
    Prepared,
    format_evidence,
)
from mlstack.tools.exit_test.run import exit_test
from mlstack.tools.exit_test.search import SearchResult, search
from mlstack.tools.exit_test.selection import Choice, choose
from mlstack.tools.exit_test.splitting import carve_test
from mlstack.tools.exit_test.tasks import PRIMARY_METRIC, infer_task

__all__ = [
    "FAMILIES",
    "PRIMARY_METRIC",
    "Candidate",
    "Choice",
    "CodedClassifier",
    "CoerceNumeric",
    "KnownCategories",
    "CrossValidation",
    "Ensemble",
    "Evaluation",
    "ExitTestResult",
    "Family",
    "Prepared",
    "Progress",
    "SearchResult",
    "build_ensemble",
    "carve_test",
    "choose",
    "describe_model",
    "exit_test",
    "family_table",
    "format_evidence",
    "greedy_weights",
    "infer_task",
    "prepare",
    "render_markdown",
    "report_sections",
    "search",
    "search_table",
    "write_model_card",
    "write_outputs",
]
