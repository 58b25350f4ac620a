"""The comparison report: one self-contained `report.html` and a `report.md` with its figures beside it.

    html, markdown = write_report(runs, Path("sweep"), "RNN or LSTM?", notes=["equal budget: 20k parameters"])

Per task: the recommendation and the evidence for it in plain words, a summary table (one row per model
and length, over seeds) and the figures. The HTML needs no network and no JavaScript: the styles are
inline and the figures are PNGs in data: URIs. Every piece of text that comes from outside this module
(title, notes, task and model names, figure names) is escaped.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rnnlab.compare.beyond import beyond_html, beyond_markdown, reaches
from rnnlab.compare.recommend import Recommendation, recommend_all
from rnnlab.compare.report_figures import cost_vs_length, learning_curves, metric_vs_length
from rnnlab.compare.results import (
    ModelSummary,
    RunResult,
    group,
    length_name,
    metric_name,
    model_name,
    solved_when,
    summarise_all,
)

STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d2329;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 0.2em; margin-top: 2.2em; }
h3 { font-size: 1.05em; margin: 1.4em 0 0.5em; }
.recommendation { background: #eef6ee; border-left: 5px solid #2e7d32; padding: 0.7em 1.1em; margin: 1em 0; }
.recommendation.none { background: #fdf1e6; border-left-color: #c46200; }
.headline { font-weight: 600; font-size: 1.05em; }
.rule, .note { color: #57606a; font-size: 0.9em; }
.table { overflow-x: auto; margin: 0.6em 0 0.4em; }
table { border-collapse: collapse; font-size: 0.88em; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.55em; text-align: right; white-space: nowrap; }
th { background: #f3f5f7; white-space: normal; vertical-align: bottom; }
td.text, th.text { text-align: left; }
tr.chosen td { background: #f2f9f2; font-weight: 600; }
tr.first td { border-top: 2px solid #8c959f; }
td.solved { color: #1b5e20; }
td.unsolved { color: #9a3412; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e5e7eb; }
figcaption { color: #57606a; font-size: 0.9em; }
"""
COLUMNS = ("length", "model", "parameters", "solved (seeds)", "{metric} mean ± sd", "steps to solve",
           "seconds to solve", "throughput (sequences/s)", "inference latency (ms)", "peak memory (MB)")


@dataclass(frozen=True)
class ReportFigure:
    name: str  # the file name report.md refers to
    caption: str
    png: bytes


