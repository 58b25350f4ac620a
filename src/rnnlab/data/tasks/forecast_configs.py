"""The configs of the forecasting tasks: what every series shares (ForecastConfig) and each task's defaults.

Column lists are comma-separated text (`--set known=temperature,workday`), so a saved config is JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rnnlab.data.datasets.elecdemand import load_elecdemand
from rnnlab.data.datasets.eustocks import load_eustocks
from rnnlab.data.datasets.msft import load_msft
from rnnlab.data.datasets.nyc_weather import ORIGINS, load_nyc_weather
from rnnlab.data.forecasting.csv_series import read_series_csv
from rnnlab.data.forecasting.defaults import choose
from rnnlab.data.forecasting.heads import HEADS, HeadName
from rnnlab.data.forecasting.prepare import Layout
from rnnlab.data.forecasting.series import CALENDAR, Series

Strategy = Literal["direct", "autoregressive"]


def names(text: str) -> tuple[str, ...]:
    """'temp, holiday' -> ('temp', 'holiday'); '' -> ()."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class ForecastConfig:
    """What every forecasting task shares; each task's config below sets its own defaults.

    Column lists are comma-separated text (`--set known=temperature,workday`), so a saved config is JSON.
    """

    context: int = 96  # L: observed steps each forecast reads
    horizon: int = 48  # S: steps forecast from each origin
    target: str = ""
    covariates: str = ""  # past-only covariates: observed up to the origin
    known: str = ""  # known-future covariates: values at the forecast steps are inputs too
    calendar: str = ""  # calendar features from the times: hour, weekday, year
    season: int = 1  # m of the seasonal-naive baseline and of MASE's scale
    log: bool = False  # model log y (for positive, multiplicative series such as prices)
    relative: bool = False  # read each window relative to its last observed value (level-free)
    head: HeadName = "gaussian"  # point (MSE), gaussian (NLL) or quantile (pinball)
    interval: float = 0.8  # nominal coverage of the prediction interval (quantiles 0.1 / 0.5 / 0.9)
    strategy: Strategy = "direct"  # direct: S outputs at once; autoregressive: one step, fed back S times
    stride: int | None = None  # steps between rolling evaluation origins; None: the horizon (forecasts tile)
    split: Literal["validation", "test"] = "validation"
    max_train: int | None = None  # smoke tests: only the first N training origins
    max_test: int | None = None  # smoke tests: only the first N evaluation origins; not comparable figures

    def __post_init__(self) -> None:
        self.check()

    def check(self, *open_fields: str) -> None:
        """One-line errors for bad values; `open_fields` (a user series' settings still to be chosen from the
        data: context 0, relative or calendar None) pass unchecked."""
        for name in ("context", "horizon", "stride", "max_train", "max_test"):
            value = getattr(self, name)
            if value is not None and name not in open_fields and (not isinstance(value, int) or value <= 0):
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")
        for name in ("target", "covariates", "known", "calendar"):
            if not isinstance(getattr(self, name), str) and name not in open_fields:
                raise ValueError(f"{name} takes comma-separated column names, got {getattr(self, name)!r}")
        for name in ("log", "relative"):
            if not isinstance(getattr(self, name), bool) and name not in open_fields:
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if not isinstance(self.season, int) or self.season < 0:
            raise ValueError(f"season must be a whole number, 0 or more, got {self.season!r}")
        if self.head not in HEADS:
            raise ValueError(f"unknown head {self.head!r}; choose one of {', '.join(HEADS)}")
        if self.strategy not in ("direct", "autoregressive"):
            raise ValueError(f"strategy must be 'direct' or 'autoregressive', got {self.strategy!r}")
        if self.split not in ("validation", "test"):
            raise ValueError(f"split must be 'validation' or 'test', got {self.split!r}")
        if not 0 < self.interval < 1:
            raise ValueError(f"interval must lie in (0, 1), got {self.interval}")
        unknown = [kind for kind in names(self.calendar or "") if kind not in CALENDAR]
        if unknown:
            raise ValueError(f"unknown calendar feature {', '.join(unknown)}; choose from {', '.join(CALENDAR)}")

    def target_column(self) -> str:
        return self.target

    def layout(self) -> Layout:
        return Layout(self.target_column(), names(self.covariates), names(self.known), names(self.calendar),
                      self.log, self.relative)

    def load_series(self) -> Series:
        raise NotImplementedError


@dataclass(frozen=True)
class EnergyConfig(ForecastConfig):
    """Victoria's half-hourly electricity demand (GW), a day ahead from two days, with temperature and work
    days as known-future inputs (temperature as if forecast perfectly: an upper bound on its value)."""

    context: int = 96  # two days of half-hours
    horizon: int = 48  # the difficulty knob: steps ahead (48 half-hours = one day)
    target: str = "demand"
    known: str = "temperature,workday"
    calendar: str = "hour,weekday"
    season: int = 48  # daily, in half-hours

    def load_series(self) -> Series:
        return load_elecdemand()


