"""What the reliability suites share: a workspace of tiny trained runs (one per kind of user data) and of
hostile files, built once per session in about 10 s, and a way to see that a command changed nothing."""

from __future__ import annotations

import csv
import math
import os
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from wav_tones import write_tone

from rnnlab.cli.main import main

SRC = Path(__file__).parents[2] / "src"

QUICK = ["--batch-size", "8", "--hidden", "8", "--threads", "1"]


def environment() -> dict[str, str]:
    """The environment of a `python -m rnnlab...` child process: this worktree's sources first."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))


@pytest.fixture
def child_env() -> dict[str, str]:
    """The environment for `python -m rnnlab...` child processes (this worktree's sources first)."""
    return environment()


def write_reviews(path: Path, rows: int = 40) -> Path:
    """A labelled CSV: positive and negative words among filler, columns id, review, sentiment."""
    good, bad = ["great", "superb", "witty", "charming"], ["awful", "dull", "boring", "clumsy"]
    filler = ["the", "film", "plot", "was", "a", "story", "acting", "and"]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "review", "sentiment"])
        for i in range(rows):
            words = (good if i % 2 == 0 else bad)[i % 4], filler[i % 8], filler[(i // 8) % 8]
            writer.writerow([i, " ".join(words), "pos" if i % 2 == 0 else "neg"])
    return path


def write_series(path: Path, hours: int = 300) -> Path:
    """Hourly load with a daily cycle and noise: columns date, load."""
    start = np.datetime64("2024-03-01T00:00")
    noise = np.random.default_rng(0).normal(0, 0.2, hours)
    rows = ["date,load"] + [f"{str(start + np.timedelta64(i, 'h')).replace('T', ' ')},"
                            f"{10 + 3 * math.sin(2 * math.pi * i / 24) + noise[i]:.4f}" for i in range(hours)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path



def write_tones(folder: Path, per_label: int = 4) -> Path:
    for i in range(per_label):
        write_tone(folder / "low" / f"{i}.wav", 300 + 12 * i)
        write_tone(folder / "high" / f"{i}.wav", 2000 + 80 * i)
    return folder


PAIRS = [("ein kleines haus", "a small house"), ("das haus", "the house"), ("ein haus", "a house"),
         ("das kleine boot", "the small boat"), ("ein boot", "a boat"), ("das boot ist klein", "the boat is small")]

FOX = "the quick brown fox jumps over the lazy dog.\n" * 30


def train_commands(data: Path) -> dict[str, list[str]]:
    """`rnnlab train` arguments (less --out) of one tiny run per kind of user data in `data`."""
    return {
        "csv": ["--task", "text-csv", "--set", f"path={data / 'reviews.csv'}", "--text-column", "review",
                "--label-column", "sentiment", "--model", "gru", "--steps", "10", "--eval-every", "10", *QUICK],
        "lm": ["--task", "text-file", "--set", f"corpus={data / 'fox.txt'}", "--set", "chunk_length=16",
               "--set", "eval_columns=2", "--model", "lstm", "--steps", "10", "--eval-every", "10", *QUICK],
        "tsv": ["--task", "tsv", "--set", f"path={data / 'pairs.tsv'}", "--set", "vocab_size=24", "--set",
                "min_count=1", "--model", "gru", "--steps", "10", "--eval-every", "10", *QUICK],
        "forecast": ["--task", "csv-series", "--set", f"path={data / 'load.csv'}", "--target", "load",
                     "--time-column", "date", "--set", "context=24", "--set", "horizon=6", "--steps", "10",
                     "--eval-every", "10", *QUICK],
        "wav": ["--task", "wav-folder", "--set", f"path={data / 'wavs'}", "--model", "gru", "--steps", "5",
                "--eval-every", "5", *QUICK],
    }


def train_runs(root: Path) -> dict[str, Path]:
    """One tiny run per kind of user data, trained through `main` (about 8 s in all)."""
    data = root / "data"
    data.mkdir(parents=True)
    write_reviews(data / "reviews.csv")
    (data / "fox.txt").write_text(FOX, encoding="utf-8")
    (data / "pairs.tsv").write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS) * 3, encoding="utf-8")
    write_series(data / "load.csv")
    write_tones(data / "wavs")
    runs = root / "runs"
    commands = train_commands(data)
    for name, argv in commands.items():
        code = main(["train", *argv, "--out", str(runs / name)])
        torch.set_num_threads(1)
        assert code == 0, f"the {name} run did not train"
    return {name: runs / name for name in commands}


HUGE_LINE_BYTES = 5_000_000  # the 5 MB single-line file


def _tone_like(path: Path, frames_claimed: int, frames_present: int) -> None:
    """A WAV header claiming `frames_claimed` 16-bit mono frames at 16 kHz, followed by `frames_present`."""
    data = b"\x00\x10" * frames_present
    header = b"RIFF" + struct.pack("<I", 36 + 2 * frames_claimed) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, 16_000, 32_000, 2, 16) + b"data" + struct.pack("<I", 2 * frames_claimed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + data)


