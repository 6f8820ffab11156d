from __future__ import annotations

import numpy as np

from labeltools.core.errors import format_values


def test_format_values_counts_or_elides_the_rest():
    assert format_values([3]) == "3"
    assert format_values(np.arange(8, dtype=np.uint8)) == "0, 1, 2, 3, 4, 5, 6, 7"
    assert format_values(np.arange(11)) == "0, 1, 2, 3, 4, 5, 6, 7 and 3 more"
    assert format_values(list(range(12)), 10, count_rest=False) == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ..."
    assert format_values([]) == ""
