"""Hostile input, as a user who gets everything wrong would give it, to every command and every kind of user data
(CSV, TXT, TSV, WAV folders, TOML sweeps, run folders, flags).

Reference: the house rules (README, cli/main.py): every case is refused with exit code 2 and one line on stderr
naming the file or flag at fault, with no traceback, and the workspace (trained runs, their data, the hostile
files, the output folder) is left exactly as it was: no stub folder, nothing half-written, nothing overwritten.
The `refused` fixture (conftest.py) checks all of that; each case gives the command and the name it must say.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Argv = Callable[[object], list[object]]

TRAIN = ["--steps", "5", "--eval-every", "5", "--batch-size", "8", "--hidden", "8", "--threads", "1"]


def train(ws, task: str, *options: object) -> list[object]:
    return ["train", "--task", task, *options, *TRAIN, "--out", ws.out / "run"]


def csv_run(ws, path: str, *more: object) -> list[object]:
    return train(ws, "text-csv", "--set", f"path={ws.hostile / path}", "--text-column", "review",
                 "--label-column", "sentiment", *more)


def good_csv(ws, *more: object) -> list[object]:
    return train(ws, "text-csv", "--set", f"path={ws.data / 'reviews.csv'}", "--text-column", "review",
                 "--label-column", "sentiment", *more)


def text_run(ws, path: str, *more: object) -> list[object]:
    return train(ws, "text-file", "--set", f"corpus={ws.hostile / path}", *more)


def tsv_run(ws, path: str) -> list[object]:
    return train(ws, "tsv", "--set", f"path={ws.hostile / path}", "--set", "min_count=1")


def wav_run(ws, path: str) -> list[object]:
    return train(ws, "wav-folder", "--set", f"path={ws.hostile / path}")


def series_run(ws, path: str) -> list[object]:
    return train(ws, "csv-series", "--set", f"path={ws.hostile / path}", "--target", "load", "--time-column", "date")


def sweep(ws, path: str, *more: object) -> list[object]:
    return ["compare", ws.hostile / path, "--out", ws.out / "sweep", *more]


def case(name: str, argv: Argv, naming: Callable[[object], object] | str) -> object:
    return pytest.param(argv, naming, id=name)


CASES = [
    # A user's labelled CSV (text-csv).
    case("csv-missing", lambda ws: csv_run(ws, "missing.csv"), "missing.csv"),
    case("csv-is-a-folder", lambda ws: csv_run(ws, "a_folder.csv"), "a_folder.csv"),
    case("csv-latin1", lambda ws: csv_run(ws, "latin1.csv"), "latin1.csv"),
    case("csv-binary", lambda ws: csv_run(ws, "binary.csv"), "binary.csv"),
    case("csv-empty", lambda ws: csv_run(ws, "empty.csv"), "empty.csv"),
    case("csv-header-only", lambda ws: csv_run(ws, "header_only.csv"), "header_only.csv"),
    case("csv-no-such-column", lambda ws: csv_run(ws, "no_column.csv"), "no_column.csv"),
    case("csv-one-class", lambda ws: csv_run(ws, "one_class.csv"), "one_class.csv"),
    case("csv-too-few-rows", lambda ws: csv_run(ws, "few_rows.csv"), "few_rows.csv"),
    case("csv-unclosed-quote", lambda ws: csv_run(ws, "unclosed_quote.csv"), "unclosed_quote.csv"),
    case("set-max-vocab-lots", lambda ws: good_csv(ws, "--set", "max_vocab=lots"), "max_vocab"),
    case("set-min-count-zero", lambda ws: good_csv(ws, "--set", "min_count=0"), "min_count"),
    case("set-unknown-option", lambda ws: good_csv(ws, "--set", "colour=blue"), "colour"),
    case("set-without-equals", lambda ws: good_csv(ws, "--set", "max_vocab"), "--set"),
    case("set-level-phoneme", lambda ws: good_csv(ws, "--set", "level=phoneme"), "level"),
    # A user's text file (text-file).
    case("txt-missing", lambda ws: text_run(ws, "missing.txt"), "missing.txt"),
    case("txt-is-a-folder", lambda ws: text_run(ws, "a_folder.txt"), "a_folder.txt"),
    case("txt-latin1", lambda ws: text_run(ws, "latin1.txt"), "latin1.txt"),
    case("txt-binary", lambda ws: text_run(ws, "binary.txt"), "binary.txt"),
    case("txt-empty", lambda ws: text_run(ws, "empty.txt"), "empty.txt"),
    case("txt-blank", lambda ws: text_run(ws, "blank.txt"), "blank.txt"),
    case("txt-too-short", lambda ws: text_run(ws, "tiny.txt"), "tiny.txt"),
    case("txt-chunk-length-zero", lambda ws: train(ws, "text-file", "--set", f"corpus={ws.data / 'fox.txt'}",
                                                   "--set", "chunk_length=0"), "chunk_length"),
    # A user's sentence pairs (tsv).
    case("tsv-missing", lambda ws: tsv_run(ws, "missing.tsv"), "missing.tsv"),
    case("tsv-latin1", lambda ws: tsv_run(ws, "latin1.tsv"), "latin1.tsv"),
    case("tsv-no-tab", lambda ws: tsv_run(ws, "no_tab.tsv"), "no_tab.tsv"),
    case("tsv-empty", lambda ws: tsv_run(ws, "empty.tsv"), "empty.tsv"),
    case("tsv-two-pairs", lambda ws: tsv_run(ws, "two_pairs.tsv"), "two_pairs.tsv"),
    # A user's folder of recordings (wav-folder).
    case("wav-folder-missing", lambda ws: wav_run(ws, "nowhere"), "nowhere"),
    case("wav-every-file-truncated", lambda ws: wav_run(ws, "wav_all_truncated"), "no_0.wav"),
    case("wav-one-file-truncated", lambda ws: wav_run(ws, "wav_one_truncated"), "0.wav"),
    case("wav-one-label", lambda ws: wav_run(ws, "wav_one_label"), "wav_one_label"),
    case("wav-folder-with-text", lambda ws: wav_run(ws, "wav_with_text"), "notes.txt"),
    case("wav-path-is-a-file", lambda ws: wav_run(ws, "truncated.wav"), "truncated.wav"),
    # A user's time series (csv-series).
    case("series-text-values", lambda ws: series_run(ws, "series_text.csv"), "series_text.csv"),
    case("series-latin1", lambda ws: series_run(ws, "series_latin1.csv"), "series_latin1.csv"),
    case("series-no-target", lambda ws: series_run(ws, "series_no_target.csv"), "series_no_target.csv"),
    case("series-too-short", lambda ws: series_run(ws, "series_short.csv"), "series_short.csv"),
    # Training flags and run folders.
    case("steps-zero", lambda ws: [*good_csv(ws), "--steps", "0"], "steps"),
    case("batch-size-negative", lambda ws: [*good_csv(ws), "--batch-size", "-1"], "batch_size"),
    case("lr-negative", lambda ws: [*good_csv(ws), "--lr", "-1"], "lr"),
    case("max-seconds-zero", lambda ws: [*good_csv(ws), "--max-seconds", "0"], "max_seconds"),
    case("hidden-zero", lambda ws: [*good_csv(ws), "--hidden", "0"], "hidden"),
    case("device-cuda-without-gpu", lambda ws: [*good_csv(ws), "--device", "cuda"], "cuda"),
    case("device-unknown", lambda ws: [*good_csv(ws), "--device", "tpu"], "tpu"),
    case("out-is-a-file", lambda ws: ["train", "--task", "adding", *TRAIN, "--out", ws.data / "fox.txt"], "fox.txt"),
    case("out-holds-a-run", lambda ws: ["train", "--task", "adding", *TRAIN, "--out", ws.runs["csv"]],
         lambda ws: ws.runs["csv"]),
    case("resume-nothing", lambda ws: [*good_csv(ws), "--resume"], "nothing to resume"),
    case("resume-and-overwrite", lambda ws: [*good_csv(ws), "--resume", "--overwrite"], "--resume"),
    case("resume-other-settings", lambda ws: ["train", "--task", "adding", *TRAIN, "--out", ws.runs["csv"],
                                              "--resume"], lambda ws: ws.runs["csv"]),
    # evaluate
    case("evaluate-no-folder", lambda ws: ["evaluate", ws.out / "nowhere"], "nowhere"),
    case("evaluate-not-a-run", lambda ws: ["evaluate", ws.hostile / "a_folder.csv"], "a_folder.csv"),
    case("evaluate-a-file", lambda ws: ["evaluate", ws.hostile / "empty.txt"], "empty.txt"),
    case("evaluate-ensemble-other-task", lambda ws: ["evaluate", ws.runs["csv"], ws.runs["wav"]], "cannot join"),
    case("evaluate-ensemble-not-classifiers", lambda ws: ["evaluate", ws.runs["lm"], ws.runs["lm"]], "classify whole"),
    case("evaluate-ensemble-no-folder", lambda ws: ["evaluate", ws.runs["csv"], ws.out / "nowhere"], "nowhere"),
    # classify
    case("classify-missing-file", lambda ws: ["classify", ws.runs["csv"], "my_reviews.txt"], "my_reviews.txt"),
    case("classify-missing-path", lambda ws: ["classify", ws.runs["csv"], ws.out / "reviews.txt"], "reviews.txt"),
    case("classify-a-folder", lambda ws: ["classify", ws.runs["csv"], ws.hostile / "a_folder.txt"], "a_folder.txt"),
    case("classify-latin1-file", lambda ws: ["classify", ws.runs["csv"], ws.hostile / "latin1.txt"], "latin1.txt"),
    case("classify-binary-file", lambda ws: ["classify", ws.runs["csv"], ws.hostile / "binary.txt"], "binary.txt"),
    case("classify-empty-file", lambda ws: ["classify", ws.runs["csv"], ws.hostile / "empty.txt"], "empty.txt"),
    case("classify-empty-text", lambda ws: ["classify", ws.runs["csv"], " "], "INPUT"),
    case("classify-ensemble-other-task", lambda ws: ["classify", ws.runs["csv"], "a fine film", "--ensemble",
                                                     ws.runs["lm"]], "cannot join"),
    case("classify-ensemble-of-translators", lambda ws: ["classify", ws.runs["tsv"], "a fine film", "--ensemble",
                                                         ws.runs["tsv"]], lambda ws: ws.runs["tsv"]),
    case("classify-huge-line", lambda ws: ["classify", ws.runs["csv"], ws.hostile / "huge_line.txt"],
         "huge_line.txt"),
    case("classify-table-no-column", lambda ws: ["classify", ws.runs["csv"], ws.hostile / "no_column.csv"],
         "no_column.csv"),
    case("classify-table-latin1", lambda ws: ["classify", ws.runs["csv"], ws.hostile / "latin1.csv"], "latin1.csv"),
    case("classify-table-missing", lambda ws: ["classify", ws.runs["csv"], ws.hostile / "missing.csv"],
         "missing.csv"),
    case("classify-out-exists", lambda ws: ["classify", ws.runs["csv"], ws.data / "reviews.csv", "--out",
                                            ws.hostile / "empty.csv"], "empty.csv"),
    case("classify-out-for-one-text", lambda ws: ["classify", ws.runs["csv"], "a fine film", "--out",
                                                  ws.out / "p.csv"], "--out"),
    case("classify-with-a-language-model", lambda ws: ["classify", ws.runs["lm"], "a fine film"],
         lambda ws: ws.runs["lm"]),
    case("classify-text-as-audio", lambda ws: ["classify", ws.runs["wav"], ws.hostile / "text.wav"], "text.wav"),
    case("classify-truncated-audio", lambda ws: ["classify", ws.runs["wav"], ws.hostile / "truncated.wav"],
         "truncated.wav"),
    case("classify-no-run", lambda ws: ["classify", ws.out / "nowhere", "a fine film"], "nowhere"),
    # generate
    case("generate-prompt-outside-vocabulary", lambda ws: ["generate", ws.runs["lm"], "--prompt", "ZQ€",
                                                           "--length", "5"], "--prompt"),
    case("generate-length-zero", lambda ws: ["generate", ws.runs["lm"], "--length", "0"], "--length"),
    case("generate-temperature-negative", lambda ws: ["generate", ws.runs["lm"], "--temperature", "-1"],
         "temperature"),
    case("generate-top-p-above-one", lambda ws: ["generate", ws.runs["lm"], "--top-p", "1.5"], "top-p"),
    case("generate-top-k-zero", lambda ws: ["generate", ws.runs["lm"], "--top-k", "0"], "top-k"),
    case("generate-with-a-classifier", lambda ws: ["generate", ws.runs["csv"]], lambda ws: ws.runs["csv"]),
    # translate
    case("translate-empty-file", lambda ws: ["translate", ws.runs["tsv"], "--file", ws.hostile / "empty.txt"],
         "empty.txt"),
    case("translate-blank-file", lambda ws: ["translate", ws.runs["tsv"], "--file", ws.hostile / "blank.txt"],
         "blank.txt"),
    case("translate-missing-file", lambda ws: ["translate", ws.runs["tsv"], "--file", ws.hostile / "missing.txt"],
         "missing.txt"),
    case("translate-latin1-file", lambda ws: ["translate", ws.runs["tsv"], "--file", ws.hostile / "latin1.txt"],
         "latin1.txt"),
    case("translate-binary-file", lambda ws: ["translate", ws.runs["tsv"], "--file", ws.hostile / "binary.txt"],
         "binary.txt"),
    case("translate-huge-line", lambda ws: ["translate", ws.runs["tsv"], "--file", ws.hostile / "huge_line.txt"],
         "huge_line.txt"),
    case("translate-a-folder", lambda ws: ["translate", ws.runs["tsv"], "--file", ws.hostile / "a_folder.txt"],
         "a_folder.txt"),
    case("translate-empty-sentence", lambda ws: ["translate", ws.runs["tsv"], " "], "nothing to translate"),
    case("translate-ensemble-other-task", lambda ws: ["translate", ws.runs["tsv"], "ein haus", "--ensemble",
                                                      ws.runs["csv"]], "cannot join"),
    case("translate-ensemble-no-folder", lambda ws: ["translate", ws.runs["tsv"], "ein haus", "--ensemble",
                                                     ws.out / "nowhere"], "nowhere"),
    case("translate-beam-zero", lambda ws: ["translate", ws.runs["tsv"], "ein haus", "--beam", "0"], "--beam"),
    case("translate-text-and-file", lambda ws: ["translate", ws.runs["tsv"], "ein haus", "--file",
                                                ws.data / "pairs.tsv"], "--file"),
    case("translate-out-exists", lambda ws: ["translate", ws.runs["tsv"], "ein haus", "--out",
                                             ws.hostile / "empty.txt"], "empty.txt"),
    case("translate-with-a-classifier", lambda ws: ["translate", ws.runs["csv"], "ein haus"],
         lambda ws: ws.runs["csv"]),
    # forecast
    case("forecast-horizon-huge", lambda ws: ["forecast", ws.runs["forecast"], "--horizon", "100000", "--out",
                                              ws.out / "f.csv"], "--horizon"),
    case("forecast-horizon-zero", lambda ws: ["forecast", ws.runs["forecast"], "--horizon", "0", "--out",
                                              ws.out / "f.csv"], "--horizon"),
    case("forecast-origin-bogus", lambda ws: ["forecast", ws.runs["forecast"], "--origin", "yesterday", "--out",
                                              ws.out / "f.csv"], "--origin"),
    case("forecast-origin-out-of-range", lambda ws: ["forecast", ws.runs["forecast"], "--origin", "999999",
                                                     "--out", ws.out / "f.csv"], "--origin"),
    case("forecast-out-exists", lambda ws: ["forecast", ws.runs["forecast"], "--out", ws.hostile / "empty.csv"],
         "empty.csv"),
    case("forecast-with-a-classifier", lambda ws: ["forecast", ws.runs["csv"], "--out", ws.out / "f.csv"],
         lambda ws: ws.runs["csv"]),
    # compare: sweep files and flags
    case("sweep-missing", lambda ws: sweep(ws, "missing.toml"), "missing.toml"),
    case("sweep-bad-syntax", lambda ws: sweep(ws, "sweep_syntax.toml"), "sweep_syntax.toml"),
    case("sweep-latin1", lambda ws: sweep(ws, "sweep_latin1.toml"), "sweep_latin1.toml"),
    case("sweep-binary", lambda ws: sweep(ws, "sweep_binary.toml"), "sweep_binary.toml"),
    case("sweep-unknown-key", lambda ws: sweep(ws, "sweep_unknown_key.toml"), "workerz"),
    case("sweep-no-models", lambda ws: sweep(ws, "sweep_no_models.toml"), "models"),
    case("sweep-empty-models", lambda ws: sweep(ws, "sweep_empty_models.toml"), "models"),
    case("sweep-unknown-model", lambda ws: sweep(ws, "sweep_bad_model.toml"), "lstn"),
    case("sweep-seeds-text", lambda ws: sweep(ws, "sweep_bad_seeds.toml"), "seeds"),
    case("sweep-lr-text", lambda ws: sweep(ws, "sweep_bad_train.toml"), "lr"),
    case("sweep-is-a-folder", lambda ws: sweep(ws, "a_folder.csv"), "a_folder.csv"),
    case("compare-without-out", lambda ws: ["compare", "--task", "adding", "--models", "rnn"], "--out"),
    case("compare-bad-csv", lambda ws: ["compare", "--task", "text-csv", "--set", f"path={ws.hostile / 'latin1.csv'}",
                                        "--models", "rnn", "--out", ws.out / "sweep"], "latin1.csv"),
    case("compare-unknown-task", lambda ws: ["compare", "--task", "nonesuch", "--models", "rnn", "--out",
                                             ws.out / "sweep"], "nonesuch"),
    case("compare-unknown-model", lambda ws: ["compare", "--task", "adding", "--models", "rnn,lstn", "--out",
                                              ws.out / "sweep"], "lstn"),
    case("compare-workers-negative", lambda ws: ["compare", "--task", "adding", "--models", "rnn", "--workers", "-1",
                                                 "--out", ws.out / "sweep"], "workers"),
    case("compare-bad-scheduler", lambda ws: ["compare", "--task", "adding", "--models", "rnn", "--scheduler",
                                              "not an address::", "--out", ws.out / "sweep"], "not an address::"),
    # report, chat, compose, diagnose, data, bench
    case("report-no-folder", lambda ws: ["report", ws.out / "nowhere"], "nowhere"),
    case("report-not-a-sweep", lambda ws: ["report", ws.hostile / "a_folder.csv"], "a_folder.csv"),
    case("chat-with-a-classifier", lambda ws: ["chat", ws.runs["csv"]], lambda ws: ws.runs["csv"]),
    case("compose-with-a-classifier", lambda ws: ["compose", ws.runs["csv"], "--out", ws.out / "c.mid"],
         lambda ws: ws.runs["csv"]),
    case("diagnose-unknown-model", lambda ws: ["diagnose", "gradients", "--models", "lstn", "--out", ws.out / "d"],
         "lstn"),
    case("data-fetch-unknown", lambda ws: ["data", "fetch", "nonesuch"], "nonesuch"),
    case("bench-unknown-cell", lambda ws: ["bench", "--models", "nonesuch", "--out", ws.out / "b.json"], "nonesuch"),
]


@pytest.mark.parametrize(("argv", "naming"), CASES)
def test_hostile_input_is_refused_in_one_line(workspace, refused, argv: Argv, naming) -> None:
    expected = naming(workspace) if callable(naming) else naming
    refused(*argv(workspace), naming=str(expected if not isinstance(expected, Path) else expected.name))


def test_there_are_at_least_sixty_cases() -> None:
    """The issue's target: at least 60 hostile inputs across every command and every kind of user data."""
    assert len(CASES) >= 60


def test_a_prompt_with_some_unknown_characters_is_generated_with_a_note(workspace, rnnlab) -> None:
    """Not garbage, so not refused; but not silent either. Reference: the fox corpus has no 'Z'."""
    outcome = rnnlab("generate", workspace.runs["lm"], "--prompt", "the Zoo", "--length", "5", "--seed", "0")
    assert outcome.code == 0 and outcome.out.startswith("the Zoo")
    assert outcome.err.strip() == "note: --prompt has characters the run never saw ('Z'); the model reads each as <unk>"
