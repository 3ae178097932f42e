"""`frames.rows_of`: the plan's row of each SKU id a store cell names, -1 for a SKU the plan does not hold."""

from __future__ import annotations

import numpy as np

from tradewind.planning.frames import rows_of


def test_each_id_finds_its_row_and_an_unknown_id_none() -> None:
    ids = np.array([40, 7, 19, 3], dtype=np.int64)  # the plan's SKUs, in its order (not sorted)
    wanted = np.array([19, 3, 5, 40, 41, 7, 19, 1], dtype=np.int64)
    assert rows_of(ids, wanted).tolist() == [2, 3, -1, 0, -1, 1, 2, -1]
    assert rows_of(np.array([], dtype=np.int64), wanted).tolist() == [-1] * 8
    assert rows_of(ids, np.array([], dtype=np.int64)).tolist() == []
