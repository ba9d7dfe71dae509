"""What a model leaves behind: its card, its saved file, a profile of its table."""

from mlstack.reporting.model_card import (
    CVSummary,
    DataSummary,
    HeldOutResult,
    ModelCard,
    describe_estimator,
    fingerprint_frame,
    markdown_table,
    reproducibility_facts,
)
from mlstack.reporting.persist import (
    file_sha256,
    load_model,
    save_model,
    untrusted_types,
)
from mlstack.reporting.table_profile import (
    TableProfile,
    column_kind,
    numeric_text_share,
    profile_figures,
    profile_table,
)

__all__ = [
    "CVSummary",
    "DataSummary",
    "HeldOutResult",
    "ModelCard",
    "TableProfile",
    "column_kind",
    "describe_estimator",
    "file_sha256",
    "fingerprint_frame",
    "load_model",
    "markdown_table",
    "numeric_text_share",
    "profile_figures",
    "profile_table",
    "reproducibility_facts",
    "save_model",
    "untrusted_types",
]
