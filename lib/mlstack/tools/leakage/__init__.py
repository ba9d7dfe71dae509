"""``mlstack leakage``: audit a train/test pair for the causes of great validation, terrible test.

The audit runs in :mod:`.auditor` (:func:`audit`, :func:`audit_columns`,
:func:`audit_files`) through one module per check: :mod:`.duplicates`, :mod:`.overlap`
(groups and time), :mod:`.proxies` (target proxies judged by family, identifiers, and
the one proxy policy :func:`drops_proxy` that ``mlstack exit-test`` also uses) and
:mod:`.shift`; :mod:`.preparation` validates the input, :mod:`.scores` computes the
univariate scores, :mod:`.findings` defines what is reported and in which order, and
:mod:`.formatting` prints it.
"""

from mlstack.tools.leakage.auditor import audit, audit_columns, audit_files
from mlstack.tools.leakage.findings import KINDS, SEVERITIES, Finding, has_problems
from mlstack.tools.leakage.formatting import format_findings
from mlstack.tools.leakage.proxies import drops_proxy, proxy_severity

__all__ = [
    "Finding",
    "KINDS",
    "SEVERITIES",
    "audit",
    "audit_columns",
    "audit_files",
    "drops_proxy",
    "format_findings",
    "has_problems",
    "proxy_severity",
]
