"""Tests of mlstack.metrics.labels: the positive class."""

import pytest

from mlstack.errors import InputError
from mlstack.metrics.labels import positive_mask


@pytest.mark.parametrize(
    ("labels", "pos_label", "expected"),
    [
        ([True, False], None, [True, False]),
        ([0, 1, 1], None, [False, True, True]),
        ([2, 5, 5], None, [False, True, True]),
        (["b", "a"], "b", [True, False]),
    ],
    ids=["bool", "zero-one", "numbers", "explicit"],
)
def test_positive_mask(labels, pos_label, expected):
    assert positive_mask(labels, pos_label).tolist() == expected


def test_positive_mask_rejects_more_than_two_labels():
    with pytest.raises(InputError, match="at most two labels; got 3"):
        positive_mask(["a", "b", "c"])
