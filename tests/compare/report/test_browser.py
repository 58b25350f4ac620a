"""The report in a real browser: headless Chromium parses report.html and draws it, tables and figures.

Needs the Debian package `chromium`; skipped where it is not on PATH. Chromium is started directly (no
shell), offline (no background networking, sync or component updates) with a fresh profile folder.
"""

import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from rnnlab.compare.report import write_sweep_report
from rnnlab.compare.results import RunResult

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH: install the Debian package "
                                "`chromium` to check that report.html renders in a browser")
WIDTH, HEIGHT = 1200, 2600
MATPLOTLIB_BLUE = (31, 119, 180)  # C0, the first model's colour on every figure; the page's CSS never uses it


def table() -> list[RunResult]:
    """The RNN solves T=25 only; the LSTM both lengths."""
    runs = []
    for length in (25, 100):
        for model, throughput, parameters in (("rnn", 4000.0, 4_400), ("lstm", 1600.0, 17_000)):
            for seed in range(2):
                ok = model == "lstm" or length == 25
                final = 0.0004 if ok else 0.166
                curve = tuple((step, 0.17 * math.exp(-step / 300) + final) for step in range(0, 1001, 100))
                runs.append(RunResult("adding", length, model, seed, parameters, "solved" if ok else "not solved",
                                      final, final, "mse", True, 60.0, seconds_to_solve=40.0 if ok else None,
                                      steps_to_solve=900 if ok else None, throughput=throughput * 25 / length,
                                      inference_latency_ms=length / 10, peak_memory_mb=length / 2, baseline=1 / 6,
                                      learning_curve=curve, threshold=0.01))
    return runs


def chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               *arguments]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, f"chromium exited with {done.returncode}: {done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    html, _ = write_sweep_report(table(), tmp_path_factory.mktemp("report"), "RNN or LSTM?",
                                 notes=["equal budget: 17k parameters, 60 s per run"])
    return html


def test_chromium_parses_the_tables_and_the_inline_figures(report: Path, tmp_path: Path) -> None:
    """Reference: the DOM Chromium built holds one table row per (length, model) and three <img> elements
    whose sources are PNG data: URIs."""
    dom = chromium(tmp_path / "profile", "--dump-dom", report.as_uri()).stdout
    assert "<title>RNN or LSTM?</title>" in dom
    rows = re.findall(r'<td class="text">(T=\d+)</td><td class="text">(\w+)</td>', dom)
    assert rows == [("T=25", "RNN"), ("T=25", "LSTM"), ("T=100", "RNN"), ("T=100", "LSTM")]
    assert len(re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', dom)) == 3
    assert "Use the LSTM for adding" in dom


def test_chromium_draws_the_figures(report: Path, tmp_path: Path) -> None:
    """Reference: a screenshot of the page shows the figures: it is a large PNG, and it holds pixels of
    matplotlib's first line colour, which only a drawn figure puts there."""
    shot = tmp_path / "report.png"
    chromium(tmp_path / "profile", "--hide-scrollbars", f"--window-size={WIDTH},{HEIGHT}",
             f"--screenshot={shot}", report.as_uri())
    assert shot.stat().st_size > 50_000
    pixels = (imread(shot)[:, :, :3] * 255).round()
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    blue = np.all(np.abs(pixels - np.array(MATPLOTLIB_BLUE)) <= 8, axis=-1)
    assert blue.sum() > 500, f"only {blue.sum()} pixels of the figures' blue: the figures were not drawn"
