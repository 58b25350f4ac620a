"""A user's own series from a CSV file: a header row, one row per time step, oldest first.

    date,load,temp,holiday
    2024-01-01 00:00,812.5,3.1,1
    2024-01-01 01:00,790.0,2.8,1

    series = read_series_csv(Path("load.csv"), time_column="date", columns=("load", "temp", "holiday"))

The time column holds ISO dates or date-times (`2024-01-01`, `2024-01-01 13:00`, `...T13:00:00`,
`...Z` read as UTC) or plain numbers (years, step numbers); without a time column the rows are
steps 0, 1, 2, ... The other columns named must be numbers. Rows are consecutive steps whatever
their timestamps say; timestamps must strictly increase.

Every problem is one line naming the file, the line (the header is line 1) and the column: an empty
file, a missing column (with the columns there are), a value that is not a number or is empty, a
row with too few fields, a time that is not a date or a number, and times out of order or repeated.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import torch

from rnnlab.data.forecasting.series import Series
from rnnlab.files import read_utf8


def _number(text: str, path: Path, line: int, column: str) -> float:
    if not text.strip():
        raise ValueError(f"{path} line {line}, column {column!r}: empty value; fill or drop missing values first")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{path} line {line}, column {column!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{path} line {line}, column {column!r}: {text!r} is not a finite number")
    return value


def _times(texts: list[str], path: Path, column: str) -> tuple[list[float], bool]:
    """Time texts -> (seconds since 1970 or plain numbers, whether they are dates)."""
    try:
        return [float(text) for text in texts], False
    except ValueError:
        pass
    seconds = []
    for line, text in enumerate(texts, start=2):
        try:
            stamp = np.datetime64(text.strip().replace(" ", "T").removesuffix("Z"), "s")
        except ValueError:
            raise ValueError(f"{path} line {line}, column {column!r}: {text!r} is neither a date/time "
                             "(YYYY-MM-DD[ HH:MM[:SS]]) nor a number") from None
        if np.isnat(stamp):
            raise ValueError(f"{path} line {line}, column {column!r}: empty time")
        seconds.append(float(stamp.astype(np.int64)))
    return seconds, True


def _check_order(times: list[float], texts: list[str], path: Path, column: str) -> None:
    for i in range(1, len(times)):
        if times[i] == times[i - 1]:
            raise ValueError(f"{path} line {i + 2}, column {column!r}: time {texts[i]!r} repeats line {i + 1}; "
                             "each time may appear once")
        if times[i] < times[i - 1]:
            raise ValueError(f"{path} line {i + 2}, column {column!r}: time {texts[i]!r} comes before line "
                             f"{i + 1}'s {texts[i - 1]!r}; sort the rows by time")


def read_series_csv(path: Path, columns: tuple[str, ...], time_column: str = "") -> Series:
    """The numeric `columns` of a CSV file (and its `time_column`, if named) as a Series."""
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    text = read_utf8(path, ", not a CSV file", "save it as a UTF-8 CSV")  # a spreadsheet's BOM is no column
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise ValueError(f"{path}: not valid CSV ({error})") from None
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # trailing blank lines
    if not rows:
        raise ValueError(f"{path} is empty; it needs a header row and one row per time step")
    header = [name.strip() for name in rows[0]]
    wanted = ([time_column] if time_column else []) + list(columns)
    missing = [name for name in wanted if name not in header]
    if missing:
        raise ValueError(f"{path} has no column {', '.join(repr(m) for m in missing)}; its columns are "
                         f"{', '.join(header)}")
    body = rows[1:]
    if not body:
        raise ValueError(f"{path} has a header but no rows")
    where = {name: header.index(name) for name in wanted}
    values = []
    for line, row in enumerate(body, start=2):
        if len(row) < len(header):
            raise ValueError(f"{path} line {line} has {len(row)} fields, the header has {len(header)}")
        values.append([_number(row[where[name]], path, line, name) for name in columns])
    if time_column:
        texts = [row[where[time_column]] for row in body]
        times, datetime = _times(texts, path, time_column)
        _check_order(times, texts, path, time_column)
    else:
        times, datetime = [float(i) for i in range(len(body))], False
    return Series(str(path), torch.tensor(values, dtype=torch.float64).reshape(len(body), len(columns)), columns,
                  torch.tensor(times, dtype=torch.float64), datetime)
