"""scikit-learn transformers written for this curriculum."""

from mlstack.preprocessing.encoders import (
    CyclicalEncoder,
)

__all__ = [
    "CyclicalEncoder",
]
