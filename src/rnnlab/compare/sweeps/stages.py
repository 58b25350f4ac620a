"""`stop_at_break` (sweeps/config.py): a sweep's compared runs in stages, one per length, shortest first; a model
that solves no seed at a length is not trained at the task's longer ones. Those runs are recorded "not solved",
stop reason "broken", with the length it broke at as their error (runner.py's `run_sweep` calls this)."""

from __future__ import annotations

from collections.abc import Callable

from rnnlab.compare.sweeps.config import RunPlan
from rnnlab.compare.sweeps.store import ResultsStore


def run_by_length(plans: list[RunPlan], store: ResultsStore, run: Callable[[list[RunPlan]], None],
                  counted: Callable[[int], None]) -> None:
    """`run(batch)` trains a batch of plans into `store`; `counted(n)` counts runs finished without training."""
    store.add_planned(plans)
    broken: dict[tuple[str, str], int | None] = {}  # (task, model) -> the length it solved no seed at
    for stage in by_length(plans):
        for plan in stage:
            if (plan.task, plan.model) in broken:
                store.skip(plan.run_id, f"not run: solved no seed at length {broken[plan.task, plan.model]}",
                           status="not solved", stop_reason="broken")
                counted(1)
        run([plan for plan in stage if (plan.task, plan.model) not in broken])
        rows = {row.run_id: row for row in store.rows()}
        for (task, model), mine in _by_model(stage).items():
            if (task, model) not in broken and not any(rows[p.run_id].status == "solved" for p in mine):
                broken[task, model] = mine[0].length


def by_length(plans: list[RunPlan]) -> list[list[RunPlan]]:
    """The plans in stages, one per length (shortest first, across tasks: a task's n-th shortest with the
    others' n-th), each stage in plan order."""
    ranks: dict[tuple[str, int | None], int] = {}
    for task in dict.fromkeys(plan.task for plan in plans):
        lengths = sorted({plan.length for plan in plans if plan.task == task}, key=lambda n: (n is None, n or 0))
        ranks |= {(task, length): rank for rank, length in enumerate(lengths)}
    stages: dict[int, list[RunPlan]] = {}
    for plan in plans:
        stages.setdefault(ranks[plan.task, plan.length], []).append(plan)
    return [stages[rank] for rank in sorted(stages)]


def _by_model(stage: list[RunPlan]) -> dict[tuple[str, str], list[RunPlan]]:
    found: dict[tuple[str, str], list[RunPlan]] = {}
    for plan in stage:
        found.setdefault((plan.task, plan.model), []).append(plan)
    return found


