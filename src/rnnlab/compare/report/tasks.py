"""The report's sections per task: which model to use and why, a summary table over seeds, the figures.

    sections = [recommendations(recs), *task_sections(runs, recs)]

Per task: the recommendation and the evidence for it in plain words, a summary table (one row per model
and length, over seeds) and the figures (figures.py). Every piece of outside text is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

from rnnlab.compare.recommend import Recommendation
from rnnlab.compare.report.figures import cost_vs_length, learning_curves, metric_vs_length
from rnnlab.compare.report.sections import (
    ReportFigure,
    Section,
    html_figure,
    html_table,
    md_figure,
    md_table,
    slug,
)
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

COLUMNS = ("length", "model", "parameters", "solved (seeds)", "{metric} mean ± sd [95% interval]", "steps to solve",
           "seconds to solve", "throughput (sequences/s)", "inference latency (ms)", "peak memory (MB)")


def _num(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def _count(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:,.0f}"


def _row(s: ModelSummary) -> list[str]:
    lost = [f"{s.n_diverged} diverged" if s.n_diverged else "", f"{s.n_failed} failed" if s.n_failed else "",
            f"{s.n_still_improving} still improving" if s.n_still_improving else "",
            "not run: broke at a shorter length" if s.n_not_run == s.n else
            f"{s.n_not_run} not run" if s.n_not_run else ""]
    lost_said = ", ".join(word for word in lost if word)
    spread = f" ± {_num(s.metric_sd)}" if math.isfinite(s.metric_sd) else ""
    interval = s.metric_interval
    if interval is not None and s.n_finite > 1:
        spread += f" [{_num(interval.low)}, {_num(interval.high)}]"
    return [length_name(s.task, s.length) or "–", model_name(s.model), f"{s.parameters:,}",
            f"{s.n_solved}/{s.n}" + (f" ({lost_said})" if lost_said else ""),
            f"{_num(s.metric_mean)}{spread}", _count(s.median_steps_to_solve), _num(s.median_seconds_to_solve),
            _count(s.throughput), _num(s.inference_latency_ms), _num(s.peak_memory_mb)]


def _caption(summaries: Sequence[ModelSummary]) -> str:
    first = summaries[0]
    metric = metric_name(first.metric)
    parts = [f"{metric}: the final test value, {'lower' if first.lower_is_better else 'higher'} is better, "
             "mean ± sample sd over the seeds with a finite value, and the 95% interval of the mean (Student t); "
             "times to solve are medians over solved seeds; 'still improving': an unsolved run whose metric still "
             "improved when its step budget ran out"]
    baselines = sorted({s.baseline for s in summaries if s.baseline is not None})
    if baselines:
        parts.append(f"memoryless baseline {metric} {', '.join(_num(b) for b in baselines)}")
    thresholds = sorted({s.threshold for s in summaries if s.threshold is not None})
    if thresholds:
        parts.append(", ".join(solved_when(first.lower_is_better, t) for t in thresholds))
    return "; ".join(parts) + "."


def task_figures(runs: Sequence[RunResult], task: str) -> tuple[ReportFigure, ...]:
    mine = [run for run in runs if run.task == task]
    sizes = sorted({len(seeds) for seeds in group(mine).values()})
    said = f"{sizes[0]}" if len(sizes) == 1 else f"{sizes[0]} to {sizes[-1]}"
    setting = f"{said} seed{'s' if sizes[-1] != 1 else ''} per model and length"
    name = slug(task)
    figures = []
    if any(run.length is not None for run in mine):
        figures.append(ReportFigure(
            f"{name}-metric-vs-length.png", "Where each model breaks: the final test metric against the "
            "difficulty knob.", metric_vs_length(mine, task, setting)))
    if any(run.learning_curve for run in mine):
        figures.append(ReportFigure(
            f"{name}-learning-curves.png", "Learning curves: the test metric at each evaluation during training.",
            learning_curves(mine, task, setting)))
    measured = any(value is not None for run in mine
                   for value in (run.throughput, run.inference_latency_ms, run.peak_memory_mb))
    if measured and any(run.length is not None for run in mine):
        figures.append(ReportFigure(
            f"{name}-cost-vs-length.png", "What each model costs: training throughput, inference latency and "
            "peak memory.", cost_vs_length(mine, task, setting)))
    return tuple(figures)


def recommendations(recs: Sequence[Recommendation]) -> Section:
    """Every task's recommendation in one sentence, and the rule they follow."""
    e = html.escape
    rule = recs[0].rule
    page = ("<h3>Recommendations</h3><ul>" + "".join(f"<li><b>{e(r.task)}</b>: {e(r.headline)}</li>" for r in recs)
            + f'</ul><p class="rule"><b>How a recommendation is made.</b> {e(rule)}</p>')
    text = "\n".join(["## Recommendations", "", *[f"- **{r.task}**: {r.headline}" for r in recs], "",
                      f"*How a recommendation is made.* {rule}", ""])
    return Section("recommendations", page, text)


