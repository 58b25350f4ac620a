"""The only place a task name becomes a task: its config type, difficulty knob and suggested settings
(a TaskEntry, entry.py).

    task = make_task("adding", length=200)
    task = make_task("copy", length=100)       # `length` sets each task's difficulty knob (here: delay)
"""

from __future__ import annotations

from typing import Any

from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.data.tasks.arrays import ArraysConfig, ArraysTask
from rnnlab.data.tasks.base import Task
from rnnlab.data.tasks.chorales import ChoraleMelodyConfig, ChoraleMelodyTask, ChoraleRollConfig, ChoraleRollTask
from rnnlab.data.tasks.copy_memory import CopyMemoryConfig, CopyMemoryTask
from rnnlab.data.tasks.dialogue import DialogueConfig, dialogue_task
from rnnlab.data.tasks.digits8x8 import Digits8x8Config, Digits8x8Task
from rnnlab.data.tasks.entry import SuggestedModel, SuggestedTraining, TaskEntry
from rnnlab.data.tasks.forecast import csv_series, energy, stocks, weather
from rnnlab.data.tasks.forecast_configs import CsvSeriesConfig, EnergyConfig, StocksConfig, WeatherConfig
from rnnlab.data.tasks.language_model import ShakespeareCharConfig, TextFileConfig, shakespeare_char, text_file
from rnnlab.data.tasks.pixel_mnist import PixelMNISTConfig, PixelMNISTTask
from rnnlab.data.tasks.selective_copy import SelectiveCopyConfig, SelectiveCopyTask
from rnnlab.data.tasks.sentiment import build_sentiment, build_text_csv
from rnnlab.data.tasks.speech import (
    JapaneseVowelsConfig,
    SpokenDigitsTaskConfig,
    build_japanese_vowels,
    build_spoken_digits,
)
from rnnlab.data.tasks.temporal_order import TemporalOrderConfig, TemporalOrderTask
from rnnlab.data.tasks.text_configs import SentimentConfig, TextCSVConfig
from rnnlab.data.tasks.translation import TranslationConfig, translation_task
from rnnlab.data.tasks.wav_folder import WavFolderConfig, build_wav_folder

TASKS: dict[str, TaskEntry] = {}


def register(entry: TaskEntry) -> None:
    TASKS[entry.name] = entry


register(TaskEntry(
    "adding", "sum of the two marked values in a sequence of U(0,1) values (Hochreiter & Schmidhuber 1997)",
    AddingConfig, AddingTask, knob="length", metric="mse", lower_is_better=True,
    # PERFORMANCE.md: LSTM H=64, Adam 1e-2, batch 32 solved T=100 in 22 s and T=200 in 78 s; H=128 with
    # Adam 1e-3 did not solve T=200 in 400 s.
    suggested_model=SuggestedModel(hidden_size=64), suggested_training=SuggestedTraining(lr=1e-2, batch_size=32),
))

register(TaskEntry(
    "copy", "reproduce 10 symbols after a delay of T steps (Arjovsky et al. 2016)",
    CopyMemoryConfig, CopyMemoryTask, knob="delay", metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=128), suggested_training=SuggestedTraining(lr=1e-3, batch_size=64),
))
register(TaskEntry(
    "temporal-order", "classify the order of two symbols hidden among distractors (Hochreiter & Schmidhuber 1997)",
    TemporalOrderConfig, TemporalOrderTask, knob="length", metric="error_rate_0.3", lower_is_better=True,
    suggested_model=SuggestedModel(hidden_size=64), suggested_training=SuggestedTraining(lr=1e-3, batch_size=32),
))
register(TaskEntry(
    "selective-copy", "recall 16 tokens scattered at random positions, in order (Gu & Dao 2023)",
    SelectiveCopyConfig, SelectiveCopyTask, knob="length", metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=128), suggested_training=SuggestedTraining(lr=1e-3, batch_size=64),
))

register(TaskEntry(
    "mnist5k", "classify real MNIST digits read pixel by pixel (784 steps; --set layout=rows for 28, "
    "--set permuted=True for pMNIST); 5k subset, not comparable with full-MNIST papers",
    PixelMNISTConfig, PixelMNISTTask, knob=None, metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=128), suggested_training=SuggestedTraining(lr=1e-3, batch_size=32),
    fixed={"dataset": "mnist5k"},
))
register(TaskEntry(
    "fashion", "classify Fashion-MNIST clothing read pixel by pixel (784 steps; official 60k/10k split)",
    PixelMNISTConfig, PixelMNISTTask, knob=None, metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=128), suggested_training=SuggestedTraining(lr=1e-3, batch_size=32),
    fixed={"dataset": "fashion"},
))