@dataclass(frozen=True)
class StocksConfig(ForecastConfig):
    """A stock price a trading week ahead from three months: Microsoft's close (series=msft, target one of its
    open/high/low/close) or a European index (series=dax, smi, cac or ftse). Log prices, read relative to
    the last close: the model forecasts returns, whatever the price level."""

    context: int = 60  # about three months of trading days
    horizon: int = 5  # the difficulty knob: trading days ahead
    target: str = "close"  # msft's column; a European series is its own target
    season: int = 1  # prices have no weekly cycle: seasonal naive = naive (random walk), m = 1
    log: bool = True
    relative: bool = True
    series: str = "msft"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.series not in ("msft", "dax", "smi", "cac", "ftse"):
            raise ValueError(f"series must be msft, dax, smi, cac or ftse, got {self.series!r}")

    def target_column(self) -> str:
        return self.target if self.series == "msft" else self.series

    def load_series(self) -> Series:
        return load_msft() if self.series == "msft" else load_eustocks()


@dataclass(frozen=True)
class WeatherConfig(ForecastConfig):
    """Hourly temperature (°F) at a New York airport a day ahead from three days, reading dew point,
    humidity, wind and pressure as past-only covariates and the time of day as a known one. Windows are
    read relative to the last observed temperature (one 30 s LSTM run: test MASE 0.88 relative, 1.23 not)."""

    context: int = 72  # three days of hours
    horizon: int = 24  # the difficulty knob: hours ahead
    target: str = "temp"
    covariates: str = "dewp,humid,wind_speed,pressure"
    calendar: str = "hour"  # not "year": the test span (Oct-Dec) lies outside the training span's phases
    season: int = 24  # daily, in hours
    relative: bool = True  # the test span (autumn) is colder than most training hours: levels shift
    origin: str = "EWR"  # the airport: EWR, JFK or LGA

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.origin not in ORIGINS:
            raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, got {self.origin!r}")

    def load_series(self) -> Series:
        return load_nyc_weather(self.origin)


@dataclass(frozen=True)
class CsvSeriesConfig(ForecastConfig):
    """Your own series: `--set path=FILE --set target=COLUMN [--set time_column=date]
    [--set covariates=a,b] [--set known=c,d]` (see forecasting/csv_series.py).

    Settings left open are chosen from the data when the config is made (data/forecasting/defaults.py) and
    saved with the run, with the reasons in `detected`: the season (0), levels or changes from the last
    value (`relative` None), the context (0) and calendar features (None). Give any of them to override.
    """

    context: int = 0  # 0: two seasons, 24 to 336 steps
    horizon: int = 12  # the difficulty knob: steps ahead
    season: int = 0  # 0: detected from the data (the smallest period the differences repeat at), 1 for none
    relative: bool | None = None  # type: ignore[assignment]  # None: changes if the series trends, else levels
    calendar: str | None = None  # type: ignore[assignment]  # None: from the time step; "" for none
    path: str = ""
    time_column: str = ""  # "" : rows are steps 0, 1, 2, ...
    detected: str = ""  # what was chosen from the data, and why (filled in when the config is made)

    def __post_init__(self) -> None:
        if self.path:  # absolute, so that `rnnlab forecast` finds the file from anywhere
            object.__setattr__(self, "path", str(Path(self.path).expanduser().resolve()))
        self.check("context", "relative", "calendar")  # before reading the file: a bad option is one line
        if self.path and self.target and self.open_fields():
            chosen = choose(self.load_series(), self.target, season=self.season or None, relative=self.relative,
                            context=self.context or None, calendar=self.calendar)
            for name in ("season", "relative", "context", "calendar"):
                object.__setattr__(self, name, getattr(chosen, name))
            object.__setattr__(self, "detected", chosen.reasons)

    def open_fields(self) -> tuple[str, ...]:
        """The settings still to be chosen from the data."""
        return tuple(name for name, is_open in (("season", self.season == 0), ("relative", self.relative is None),
                                                ("context", self.context == 0), ("calendar", self.calendar is None))
                     if is_open)

    def layout(self) -> Layout:
        return Layout(self.target_column(), names(self.covariates), names(self.known), names(self.calendar or ""),
                      self.log, bool(self.relative))

    def load_series(self) -> Series:
        if not self.path or not self.target:
            raise ValueError("csv-series needs a file and a column: --set path=FILE --set target=COLUMN "
                             "(and usually --set time_column=COLUMN)")
        columns = (self.target, *names(self.covariates), *names(self.known))
        return read_series_csv(Path(self.path), columns, self.time_column)
