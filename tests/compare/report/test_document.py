"""The report (compare/report/): what the HTML and Markdown files hold, that
the HTML is self-contained, and that outside text is escaped. The reference is write_report's docstring."""

import base64
import math
import re
from pathlib import Path

import pytest

from rnnlab.compare.report import write_sweep_report
from rnnlab.compare.report.figures import cost_vs_length, learning_curves, metric_vs_length
from rnnlab.compare.results import RunResult

PNG = b"\x89PNG\r\n\x1a\n"
TITLE = "RNN <or> LSTM? <script>alert(1)</script>"
NOTES = ["equal budget: 17k parameters & 60 s per run"]


def table() -> list[RunResult]:
    """The RNN solves T=25 only, the LSTM every length, the Transformer diverges everywhere (NaN metric)."""
    cost = {"rnn": (4000.0, 4_400), "lstm": (1600.0, 17_000), "transformer": (3000.0, 16_000)}
    runs = []
    for length in (25, 50, 100):
        for model, (throughput, parameters) in cost.items():
            for seed in range(2):
                ok = model == "lstm" or (model == "rnn" and length == 25)
                final = 0.0004 * (1 + seed) if ok else 0.166 if model == "rnn" else math.nan
                curve = tuple((step, 0.17 * math.exp(-step / 300) + (final if ok else 0.0))
                              for step in range(0, 1001, 100))
                runs.append(RunResult(
                    "adding", length, model, seed, parameters,
                    "solved" if ok else "diverged" if model == "transformer" else "not solved", final, final, "mse",
                    True, 60.0, seconds_to_solve=40.0 if ok else None, steps_to_solve=900 if ok else None,
                    throughput=throughput * 25 / length, inference_latency_ms=length / 10, peak_memory_mb=length / 2,
                    baseline=1 / 6, learning_curve=curve if model != "transformer" else (), threshold=0.01))
    return runs


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("report")
    return write_sweep_report(table(), folder, TITLE, extra_figures={"gradient norm <vs> lag": PNG + b"made up"},
                              notes=NOTES)


def test_the_html_is_self_contained_with_every_figure_inline(written: tuple[Path, Path]) -> None:
    """Reference: the promise of write_report: no address outside the file, no script, every figure a PNG."""
    html_path, _ = written
    html = html_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html_path.name == "report.html"
    assert not re.search(r"https?://|<script|<link|@import", html)  # nothing fetched, nothing run
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 4  # metric vs length, learning curves, cost vs length, and the extra figure
    assert all(base64.b64decode(image).startswith(PNG) for image in images)


def test_the_html_states_tables_recommendation_and_notes_with_outside_text_escaped(
        written: tuple[Path, Path]) -> None:
    """Reference: the synthetic table (rows by length, then models as first seen; the LSTM recommended) and
    html.escape applied to the title, the notes and the extra figure's name."""
    html = written[0].read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<or>" not in html
    assert "17k parameters &amp; 60 s per run" in html
    assert "gradient norm &lt;vs&gt; lag" in html
    assert "Use the LSTM for adding (T=25 to T=100): the only model adequate at every length" in html
    rows = re.findall(r'<td class="text">(T=\d+)</td><td class="text">(\w+)</td>', html)
    assert rows == [(f"T={length}", model) for length in (25, 50, 100) for model in ("RNN", "LSTM", "Transformer")]
    assert html.count('<tr class="chosen') == 3  # the LSTM's rows
    assert "0/2 (2 diverged)" in html and "0.0006 ± 0.000283" in html  # mean and sd of 0.0004 and 0.0008


def test_the_markdown_has_the_tables_and_its_figures_beside_it(written: tuple[Path, Path]) -> None:
    """Reference: the synthetic table's T=25 RNN row, computed by hand; each figure link names a PNG file
    in the report's folder."""
    _, md_path = written
    md = md_path.read_text(encoding="utf-8")
    assert md.startswith(f"# {TITLE}") and f"- {NOTES[0]}" in md
    # the 95% interval of two seeds: 0.0006 ± 12.706 · 0.000283 / √2
    assert "| T=25 | RNN | 4,400 | 2/2 | 0.0006 ± 0.000283 [-0.00194, 0.00314] | 900 | 40 | 4,000 | 2.5 | 12.5 |" in md
    assert "| T=100 | **LSTM** | 17,000 | 2/2 |" in md
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(figures) == 4
    assert all((md_path.parent / name).read_bytes().startswith(PNG) for name in figures)


def test_a_task_without_lengths_curves_or_costs_gets_its_table_and_recommendation_only(tmp_path: Path) -> None:
    """Reference: a figure is drawn only from numbers that exist; the tasks keep their first-seen order."""
    runs = [RunResult("mnist5k", None, model, seed, 20_000, "solved", 0.98, 0.98, "accuracy", False, 100.0)
            for model in ("gru", "lstm") for seed in range(2)]
    html_path, md_path = write_sweep_report(runs, tmp_path, "pixels")
    html = html_path.read_text(encoding="utf-8")
    assert "<img" not in html and '<td class="text">–</td><td class="text">GRU</td>' in html
    assert "Use the GRU for mnist5k" in html
    assert "![" not in md_path.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="at least one run"):
        write_sweep_report([], tmp_path, "empty")


def test_each_figure_is_a_png_and_refuses_what_it_cannot_draw() -> None:
    """Reference: the PNG signature; a task without lengths has no length axis, a run without evaluations
    no learning curve. The table's Transformer has only NaN metrics and no curve, and is drawn around."""
    runs = table()
    for draw in (metric_vs_length, learning_curves, cost_vs_length):
        assert draw(runs, "adding", "a setting").startswith(PNG)
    no_length = [RunResult("mnist5k", None, "gru", 0, 1, "solved", 0.9, 0.9, "accuracy", False, 1.0)]
    with pytest.raises(ValueError, match="with a length"):
        metric_vs_length(no_length, "mnist5k")
    with pytest.raises(ValueError, match="no run of task 'mnist5k' has a learning curve"):
        learning_curves(no_length, "mnist5k")