# Language models (chunks of T=128 with carried state). Settings: Adam 2e-3, clip 1, batch 32 columns, H=256
# (char-rnn scale, sized for a 2-core CPU). Measured (one seed, 1 CPU thread): an LSTM of 400k parameters reached
# 2.58 test bpc in 60 s of training (405 steps); the unigram baseline scores 4.80.
register(TaskEntry(
    "shakespeare-char", "predict the next character of the complete Shakespeare (26 plays train, 6 validation, "
    "6 test); metric bits per character",
    ShakespeareCharConfig, shakespeare_char, knob=None, metric="bpc", lower_is_better=True,
    suggested_model=SuggestedModel(hidden_size=256),
    suggested_training=SuggestedTraining(lr=2e-3, batch_size=32, eval_every=200), dataset="shakespeare",
))
register(TaskEntry(
    "text-file", "a language model of your own UTF-8 text file (--set corpus=PATH, level=char|word|byte; first "
    "80 % train, 10 % validation, 10 % test); metric bits per token",
    TextFileConfig, text_file, knob=None, metric="bits", lower_is_better=True,
    suggested_model=SuggestedModel(hidden_size=256),
    suggested_training=SuggestedTraining(lr=2e-3, batch_size=32, eval_every=200),
))


# Bach chorales (music21's corpus; `pip install 'rnnlab[music]'`), TBPTT with carried state. Settings: Adam 1e-3,
# batch 16 columns (the training roll is about 1,000 chunks of 64), H=128; measured in scripts/music_study.sh.
register(TaskEntry(
    "chorales-roll", "predict the next 16th-note frame of a Bach chorale, 46 pitches as Bernoulli coins "
    "(needs rnnlab[music]); metric NLL per frame on held-out chorales",
    ChoraleRollConfig, ChoraleRollTask, knob=None, metric="nll_per_frame", lower_is_better=True,
    suggested_model=SuggestedModel(hidden_size=128),
    suggested_training=SuggestedTraining(lr=1e-3, batch_size=16, eval_every=100), dataset="chorales",
))
register(TaskEntry(
    "chorales-melody", "predict the next soprano note (pitch and duration as one token) of a Bach chorale "
    "(needs rnnlab[music]); metric cross-entropy per token",
    ChoraleMelodyConfig, ChoraleMelodyTask, knob=None, metric="nll_per_token", lower_is_better=True,
    suggested_model=SuggestedModel(hidden_size=128),
    suggested_training=SuggestedTraining(lr=1e-3, batch_size=16, eval_every=100), dataset="chorales",
))

# Text classification (word tokens, one answer after the last token). Settings: Adam 1e-3, batch 32, H=128. One
# LSTM at these defaults (1.41M parameters, mostly the embedding), 60 s on 1 thread: validation accuracy 0.74 at
# best, test 0.718 with the final weights (it overfits after about 30 s); bag of words: test 0.782.
register(TaskEntry(
    "sentiment", "classify Rotten Tomatoes review snippets as fresh or rotten (12,751 snippets, about 22 words; "
    "--set level=char for characters); solved = the bag-of-words baseline's accuracy",
    SentimentConfig, build_sentiment, knob=None, metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=128), suggested_training=SuggestedTraining(lr=1e-3, batch_size=32),
    dataset="rotten-tomatoes",
))
register(TaskEntry(
    "text-csv", "classify the texts of your own CSV (--set path=FILE, text_column=..., label_column=...; "
    "stratified 80 / 10 / 10 split)",
    TextCSVConfig, build_text_csv, knob=None, metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=128), suggested_training=SuggestedTraining(lr=1e-3, batch_size=32),
))

# Speech and handwriting classification (features per step, one answer after the last step). Settings: Adam 2e-3,
# batch 32, H=64; measured in scripts/speech_handwriting_study.sh.
register(TaskEntry(
    "spoken-digits", "name the spoken digit, zero..nine, from MFCC frames of espeak-ng speech (3,150 clips, "
    "105 voices; validation and test voices never heard in training)",
    SpokenDigitsTaskConfig, build_spoken_digits, knob=None, metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=64), suggested_training=SuggestedTraining(lr=2e-3, batch_size=32),
    dataset="spoken-digits",
))
register(TaskEntry(
    "japanese-vowels", "name which of 9 speakers said /ae/ from 7-29 frames of 12 LPC cepstra (UCI JapaneseVowels, "
    "official 270 / 370 split)",
    JapaneseVowelsConfig, build_japanese_vowels, knob=None, metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=64),
    suggested_training=SuggestedTraining(lr=2e-3, batch_size=32, eval_every=50), dataset="japanese-vowels",
))
register(TaskEntry(
    "digits8x8", "classify UCI 8x8 handwritten digits read row by row (8 steps of 8 pixels; 1,797 images); "
    "a smoke test for --task mnist5k --set layout=rows",
    Digits8x8Config, Digits8x8Task, knob=None, metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=64),
    suggested_training=SuggestedTraining(lr=2e-3, batch_size=32, eval_every=50), dataset="digits8x8",
))
register(TaskEntry(
    "wav-folder", "classify your own recordings (--set path=FOLDER of LABEL/x.wav or LABEL_NN.wav; MFCC frames; "
    "stratified 70 / 15 / 15 split)",
    WavFolderConfig, build_wav_folder, knob=None, metric="accuracy", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=64), suggested_training=SuggestedTraining(lr=2e-3, batch_size=32),
))
register(TaskEntry(
    "arrays", "your own sequences and targets: `rnnlab.train(inputs, targets)` from Python, or --set "
    "path=FILE.safetensors (layout: rnnlab.data.tasks.arrays); metric the held-out loss",
    ArraysConfig, ArraysTask, knob=None, metric="loss", lower_is_better=True,
    suggested_model=SuggestedModel(hidden_size=64),
    suggested_training=SuggestedTraining(lr=2e-3, batch_size=32, eval_every=50),
))


