import numpy as np
import pandas as pd
import pytest

from mlstack.utils.rows import take_rows


@pytest.mark.parametrize(
    "data",
    [
        pd.DataFrame({"a": [1, 2, 3]}, index=[5, 6, 7]),
        pd.Series([1, 2, 3]),
        np.array([1, 2, 3]),
        [1, 2, 3],
    ],
    ids=["frame", "series", "array", "list"],
)
def test_take_rows_selects_by_position_and_keeps_the_type(data):
    taken = take_rows(data, np.array([2, 0]))
    values = np.asarray(taken).ravel().tolist()
    assert values == [3, 1]
    assert type(taken) is (np.ndarray if isinstance(data, list) else type(data))
