"""`rnnlab train --task text-csv` then `rnnlab classify` on a sentence and on a CSV, through `main([...])`; one-line
errors with exit code 2 for bad tables and for runs that cannot classify raw input."""

import csv
import json
from pathlib import Path

import pytest
import torch

from rnnlab.cli.main import main

GOOD, BAD = ["great", "superb", "witty", "charming"], ["awful", "dull", "boring", "clumsy"]
FILLER = ["the", "film", "plot", "was", "a", "story", "acting", "and"]


def write_reviews(path: Path, rows: int = 80) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "review", "sentiment"])
        for i in range(rows):
            words = (GOOD if i % 2 == 0 else BAD)[i % 4], FILLER[i % 8], FILLER[(i // 8) % 8]
            writer.writerow([i, " ".join(words[j] for j in ((i + k) % 3 for k in range(3))),
                             "pos" if i % 2 == 0 else "neg"])
    return path


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


TRAIN = ["--steps", "30", "--eval-every", "30", "--batch-size", "16", "--hidden", "8", "--lr", "0.02",
         "--model", "gru"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny run shared by the tests below: text-csv with the issue's column flags."""
    folder = tmp_path_factory.mktemp("classify")
    reviews = write_reviews(folder / "reviews.csv")
    code = main(["train", "--task", "text-csv", "--set", f"path={reviews}", "--text-column", "review",
                 "--label-column", "sentiment", *TRAIN, "--out", str(folder / "run")])
    torch.set_num_threads(1)
    assert code == 0
    return folder


def test_the_run_records_the_columns_and_a_test_accuracy(trained):
    config = json.loads((trained / "run" / "config.json").read_text())
    assert config["task"] == "text-csv" and config["task_config"]["text_column"] == "review"
    result = json.loads((trained / "run" / "result.json").read_text())
    assert 0 <= result["test_metrics"]["accuracy"] <= 1


def test_classify_a_sentence(trained, capsys):
    code, out, err = cli(capsys, "classify", trained / "run", "a witty and charming film")
    assert code == 0, err
    label, probability = out.split()
    assert label in ("neg", "pos") and 0.5 <= float(probability) <= 1


def test_classify_a_csv_to_stdout_and_to_a_file_never_overwriting(trained, capsys):
    """Reference: the input table with two columns added; the run's text column is the default."""
    code, out, err = cli(capsys, "classify", trained / "run", trained / "reviews.csv")
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert len(rows) == 80 and list(rows[0]) == ["id", "review", "sentiment", "predicted", "probability"]
    assert {row["predicted"] for row in rows} <= {"neg", "pos"}
    out_file = trained / "predictions.csv"
    code, out, err = cli(capsys, "classify", trained / "run", trained / "reviews.csv", "--text-column", "review",
                         "--out", out_file)
    assert code == 0, err
    assert "80 predictions" in out and next(csv.DictReader(out_file.open()))["id"] == "0"
    out_file.write_text("mine")
    code, _, err = cli(capsys, "classify", trained / "run", trained / "reviews.csv", "--out", out_file)
    assert code == 2 and "exists; pass --overwrite" in err and out_file.read_text() == "mine"
    assert cli(capsys, "classify", trained / "run", trained / "reviews.csv", "--out", out_file, "--overwrite")[0] == 0
    assert out_file.read_text().startswith("id,review")


def test_a_bad_input_table_is_one_line_with_exit_code_2(trained, capsys):
    table = trained / "bad.csv"
    table.write_text("review,x\nfine,1\n,2\n")
    code, _, err = cli(capsys, "classify", trained / "run", table)
    assert code == 2 and "bad.csv, row 3, column 'review': the cell is empty" in err and "Traceback" not in err
    code, _, err = cli(capsys, "classify", trained / "run", table, "--text-column", "text")
    assert code == 2 and "has no column 'text'; its columns are: review, x" in err


@pytest.mark.parametrize(("content", "message"), [
    ("", "reviews.csv is empty"),
    ("review,label\ngood,pos\n", "reviews.csv has no column 'sentiment'; its columns are: review, label"),
    ("review,sentiment\ngood,pos\n,neg\n", "reviews.csv, row 3, column 'review': the cell is empty"),
    ("review,sentiment\n" + "good film,pos\n" * 3 + "fine,pos\n", "column 'sentiment': every row has the label 'pos'"),
    ("review,sentiment\ngood,pos\nbad,neg\nfine,pos\n", "are too few for a 10% validation and 10% test split"),
])
def test_training_on_a_bad_csv_is_one_line_with_exit_code_2(tmp_path, capsys, content, message):
    (tmp_path / "reviews.csv").write_text(content)
    code, _, err = cli(capsys, "train", "--task", "text-csv", "--set", f"path={tmp_path / 'reviews.csv'}",
                       "--text-column", "review", "--label-column", "sentiment", *TRAIN, "--out", tmp_path / "run")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_missing_file_and_disagreeing_flags(tmp_path, capsys):
    code, _, err = cli(capsys, "train", "--task", "text-csv", "--set", f"path={tmp_path / 'none.csv'}", *TRAIN)
    assert code == 2 and "none.csv does not exist" in err
    code, _, err = cli(capsys, "train", "--task", "text-csv", "--set", "text_column=a", "--text-column", "b", *TRAIN)
    assert code == 2 and "--text-column b and --set text_column=a disagree" in err


def test_a_run_that_cannot_classify_raw_input(tmp_path, capsys):
    run = tmp_path / "adding"
    assert main(["train", "--task", "adding", "--length", "5", "--set", "test_size=8", "--steps", "2",
                 "--eval-every", "2", "--hidden", "4", "--out", str(run)]) == 0
    torch.set_num_threads(1)
    capsys.readouterr()
    code, _, err = cli(capsys, "classify", run, "hello")
    assert code == 2 and "trained on task 'adding', which cannot classify raw input" in err


def test_a_pretrained_run_records_its_pretraining_and_a_resumed_one_does_not_pretrain_again(tmp_path, capsys):
    """`--set pretrain_steps=N`: the encoder learns the training texts as a language model first (N steps, in
    RUN/pretraining.json, shown as progress); resuming the run starts from its checkpoint, so it pretrains
    nothing again and the record is left as it was."""
    reviews = write_reviews(tmp_path / "reviews.csv")
    run = tmp_path / "run"
    args = ["train", "--task", "text-csv", "--set", f"path={reviews}", "--text-column", "review",
            "--label-column", "sentiment", "--set", "pretrain_steps=12", *TRAIN, "--bidirectional", "--out", run]
    code, _, err = cli(capsys, *args)
    assert code == 0, err
    record = json.loads((run / "pretraining.json").read_text())
    assert record["steps"] == 12 and record["seconds"] > 0
    assert record["loss_last_100"] <= record["loss_first_100"]  # the mean over all 12 steps includes the first
    stamp = (run / "pretraining.json").stat().st_mtime_ns
    code, _, err = cli(capsys, *args, "--resume")
    assert code == 0, err
    assert (run / "pretraining.json").stat().st_mtime_ns == stamp


def test_a_missing_file_of_unlabelled_texts_is_one_line_and_exit_2_with_no_run_left(tmp_path, capsys):
    reviews = write_reviews(tmp_path / "reviews.csv")
    code, _, err = cli(capsys, "train", "--task", "text-csv", "--set", f"path={reviews}", "--text-column", "review",
                       "--label-column", "sentiment", "--set", "pretrain_steps=5", "--set",
                       f"pretrain_path={tmp_path / 'unlabelled.txt'}", *TRAIN, "--out", tmp_path / "run")
    assert code == 2 and "unlabelled.txt does not exist" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "run").exists()


@pytest.fixture(scope="module")
def second(trained):
    """A second run on the same CSV (another seed and family), and one that reads it as characters."""
    common = ["train", "--task", "text-csv", "--set", f"path={trained / 'reviews.csv'}", "--text-column", "review",
              "--label-column", "sentiment", *TRAIN]
    assert main([*common, "--seed", "1", "--model", "lstm", "--out", str(trained / "second")]) == 0
    assert main([*common, "--set", "level=char", "--out", str(trained / "part")]) == 0
    torch.set_num_threads(1)
    return trained / "second", trained / "part"


def test_classify_with_an_ensemble(trained, second, capsys):
    """Reference: each run's class probabilities for the text, computed from its model and vocabulary, averaged."""
    from rnnlab.train.experiment import load_run
    from rnnlab.train.run import RunFolder

    text = "a witty and charming film"
    probabilities = []
    for folder in (trained / "run", second[0]):
        _, task, model = load_run(RunFolder(folder))
        model.eval()
        with torch.no_grad():
            ids = task.encode_input(text)  # (T,)
            probabilities.append(model(ids[None], None, torch.tensor([len(ids)]))[0].softmax(-1)[0])
    mean = torch.stack(probabilities).mean(0)
    code, out, err = cli(capsys, "classify", trained / "run", text, "--ensemble", second[0], "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["label"] == task.classes[int(mean.argmax())]
    assert answer["probability"] == pytest.approx(float(mean.max()), rel=1e-5)


def test_an_ensemble_of_runs_on_other_data_is_one_line(trained, second, capsys):
    code, out, err = cli(capsys, "classify", trained / "run", "a fine film", "--ensemble", second[1])
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "part cannot join an ensemble with" in err and "level differs, so its model reads other" in err