@dataclass(frozen=True)
class TaskSection:
    recommendation: Recommendation
    summaries: list[ModelSummary]  # one per (length, model), lengths ascending
    figures: list[ReportFigure]


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def _count(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "figure"


def _row(s: ModelSummary) -> list[str]:
    lost = [f"{s.n_diverged} diverged" if s.n_diverged else "", f"{s.n_failed} failed" if s.n_failed else ""]
    lost_said = ", ".join(word for word in lost if word)
    spread = f" ± {_num(s.metric_sd)}" if math.isfinite(s.metric_sd) else ""
    return [length_name(s.task, s.length) or "–", model_name(s.model), f"{s.parameters:,}",
            f"{s.n_solved}/{s.n}" + (f" ({lost_said})" if lost_said else ""),
            f"{_num(s.metric_mean)}{spread}", _count(s.median_steps_to_solve), _num(s.median_seconds_to_solve),
            _count(s.throughput), _num(s.inference_latency_ms), _num(s.peak_memory_mb)]


def _caption(summaries: Sequence[ModelSummary]) -> str:
    first = summaries[0]
    metric = metric_name(first.metric)
    parts = [f"{metric}: the final test value, {'lower' if first.lower_is_better else 'higher'} is better, "
             "mean ± sample sd over the seeds with a finite value; times to solve are medians over solved seeds"]
    baselines = sorted({s.baseline for s in summaries if s.baseline is not None})
    if baselines:
        parts.append(f"memoryless baseline {metric} {', '.join(_num(b) for b in baselines)}")
    thresholds = sorted({s.threshold for s in summaries if s.threshold is not None})
    if thresholds:
        parts.append(", ".join(solved_when(first.lower_is_better, t) for t in thresholds))
    return "; ".join(parts) + "."


def _figures(runs: Sequence[RunResult], task: str) -> list[ReportFigure]:
    mine = [run for run in runs if run.task == task]
    sizes = sorted({len(seeds) for seeds in group(mine).values()})
    said = f"{sizes[0]}" if len(sizes) == 1 else f"{sizes[0]} to {sizes[-1]}"
    setting = f"{said} seed{'s' if sizes[-1] != 1 else ''} per model and length"
    slug = _slug(task)
    figures = []
    if any(run.length is not None for run in mine):
        figures.append(ReportFigure(
            f"{slug}-metric-vs-length.png", "Where each model breaks: the final test metric against the "
            "difficulty knob.", metric_vs_length(mine, task, setting)))
    if any(run.learning_curve for run in mine):
        figures.append(ReportFigure(
            f"{slug}-learning-curves.png", "Learning curves: the test metric at each evaluation during training.",
            learning_curves(mine, task, setting)))
    measured = any(getattr(run, field) is not None for run in mine
                   for field in ("throughput", "inference_latency_ms", "peak_memory_mb"))
    if measured and any(run.length is not None for run in mine):
        figures.append(ReportFigure(
            f"{slug}-cost-vs-length.png", "What each model costs: training throughput, inference latency and "
            "peak memory.", cost_vs_length(mine, task, setting)))
    return figures


def _extra(extra_figures: dict[str, bytes] | None, taken: set[str]) -> list[ReportFigure]:
    figures = []
    for name, data in (extra_figures or {}).items():
        file = f"extra-{_slug(name)}.png"
        k = 2
        while file in taken:
            file, k = f"extra-{_slug(name)}-{k}.png", k + 1
        taken.add(file)
        figures.append(ReportFigure(file, name, data))
    return figures


# HTML


def _html_table(summaries: Sequence[ModelSummary], chosen: str | None) -> str:
    header = [column.format(metric=metric_name(summaries[0].metric)) for column in COLUMNS]
    heads = "".join(f'<th class="{"text" if k < 2 else "number"}">{html.escape(h)}</th>' for k, h in enumerate(header))
    lines = ['<div class="table"><table>', f"<tr>{heads}</tr>"]
    previous: object = object()
    for s in summaries:
        classes = [name for name, on in (("chosen", s.model == chosen), ("first", s.length != previous)) if on]
        previous = s.length
        cells = _row(s)
        solved = "solved" if s.solved_fraction >= 0.5 else "unsolved"
        tds = [f'<td class="text">{html.escape(cells[0])}</td>', f'<td class="text">{html.escape(cells[1])}</td>',
               f"<td>{html.escape(cells[2])}</td>", f'<td class="{solved}">{html.escape(cells[3])}</td>']
        tds += [f"<td>{html.escape(cell)}</td>" for cell in cells[4:]]
        lines.append(f'<tr class="{" ".join(classes)}">' + "".join(tds) + "</tr>")
    lines.append("</table></div>")
    return "\n".join(lines)


def _html_figure(figure: ReportFigure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    caption = html.escape(figure.caption)
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
            f"<figcaption>{caption}</figcaption></figure>")


def _html_recommendation(rec: Recommendation) -> str:
    kind = "recommendation" if rec.model is not None else "recommendation none"
    evidence = "".join(f"<li>{html.escape(sentence)}</li>" for sentence in rec.evidence)
    return (f'<div class="{kind}"><p class="headline">{html.escape(rec.headline)}</p>'
            f"<p>The evidence:</p><ul>{evidence}</ul></div>")


def _html(title: str, notes: Sequence[str], sections: Sequence[TaskSection], extra: Sequence[ReportFigure],
          beyond: str = "") -> str:
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(title)}</title><style>{STYLE}</style></head><body>", f"<h1>{e(title)}</h1>"]
    if notes:
        parts.append("<h3>Setting and budgets</h3><ul>" + "".join(f"<li>{e(note)}</li>" for note in notes) + "</ul>")
    parts.append("<h3>Recommendations</h3><ul>" + "".join(
        f"<li><b>{e(s.recommendation.task)}</b>: {e(s.recommendation.headline)}</li>" for s in sections) + "</ul>")
    parts.append(f'<p class="rule"><b>How a recommendation is made.</b> {e(sections[0].recommendation.rule)}</p>')
    if beyond:
        parts.append(beyond)
    for section in sections:
        rec = section.recommendation
        parts += [f'<h2 id="task-{e(_slug(rec.task))}">{e(rec.task)}</h2>', _html_recommendation(rec),
                  "<h3>Summary over seeds</h3>", _html_table(section.summaries, rec.model),
                  f'<p class="note">{e(_caption(section.summaries))}</p>']
        parts += [_html_figure(figure) for figure in section.figures]
    if extra:
        parts.append("<h2>Further figures</h2>")
        parts += [_html_figure(figure) for figure in extra]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# Markdown


