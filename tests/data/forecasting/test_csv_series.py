"""A user's CSV: parsed values and times, and every malformed file refused in one line naming file, line, column."""

import pytest
import torch

from rnnlab.data.forecasting.csv_series import read_series_csv

GOOD = """date,load,temp
2024-01-01 00:00,10.5,3
2024-01-01 01:00,11,2.5
2024-01-01T02:00:00Z,12,2
"""


def write(tmp_path, text, name="series.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_good_file(tmp_path):
    series = read_series_csv(write(tmp_path, GOOD), ("load", "temp"), "date")
    assert series.values.tolist() == [[10.5, 3], [11, 2.5], [12, 2]] and series.datetime
    assert series.labels() == ["2024-01-01T00:00", "2024-01-01T01:00", "2024-01-01T02:00"]
    numbers = read_series_csv(write(tmp_path, "year,y\n2001,1\n2002,2\n"), ("y",), "year")
    assert numbers.labels() == ["2001", "2002"] and not numbers.datetime
    steps = read_series_csv(write(tmp_path, "y\n1\n2\n\n"), ("y",))  # a trailing blank line is no row
    assert steps.times.tolist() == [0, 1]
    bom = read_series_csv(write(tmp_path, "\ufeffy\n1\n"), ("y",))  # a spreadsheet's byte-order mark
    assert bom.column("y").tolist() == [1.0]
    assert torch.equal(series.column("temp"), torch.tensor([3, 2.5, 2], dtype=torch.float64))


@pytest.mark.parametrize(("text", "message"), [
    ("", "series.csv is empty"),
    ("date,load\n", "series.csv has a header but no rows"),
    ("date,temp\n2024-01-01,1\n", "series.csv has no column 'load'; its columns are date, temp"),
    ("date,load\n2024-01-01,1\n2024-01-02,abc\n", "series.csv line 3, column 'load': 'abc' is not a number"),
    ("date,load\n2024-01-01,1\n2024-01-02,\n", "series.csv line 3, column 'load': empty value"),
    ("date,load\n2024-01-01,inf\n", "series.csv line 2, column 'load': 'inf' is not a finite number"),
    ("date,load\n2024-01-01\n", "series.csv line 2 has 1 fields, the header has 2"),
    ("date,load\n2024-01-02,1\n2024-01-01,2\n",
     "series.csv line 3, column 'date': time '2024-01-01' comes before line 2's '2024-01-02'; sort the rows"),
    ("date,load\n2024-01-01,1\n2024-01-01,2\n", "series.csv line 3, column 'date': time '2024-01-01' repeats line 2"),
    ("date,load\n2024-01-01,1\nyesterday,2\n", "series.csv line 3, column 'date': 'yesterday' is neither a date"),
])
def test_malformed_files_say_where(tmp_path, text, message):
    with pytest.raises(ValueError) as raised:
        read_series_csv(write(tmp_path, text), ("load",), "date")
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"nothere\.csv is not a file"):
        read_series_csv(tmp_path / "nothere.csv", ("y",))