def write_hostile_files(folder: Path, good_wavs: Path) -> Path:
    """Create every hostile file under `folder`; returns it."""
    folder.mkdir(parents=True)
    latin1 = "id,review,sentiment\n1,très bon film,pos\n2,déçu,neg\n".encode("latin-1")
    files: dict[str, bytes | str] = {
        "latin1.csv": latin1,
        "binary.csv": bytes(range(256)) * 8,
        "empty.csv": "",
        "header_only.csv": "id,review,sentiment\n",
        "no_column.csv": "id,text,label\n1,good,pos\n2,bad,neg\n",
        "one_class.csv": "id,review,sentiment\n" + "".join(f"{i},text {i},pos\n" for i in range(20)),
        "few_rows.csv": "id,review,sentiment\n1,good,pos\n2,bad,neg\n",
        "unclosed_quote.csv": 'id,review,sentiment\n1,"good,pos\n' + "x" * 10 + "\n",
        "latin1.txt": "très bon film, déçu\n".encode("latin-1"),
        "binary.txt": b"\x00\x01\x02hello\x00" * 50,
        "empty.txt": "",
        "blank.txt": "\n\n   \n",
        "tiny.txt": "ab",
        "latin1.tsv": "très\tvery\n".encode("latin-1") * 5,
        "no_tab.tsv": "ein haus a house\n" * 5,
        "empty.tsv": "",
        "two_pairs.tsv": "ein haus\ta house\ndas boot\tthe boat\n",
        "series_text.csv": "date,load\n" + "".join(f"2024-01-01 {h:02d}:00,high\n" for h in range(24)),
        "series_latin1.csv": "date,chargé\n2024-01-01 00:00,1\n".encode("latin-1"),
        "series_no_target.csv": "date,other\n" + "".join(f"2024-01-01 {h:02d}:00,{h}\n" for h in range(24)),
        "series_short.csv": "date,load\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n",
        "sweep_syntax.toml": "models = [\"rnn\"\ntasks = [\"adding\"]\n",
        "sweep_latin1.toml": "name = \"caf\xe9\"\n".encode("latin-1"),
        "sweep_unknown_key.toml": "models = [\"rnn\"]\ntasks = [\"adding\"]\nmax_steps = 10\nworkerz = 3\n",
        "sweep_no_models.toml": "tasks = [\"adding\"]\nmax_steps = 10\n",
        "sweep_bad_model.toml": "models = [\"lstn\"]\ntasks = [\"adding\"]\nmax_steps = 10\n",
        "sweep_bad_seeds.toml": "models = [\"rnn\"]\ntasks = [\"adding\"]\nmax_steps = 10\nseeds = \"three\"\n",
        "sweep_bad_train.toml": "models = [\"rnn\"]\ntasks = [\"adding\"]\nmax_steps = 10\n[train]\nlr = \"fast\"\n",
        "sweep_empty_models.toml": "models = []\ntasks = [\"adding\"]\nmax_steps = 10\n",
        "sweep_binary.toml": b"\x00\xff\xfe" * 30,
        "text.wav": "this is not audio",
    }
    for name, content in files.items():
        path = folder / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    with (folder / "huge_line.txt").open("w", encoding="utf-8") as stream:
        stream.write("word " * (HUGE_LINE_BYTES // 5))
    (folder / "a_folder.csv").mkdir()
    (folder / "a_folder.txt").mkdir()
    # WAV folders: one whose every recording is truncated (its header claims more audio than it holds),
    # one holding a text file, one with a single label, and a copy of the good folder with a truncated file.
    for label in ("no", "yes"):
        for i in range(3):
            _tone_like(folder / "wav_all_truncated" / f"{label}_{i}.wav", 16_000, 10)
    shutil.copytree(good_wavs, folder / "wav_one_truncated")
    _tone_like(folder / "wav_one_truncated" / "low" / "0.wav", 16_000, 10)
    shutil.copytree(good_wavs / "low", folder / "wav_one_label" / "low")
    (folder / "wav_with_text").mkdir()
    shutil.copytree(good_wavs, folder / "wav_with_text", dirs_exist_ok=True)
    (folder / "wav_with_text" / "notes.txt").write_text("hello", encoding="utf-8")
    _tone_like(folder / "truncated.wav", 16_000, 10)
    return folder


@dataclass(frozen=True)
class Workspace:
    """Tiny trained runs (`runs[name]`), the data they were trained on, hostile files, and `out`, a folder that
    no command may create anything in."""

    root: Path
    runs: dict[str, Path]
    data: Path
    hostile: Path
    out: Path
    commands: dict[str, list[str]]  # the `rnnlab train` arguments of each run, less --out


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Built once per session (about 10 s); tests that change a run copy it first (`copy_run`)."""
    root = tmp_path_factory.mktemp("reliability")
    runs = train_runs(root)
    hostile = write_hostile_files(root / "hostile", root / "data" / "wavs")
    return Workspace(root, runs, root / "data", hostile, root / "out", train_commands(root / "data"))


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `root` with its size and modification time: equal snapshots before and after
    a command mean it created, removed, changed or overwrote nothing there."""
    found = {}
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        found[str(path.relative_to(root))] = (0 if path.is_dir() else stat.st_size, stat.st_mtime_ns)
    return found


@dataclass(frozen=True)
class Refusal:
    """What a refused command did: its exit code and what it wrote."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.strip().splitlines()


@pytest.fixture
def rnnlab(capsys: pytest.CaptureFixture[str]) -> Callable[..., Refusal]:
    """rnnlab(*argv) -> what `rnnlab ARGV` did, run in this process (an exception escaping `main` fails the test)."""
    def run(*argv: object) -> Refusal:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        torch.set_num_threads(1)
        captured = capsys.readouterr()
        return Refusal(code, captured.out, captured.err)

    return run


@pytest.fixture
def refused(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> Callable[..., Refusal]:
    """refused(*argv, naming=TEXT): run `rnnlab ARGV` in this process and check that it was refused as the house
    rules say: exit code 2, one line on stderr that names TEXT (the file or flag at fault), no traceback (an
    exception escaping `main` fails the test), and nothing created, changed or removed in the workspace."""
    def run(*argv: object, naming: str) -> Refusal:
        before = snapshot(workspace.root)
        capsys.readouterr()
        code = main([str(a) for a in argv])
        torch.set_num_threads(1)
        captured = capsys.readouterr()
        refusal = Refusal(code, captured.out, captured.err)
        assert code == 2, f"exit code {code}; stderr: {captured.err!r}; stdout: {captured.out[:300]!r}"
        assert len(refusal.lines) == 1, f"not one line: {captured.err!r}"
        assert "Traceback" not in captured.err
        assert naming in refusal.lines[0], f"{naming!r} not named in {refusal.lines[0]!r}"
        assert snapshot(workspace.root) == before, "the command changed the workspace"
        return refusal

    return run


@pytest.fixture
def copy_run(workspace: Workspace, tmp_path: Path) -> Callable[[str], Path]:
    """copy_run(name) -> a fresh copy of a trained run under tmp_path, to corrupt."""
    def copy(name: str) -> Path:
        target = tmp_path / f"{name}-copy"
        shutil.copytree(workspace.runs[name], target)
        return target

    return copy