def _baseline_rows(summaries: Sequence[ModelSummary], width: int) -> list[list[str]]:
    """The task's classical baselines (bag of words, seasonal naive, unigram, ...), scored on the same split,
    as rows of the same table: a model is only worth its cost if it beats them."""
    baselines = next((s.baselines for s in summaries if s.baselines), ())
    return [["–", f"{name} (baseline)", "–", "–", _num(value)] + ["–"] * (width - 5) for name, value in baselines]


def _table(summaries: Sequence[ModelSummary], chosen: str | None) -> tuple[str, str]:
    header = [column.format(metric=metric_name(summaries[0].metric)) for column in COLUMNS]
    rows = [_row(s) for s in summaries]
    previous: object = object()
    row_classes, cell_classes = [], []
    for s in summaries:
        row_classes.append(" ".join(name for name, on in (("chosen", s.model == chosen),
                                                          ("first", s.length != previous)) if on))
        previous = s.length
        solved = "solved" if s.solved_fraction >= 0.5 else "unsolved"
        cell_classes.append(["", "", "", solved] + [""] * (len(header) - 4))
    for row in _baseline_rows(summaries, len(header)):
        rows.append(row)
        row_classes.append("first")
        cell_classes.append([""] * len(header))
    page = html_table(header, rows, row_classes=row_classes, cell_classes=cell_classes)
    marked = [[f"**{cell}**" if k == 1 and s.model == chosen else cell for k, cell in enumerate(row)]
              for s, row in zip(summaries, rows)] + rows[len(summaries):]
    return page, md_table(header, marked)


def task_section(rec: Recommendation, summaries: Sequence[ModelSummary],
                 figures: Sequence[ReportFigure]) -> Section:
    e = html.escape
    kind = "recommendation" if rec.model is not None else "recommendation none"
    evidence = "".join(f"<li>{e(sentence)}</li>" for sentence in rec.evidence)
    table_html, table_md = _table(summaries, rec.model)
    page = "\n".join([f'<h2 id="task-{e(slug(rec.task))}">{e(rec.task)}</h2>',
                      f'<div class="{kind}"><p class="headline">{e(rec.headline)}</p>'
                      f"<p>The evidence:</p><ul>{evidence}</ul></div>",
                      "<h3>Summary over seeds</h3>", table_html, f'<p class="note">{e(_caption(summaries))}</p>',
                      *(html_figure(figure) for figure in figures)])
    text = "\n".join([f"## {rec.task}", "", f"**{rec.headline}**", "", "The evidence:", "",
                      *[f"- {sentence}" for sentence in rec.evidence], "", table_md, "", _caption(summaries), "",
                      *(md_figure(figure) for figure in figures)])
    return Section(f"task-{slug(rec.task)}", page, text, tuple(figures))


def task_sections(runs: Sequence[RunResult], recs: Sequence[Recommendation]) -> list[Section]:
    summaries = summarise_all(runs)
    return [task_section(rec, [s for s in summaries if s.task == rec.task], task_figures(runs, rec.task))
            for rec in recs]


def further_figures(extra: Mapping[str, bytes], taken: set[str]) -> Section | None:
    """Figures made outside the report (named by their captions), under one heading; None without any."""
    figures = []
    for caption, data in extra.items():
        file, k = f"extra-{slug(caption)}.png", 2
        while file in taken:
            file, k = f"extra-{slug(caption)}-{k}.png", k + 1
        taken.add(file)
        figures.append(ReportFigure(file, caption, data))
    if not figures:
        return None
    page = "\n".join(["<h2>Further figures</h2>", *(html_figure(f) for f in figures)])
    return Section("further-figures", page, "\n".join(["## Further figures", "", *(md_figure(f) for f in figures)]),
                   tuple(figures))
