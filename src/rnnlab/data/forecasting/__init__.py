"""Time-series forecasting: the pieces behind the `energy`, `stocks`, `weather` and `csv-series` tasks.

    series.py      Series (named columns over one time axis), future times, calendar features
    csv_series.py  a user's CSV file -> Series, with one-line errors naming file, line and column
    prepare.py     chronological train/validation/test spans; scaling fitted on the training span only
    windows.py     sliding windows (context, horizon); direct and autoregressive roll-outs
    heads.py       point (MSE), Gaussian (NLL) and quantile (pinball) heads and their intervals
    metrics.py     MAE, RMSE, MASE, sMAPE, coverage; naive and seasonal-naive baselines

rnnlab.data.tasks.forecast puts them together as a Task; `rnnlab forecast RUN` forecasts with a
trained run.
"""
