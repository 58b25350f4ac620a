"""Live training progress: a Rich progress bar on a terminal, plain lines elsewhere (logs, CI, pipes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rnnlab.train.records import EvalRecord


class Reporter(Protocol):
    def __call__(self, record: EvalRecord) -> None: ...


def describe(record: EvalRecord, metric: str, held_out: str = "test") -> str:
    """One evaluation as a line; `held_out` names the split the metric is on (validation for real data)."""
    value = record.metrics.get(metric, float("nan"))
    text = (f"step {record.step:>7}  {record.seconds:7.1f} s  loss {record.train_loss:.4f}  "
            f"{held_out} {metric} {value:.4f}  |g| {record.grad_norm:.3g}")
    return text + ("  solved" if record.solved else "")


@contextmanager
def training_progress(console: Console, total_steps: int, metric: str, label: str,
                      held_out: str = "test") -> Iterator[Reporter]:
    if not console.is_terminal:
        def plain(record: EvalRecord) -> None:
            console.print(f"{label}  {describe(record, metric, held_out)}", highlight=False)

        yield plain
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[status]}"))
    with Progress(*columns, console=console, transient=False) as progress:
        task_id = progress.add_task(label, total=total_steps, status="")

        def live(record: EvalRecord) -> None:
            value = record.metrics.get(metric, float("nan"))
            status = f"loss {record.train_loss:.4f}  {held_out} {metric} {value:.4f}"
            status += "  [green]solved[/]" if record.solved else ""
            progress.update(task_id, completed=record.step, status=status)

        yield live