# Sequence to sequence (encoder-decoder models; --attention additive|multiplicative for recurrent ones). Settings:
# Adam 1e-3, batch 64, H=256 (our choice, not tuned); evaluations decode up to 500 held-out pairs for BLEU, so
# they come every 200 steps. Measured in scripts/translation_study.sh.
register(TaskEntry(
    "de-en", "translate German example sentences of the Ding dictionary into English (17,247 training pairs; "
    "--set reverse=True for English to German); metric BLEU",
    TranslationConfig, translation_task, knob=None, metric="bleu", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=256),
    suggested_training=SuggestedTraining(lr=1e-3, batch_size=64, eval_every=200),
    fixed={"dataset": "de-en"}, dataset="ding-de-en",
))
register(TaskEntry(
    "tsv", "translate with your own file of source<TAB>target lines (--set path=FILE; 80 / 10 / 10 split); "
    "metric BLEU",
    TranslationConfig, translation_task, knob=None, metric="bleu", lower_is_better=False,
    suggested_model=SuggestedModel(hidden_size=256),
    suggested_training=SuggestedTraining(lr=1e-3, batch_size=64, eval_every=200), fixed={"dataset": "tsv"},
))
register(TaskEntry(
    "chatterbot", "reply to a line of ChatterBot's English conversations (2,306 pairs); metric cross-entropy "
    "per reply token; try it with `rnnlab chat RUN`",
    DialogueConfig, dialogue_task, knob=None, metric="cross_entropy", lower_is_better=True,
    suggested_model=SuggestedModel(hidden_size=256),
    suggested_training=SuggestedTraining(lr=1e-3, batch_size=64, eval_every=200),
    fixed={"dataset": "chatterbot"}, dataset="chatterbot",
))
register(TaskEntry(
    "shakespeare-dialogue", "reply to the previous speech of a Shakespeare scene (29k pairs, split by whole "
    "plays); metric cross-entropy per reply token",
    DialogueConfig, dialogue_task, knob=None, metric="cross_entropy", lower_is_better=True,
    suggested_model=SuggestedModel(hidden_size=256),
    suggested_training=SuggestedTraining(lr=1e-3, batch_size=64, eval_every=200),
    fixed={"dataset": "shakespeare"}, dataset="shakespeare",
))


# Forecasting (rnnlab.data.forecasting): per-sequence regression, metric MASE from a rolling-origin backtest,
# solved when below both the naive and the seasonal-naive forecasts' MASE. Settings measured in
# scripts/forecasting_study.sh.
# Beating seasonal naive once is a low bar, so training goes on to the step or time budget.
FORECAST_MODEL = SuggestedModel(hidden_size=64)
FORECAST_TRAINING = SuggestedTraining(lr=3e-3, batch_size=32, eval_every=100, steps=3000, stop_when_solved=False)
register(TaskEntry(
    "energy", "forecast Victoria's half-hourly electricity demand a day ahead, with temperature and work days "
    "(fpp2 elecdemand); metric MASE", EnergyConfig, energy, knob="horizon", metric="mase", lower_is_better=True,
    suggested_model=FORECAST_MODEL, suggested_training=FORECAST_TRAINING, dataset="elecdemand",
))
register(TaskEntry(
    "stocks", "forecast a stock price 5 trading days ahead (--set series=msft|dax|smi|cac|ftse); metric MASE",
    StocksConfig, stocks, knob="horizon", metric="mase", lower_is_better=True,
    suggested_model=FORECAST_MODEL, suggested_training=FORECAST_TRAINING, dataset="msft",
))
register(TaskEntry(
    "weather", "forecast hourly temperature at a New York airport a day ahead (--set origin=EWR|JFK|LGA); "
    "metric MASE", WeatherConfig, weather, knob="horizon", metric="mase", lower_is_better=True,
    suggested_model=FORECAST_MODEL, suggested_training=FORECAST_TRAINING, dataset="nyc-weather",
))
register(TaskEntry(
    "csv-series", "forecast a column of your own CSV file (--set path=FILE --set target=COLUMN --set "
    "time_column=COLUMN [--set covariates=a,b known=c]); metric MASE", CsvSeriesConfig, csv_series,
    knob="horizon", metric="mase", lower_is_better=True,
    suggested_model=FORECAST_MODEL, suggested_training=FORECAST_TRAINING,
))


def task_entry(name: str) -> TaskEntry:
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    return TASKS[name]


def make_task(name: str, length: int | None = None, **options: Any) -> Task:
    entry = task_entry(name)
    return entry.build(entry.config(length, **options))
