"""``mlstack exit-test``: from a new table to a cross-validated model and its card."""

from mlstack.tools.exit_test.models import (
    FACTOR,
    CoerceNumeric,
    Deadline,
    families,
    plan_search,
    tune,
)
from mlstack.tools.exit_test.report import (
    render_markdown,
    report_sections,
    search_table,
    write_model_card,
    write_outputs,
)
from mlstack.tools.exit_test.result import (
    PROXY_DROP_STRENGTH,
    ExitTestResult,
    Prepared,
    format_evidence,
)
from mlstack.tools.exit_test.run import (
    PRIMARY_METRIC,
    carve_test,
    exit_test,
    infer_task,
    prepare,
)

__all__ = [
    "CoerceNumeric",
    "Deadline",
    "ExitTestResult",
    "FACTOR",
    "PRIMARY_METRIC",
    "PROXY_DROP_STRENGTH",
    "Prepared",
    "carve_test",
    "exit_test",
    "families",
    "format_evidence",
    "infer_task",
    "plan_search",
    "prepare",
    "render_markdown",
    "report_sections",
    "search_table",
    "tune",
    "write_model_card",
    "write_outputs",
]