def _md_text(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(summaries: Sequence[ModelSummary], chosen: str | None) -> str:
    header = [column.format(metric=metric_name(summaries[0].metric)) for column in COLUMNS]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join([":--"] * 2 + ["--:"] * (len(header) - 2)) + "|"]
    for s in summaries:
        cells = [_md_text(cell) for cell in _row(s)]
        if s.model == chosen:
            cells[1] = f"**{cells[1]}**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _markdown(title: str, notes: Sequence[str], sections: Sequence[TaskSection], extra: Sequence[ReportFigure],
              beyond: str = "") -> str:
    parts = [f"# {_md_text(title)}", ""]
    if notes:
        parts += ["## Setting and budgets", "", *[f"- {_md_text(note)}" for note in notes], ""]
    parts += ["## Recommendations", "",
              *[f"- **{s.recommendation.task}**: {s.recommendation.headline}" for s in sections], "",
              f"*How a recommendation is made.* {sections[0].recommendation.rule}", ""]
    if beyond:
        parts += [beyond]
    for section in sections:
        rec = section.recommendation
        parts += [f"## {rec.task}", "", f"**{rec.headline}**", "", "The evidence:", "",
                  *[f"- {sentence}" for sentence in rec.evidence], "", _md_table(section.summaries, rec.model), "",
                  _caption(section.summaries), ""]
        parts += [f"![{figure.caption}]({figure.name})\n" for figure in section.figures]
    if extra:
        parts += ["## Further figures", "", *[f"![{_md_text(f.caption)}]({f.name})\n" for f in extra]]
    return "\n".join(parts)


def write_report(runs: Sequence[RunResult], folder: Path, title: str, extra_figures: dict[str, bytes] | None = None,
                 notes: list[str] | None = None) -> tuple[Path, Path]:
    """Write `folder/report.html` (self-contained) and `folder/report.md` (its PNGs beside it); return both
    paths. `notes` are stated at the top, e.g. the parameter and time budgets every model had."""
    if not runs:
        raise ValueError("a report needs at least one run")
    folder.mkdir(parents=True, exist_ok=True)
    summaries = summarise_all(runs)
    sections = [TaskSection(rec, [s for s in summaries if s.task == rec.task], _figures(runs, rec.task))
                for rec in recommend_all(runs)]
    extra = _extra(extra_figures, {figure.name for section in sections for figure in section.figures})
    for figure in [*extra, *(figure for section in sections for figure in section.figures)]:
        (folder / figure.name).write_bytes(figure.png)
    html_path, md_path = folder / "report.html", folder / "report.md"
    found = reaches(summaries)  # the "Beyond the LSTM" section, when the newer recurrences ran
    html_path.write_text(_html(title, notes or [], sections, extra, beyond_html(found)), encoding="utf-8")
    md_path.write_text(_markdown(title, notes or [], sections, extra, beyond_markdown(found)), encoding="utf-8")
    return html_path, md_path
