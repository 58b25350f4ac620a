"""A run folder: what `rnnlab train` writes, and the rules that keep a user's results safe.

    RUN/config.json        task, model and training configs (what to rebuild the run from)
    RUN/metrics.jsonl      one evaluation record per line
    RUN/tensorboard/       the same numbers as TensorBoard scalars, and the configs as its hyper-parameters
    RUN/checkpoints/       see checkpoint.py
    RUN/result.json        written when the run ends: status, steps and seconds to solve, best metric; for a
                           real data set also its test metrics and its task's classical baselines on the test split

A folder that holds another run is never written into unless the user says `resume` (same configs
only) or `overwrite`.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from rnnlab.files import write_atomic
from rnnlab.train.records import EvalRecord, StopReason, TrainResult
from rnnlab.train.tensorboard import Hyperparameter, ScalarWriter, event_files, has_hparams, truncate_events

Status = Literal["solved", "not solved", "diverged"]


@dataclass(frozen=True)
class RunSpec:
    """Everything needed to rebuild a run: plain JSON-able dictionaries of the typed configs."""

    task: str
    task_config: dict[str, Any]
    model: dict[str, Any]
    train: dict[str, Any]


class RunFolder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.checkpoints = path / "checkpoints"
        self.metrics = path / "metrics.jsonl"
        self._tensorboard: ScalarWriter | None = None
        self._made: Literal["folder", "contents"] | None = None  # what `prepare` made, for `abandon`

    def holds_a_run(self) -> bool:
        return (self.path / "config.json").exists()

    def spec(self) -> RunSpec:
        try:
            return RunSpec(**json.loads((self.path / "config.json").read_text()))
        except FileNotFoundError as error:
            raise ValueError(f"{self.path} is not a run folder: it has no config.json") from error
        except (ValueError, TypeError) as error:  # ValueError: bad JSON or bytes that are not UTF-8
            reason = " ".join(str(error).split())
            raise ValueError(f"{self.path / 'config.json'} is corrupt ({reason}): the run cannot be rebuilt "
                             "without it; restore it from a copy of the run, or train again with --overwrite") \
                from None

    def check(self, spec: RunSpec, *, resume: bool, overwrite: bool,
              upgrade: Callable[[RunSpec], RunSpec] | None = None) -> None:
        """Raise ValueError, changing nothing, if `prepare` with these arguments would break the rules.

        `upgrade` rebuilds a saved spec through today's configs, so that a field added since the run was
        saved (with its default) does not make the same settings look different on `--resume`."""
        if resume and overwrite:
            raise ValueError("--resume and --overwrite exclude each other")
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"{self.path} exists and is not a folder")
        if self.holds_a_run():
            if resume:
                saved = self.spec()
                if upgrade is not None and saved != spec:
                    with contextlib.suppress(TypeError, ValueError):  # unreadable today: reported as different
                        saved = upgrade(saved)
                if saved != spec:
                    changed = [name for name in ("task", "task_config", "model", "train")
                               if getattr(saved, name) != getattr(spec, name)]
                    raise ValueError(f"{self.path} holds a run with a different {', '.join(changed)}; "
                                     "resume with the same settings, or choose another --out")
            elif not overwrite:
                raise ValueError(f"{self.path} already holds a run; pass --resume to continue it or "
                                 "--overwrite to replace it")
        elif resume:
            raise ValueError(f"nothing to resume: {self.path} holds no run")
        elif self.path.exists() and any(self.path.iterdir()) and not overwrite:
            raise ValueError(f"{self.path} is not empty; choose another --out or pass --overwrite")

    def prepare(self, spec: RunSpec, *, resume: bool, overwrite: bool,
                upgrade: Callable[[RunSpec], RunSpec] | None = None) -> None:
        """Create the folder for `spec`, or check that resuming into it is safe."""
        self.check(spec, resume=resume, overwrite=overwrite, upgrade=upgrade)
        if self.holds_a_run():
            if resume:
                return
            shutil.rmtree(self.path)  # overwrite
        self._made = "contents" if self.path.is_dir() else "folder"
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path / "config.json", json.dumps(asdict(spec), indent=2) + "\n")

    def abandon(self) -> None:
        """Undo `prepare` of a new run that failed to start (before its first checkpoint): remove the folder it
        made, or empty the empty folder it was given, so that the same command can be run again."""
        self._tensorboard = None
        if self._made == "folder":
            shutil.rmtree(self.path, ignore_errors=True)
        elif self._made == "contents":
            for child in self.path.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        self._made = None

    def restart_log(self, records: list[EvalRecord]) -> None:
        """On resume: the log and the TensorBoard files hold exactly the records the checkpoint holds, none twice."""
        write_atomic(self.metrics, "".join(json.dumps(r.to_json()) + "\n" for r in records))
        folder = self.path / "tensorboard"
        try:
            truncate_events(folder, records[-1].step if records else 0)
        except ValueError:  # a damaged event file (a crash mid-write): written again from the kept records
            for path in event_files(folder):
                path.unlink()
            self._tensorboard = None
            for record in records:
                self._log_scalars(record)

    def log(self, record: EvalRecord) -> None:
        with self.metrics.open("a") as stream:
            stream.write(json.dumps(record.to_json()) + "\n")
        self._log_scalars(record)

    def _log_scalars(self, record: EvalRecord) -> None:
        if self._tensorboard is None:
            folder = self.path / "tensorboard"
            started = has_hparams(folder)  # a resumed run keeps the session it started with
            self._tensorboard = ScalarWriter(folder)
            if not started and self.holds_a_run():
                self._tensorboard.add_hparams_start(hyperparameters(self.spec()))
        scalars = {"train/loss": record.train_loss, "train/grad_norm": record.grad_norm, "train/lr": record.lr}
        scalars |= {f"test/{name}": value for name, value in record.metrics.items()}
        self._tensorboard.add_scalars(record.step, scalars)

    def records(self) -> list[EvalRecord]:
        if not self.metrics.exists():
            return []
        return [EvalRecord.from_json(json.loads(line)) for line in self.metrics.read_text().splitlines() if line]

    def finish(self, summary: RunSummary) -> None:
        """Write RUN/result.json: the run has ended (and say so to TensorBoard's HParams view)."""
        write_atomic(self.path / "result.json", json.dumps(summary.to_json(), indent=2) + "\n")
        if self._tensorboard is not None:
            self._tensorboard.add_hparams_end(summary.steps, "failure" if summary.status == "diverged" else "success")

    def summary(self) -> RunSummary | None:
        """What RUN/result.json says; None while the run has not ended."""
        data = self.result()
        try:
            return None if data is None else RunSummary.from_json(data)
        except ValueError as error:
            raise ValueError(f"{self.path / 'result.json'}: {error}; `rnnlab train ... --resume` writes it again") \
                from None

    def result(self) -> dict[str, Any] | None:
        """RUN/result.json as JSON (StabilityRun.from_summary reads this form); None while the run runs."""
        path = self.path / "result.json"
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return data
        except ValueError as error:  # bad JSON, or bytes that are not UTF-8
            raise ValueError(f"{path} is corrupt ({' '.join(str(error).split())}); `rnnlab train ... --resume` "
                             "writes it again from the run's last checkpoint") from None


def hyperparameters(spec: RunSpec) -> dict[str, Hyperparameter]:
    """A run's configs as flat TensorBoard hyper-parameters: task, task.length, model.hidden_size, train.lr, ...
    (nested configs by dotted name; None and lists as text)."""
    flat: dict[str, Hyperparameter] = {"task": spec.task}

    def add(prefix: str, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if isinstance(value, dict):
                add(f"{prefix}.{name}", value)
            else:
                flat[f"{prefix}.{name}"] = value if isinstance(value, bool | int | float | str) else str(value)

    add("task", spec.task_config)
    add("model", spec.model)
    add("train", spec.train)
    return flat


def status_of(result: TrainResult) -> Status:
    if result.solved:
        return "solved"
    return "diverged" if result.diverged else "not solved"


@dataclass(frozen=True)
class RunSummary:
    """What a run achieved, stated plainly: never a success it did not reach. RUN/result.json holds
    `to_json()`: the fields in this order, the four optional ones only when they were measured."""

    status: Status
    diverged_at_step: int | None
    steps: int  # of the last evaluation; 0 without one
    seconds: float  # training time at the last evaluation, evaluation excluded
    solved_at_step: int | None
    seconds_to_solve: float | None
    sequences_to_solve: int | None
    metric: str  # the task's primary metric, which `best` is of
    best: float  # NaN when no evaluation had a finite value
    final_metrics: dict[str, float]
    stop_reason: StopReason | None = None  # solved, plateaued, budget, time or diverged (train/loop.py)
    still_improving: bool = False  # when the budget ran out: more budget might have helped
    parameters: int | None = None  # the model's; run_experiment always gives it
    test_metrics: dict[str, float] | None = None  # real data sets: the test split, scored once at the end
    test_weights_from_step: int | None = None  # with test_metrics: the evaluation whose weights were scored
    # Real data sets: classical baselines on the same test split, {name: {metric: value}} (data/tasks/base.py
    # BaselineTask), so that a run's test metrics are never read without what a simple predictor scores there.
    baselines: dict[str, dict[str, float]] | None = None

    @classmethod
    def of(cls, result: TrainResult, primary: str, lower_is_better: bool, parameters: int | None = None,
           test_metrics: dict[str, float] | None = None,
           baselines: dict[str, dict[str, float]] | None = None) -> RunSummary:
        first = result.first_solved
        final = result.final if result.records else None
        return cls(
            status=status_of(result),
            diverged_at_step=result.diverged_at,
            steps=final.step if final else 0,
            seconds=final.seconds if final else 0.0,
            solved_at_step=first.step if first else None,
            seconds_to_solve=first.seconds if first else None,
            sequences_to_solve=first.sequences if first else None,
            metric=primary,
            best=result.best(primary, lower_is_better),
            final_metrics=final.metrics if final else {},
            stop_reason=result.stop_reason,
            still_improving=result.still_improving,
            parameters=parameters,
            test_metrics=test_metrics,
            test_weights_from_step=None if test_metrics is None else result.selected_step,
            baselines=baselines,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("parameters", "test_metrics", "baselines"):
            if data[name] is None:
                del data[name]
        if self.test_metrics is None:
            del data["test_weights_from_step"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSummary:
        try:
            return cls(**data)
        except TypeError as error:  # a key this version does not know, or one missing
            raise ValueError(f"not a run summary: {error}") from error


def summarise(result: TrainResult, primary: str, lower_is_better: bool) -> dict[str, Any]:
    """`RunSummary.of(...).to_json()`: the JSON form, which compare/diagnose.py stores."""
    return RunSummary.of(result, primary, lower_is_better).to_json()
