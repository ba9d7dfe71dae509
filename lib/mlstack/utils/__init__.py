"""Plumbing every other subpackage uses: atomic writes, the repository's paths,
reading a user's table, timing measurements and the facts of the machine that made them.
"""

from mlstack.utils.atomic import (
    atomic_directory,
    atomic_path,
    write_bytes,
    write_json,
    write_text,
)
from mlstack.utils.machine import (
    DEFAULT_PACKAGES,
    machine_facts,
)
from mlstack.utils.paths import (
    build_dir,
    data_dir,
    interactive_session,
    notebooks_dir,
    repo_root,
    reports_dir,
    timings_dir,
)
from mlstack.utils.rows import take_rows
from mlstack.utils.tables import (
    read_table,
    require_columns,
)
from mlstack.utils.timing import (
    MIN_REPEAT,
    Ratio,
    Timing,
    peak_rss_mb,
    speedup,
    time_call,
    write_timings,
)

__all__ = [
    "DEFAULT_PACKAGES",
    "MIN_REPEAT",
    "Ratio",
    "Timing",
    "atomic_directory",
    "atomic_path",
    "build_dir",
    "data_dir",
    "interactive_session",
    "machine_facts",
    "notebooks_dir",
    "peak_rss_mb",
    "read_table",
    "repo_root",
    "speedup",
    "take_rows",
    "reports_dir",
    "require_columns",
    "time_call",
    "timings_dir",
    "write_bytes",
    "write_json",
    "write_text",
    "write_timings",
]
