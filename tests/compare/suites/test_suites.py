"""The "RNN or LSTM?" suite (compare/suites/, compare/claims/): its plans per profile against the issue's
requirements (4 models at equal parameters, adding and copy across lengths, quick within 10 minutes), a
whole run of a miniature profile down to a report with a section per claim, and the claims' rules on
synthetic results whose answer is known."""

import math
import re
from pathlib import Path

import pytest

from rnnlab.compare.claims import Measured, long_range, short_sequences, transformer
from rnnlab.compare.results import RunResult
from rnnlab.compare.suites import SUITES, SuiteProfile, TaskPart, plan_suite, run_suite
from rnnlab.compare.suites import plan as suite_plan

TEN_MINUTES = 600.0  # the issue: `--profile quick` finishes within 10 minutes on this 2-core machine
SMOKE = SuiteProfile("smoke", ("rnn", "lstm"), (TaskPart("adding", (6, 10), budget_width=8, max_seconds=5.0,
                                                         eval_every=5),),
                     seeds=1, probe_length=10, explode_steps=5, bench_repeats=1, bench_min_time_s=0.0, workers=0,
                     max_steps=10)


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_each_profile_runs_every_model_on_adding_and_copy_at_equal_parameters(profile: str) -> None:
    """Reference: the issue's suite (RNN, LSTM, GRU, Transformer; adding and copy across lengths; quick 1 seed,
    full several with lengths up to 400) and `TaskPart.budget`: every model's parameters at most the budget and
    within 2% of it (the Transformer 10%), the LSTM exactly at its budget width."""
    plan = plan_suite("rnn-vs-lstm", profile)
    assert plan.profile.models == ("rnn", "lstm", "gru", "transformer")
    assert [sweep.tasks for sweep in plan.sweeps] == [("adding",), ("copy",)]
    assert plan.profile.seeds == (1 if profile == "quick" else 3)
    if profile == "full":
        assert max(plan.profile.parts[0].lengths) == 400
    for sweep, runs, part in zip(plan.sweeps, plan.runs, plan.profile.parts):
        assert sweep.lengths == part.lengths and sweep.max_seconds == part.max_seconds
        assert len(runs) == len(part.lengths) * 4 * plan.profile.seeds
        assert sweep.budget == part.budget()
        for run in runs:
            # the Transformer's width moves in steps of its 4 heads, so it may fall further below the budget
            assert (0.9 if run.model == "transformer" else 0.98) * part.budget() <= run.parameters <= part.budget()
            if run.model == "lstm":
                assert run.hidden_size == part.budget_width
            # the task's suggested settings (registry.py) hold for every model
            assert run.experiment.train.lr == run.experiment.entry.suggested_training.lr
            assert run.experiment.train.max_seconds == part.max_seconds


def test_the_quick_plan_fits_ten_minutes_in_the_worst_case() -> None:
    """Reference: the issue's 10-minute limit; the worst case is every run spending its whole time budget
    (plus evaluation and overhead) on the runner's 2 workers, and then the measurements."""
    plan = plan_suite("rnn-vs-lstm", "quick")
    assert plan.workers == 2
    assert plan.expected_seconds() <= plan.worst_case_seconds() <= TEN_MINUTES
    full = plan_suite("rnn-vs-lstm", "full")
    assert full.expected_seconds() > plan.worst_case_seconds()
    assert "expected" in full.describe() and "at most" in full.describe()


def test_the_worst_case_counts_rounds_of_runs_per_worker() -> None:
    """Reference: list scheduling worked by hand: a sweep of n runs of at most t seconds each, on 2 workers that
    each take the next run when free, ends within ⌈n / 2⌉ · t; sweeps run one after the other."""
    plan = plan_suite("rnn-vs-lstm", "quick")
    part = plan.profile.parts[0]
    per_run = part.max_seconds * (1 + suite_plan.EVAL_SHARE) + suite_plan.RUN_OVERHEAD_S
    rounds = [math.ceil(len(runs) / 2) for runs in plan.runs]
    assert plan.worst_case_seconds() == pytest.approx(
        plan.measure_seconds() + sum(suite_plan.POOL_START_S + n * per_run for n in rounds))


@pytest.mark.parametrize(("name", "profile", "message"), [
    ("lstm-vs-gru", "quick", "unknown suite 'lstm-vs-gru'; choose one of rnn-vs-lstm"),
    ("rnn-vs-lstm", "huge", "unknown profile 'huge'; choose one of quick, full"),
])
def test_an_unknown_suite_or_profile_is_refused_by_name(tmp_path: Path, name: str, profile: str,
                                                        message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        plan_suite(name, profile)
    with pytest.raises(ValueError, match=re.escape(message)):
        run_suite(name, profile, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_resume_and_overwrite_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="exclude each other"):
        run_suite("rnn-vs-lstm", "quick", tmp_path, resume=True, overwrite=True)


def test_a_profile_must_probe_a_length_its_first_task_runs() -> None:
    with pytest.raises(ValueError, match="probe length"):
        SuiteProfile("odd", ("rnn",), (TaskPart("adding", (6,), budget_width=8, max_seconds=1.0),), seeds=1,
                     probe_length=7, explode_steps=1)


def test_a_miniature_suite_runs_end_to_end_to_a_report_with_a_section_per_claim(tmp_path: Path,
                                                                               monkeypatch) -> None:
    """Reference: the issue's six claims, each a section of report.html and report.md with its verdict; the
    sweeps' task sections still there; progress reaching 4/4 runs; the bench harness's costs in the tables."""
    monkeypatch.setitem(SUITES["rnn-vs-lstm"], "smoke", SMOKE)
    lines: list[str] = []
    html_path, md_path = run_suite("rnn-vs-lstm", "smoke", tmp_path, on_progress=lines.append)
    html, markdown = html_path.read_text(), md_path.read_text()
    assert "expected" in lines[0]
    assert any(line.startswith("4/4 runs") for line in lines)
    for number in range(1, 7):
        assert f'id="claim-{number}"' in html and f"## Claim {number}: " in markdown
    assert html.index('id="claim-6"') < html.index('id="task-adding"')
    claims = html[html.index('id="claims"'):html.index('id="task-adding"')]
    verdicts = re.findall(r'<p class="headline">([A-Z][a-z]+(?: measured)?)\. ', claims)
    assert len(verdicts) == 6 and {v.lower() for v in verdicts} <= {"supported", "refuted", "mixed", "not measured"}
    assert html.count("data:image/png;base64,") >= 4 + 3  # the claims' figures and the task's own
    for name in ("claim-gradient-flow-init.png", "claim-gradient-flow-trained.png", "claim-clipping.png",
                 "claim-input-sensitivity.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    assert "one generated token at batch 1" in html and "Wall time" in html and "profile smoke" in html
    assert "peak memory (MB)" in html and "| T=6 | RNN |" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| T=6 | RNN |"))
    assert row.split("|")[9].strip() != "–"  # inference latency filled in from the bench harness


def result(task: str, length: int, model: str, solved: bool, throughput: float) -> RunResult:
    final = 0.001 if solved else 0.16
    return RunResult(task, length, model, 0, 17_000, "solved" if solved else "not solved", final, final, "mse", True,
                     10.0, throughput=throughput, baseline=1 / 6, threshold=0.01)


def test_the_long_range_and_short_sequence_claims_follow_the_numbers_both_ways() -> None:
    """Reference: the rules as stated: an RNN that breaks at T=50 while the LSTM solves every length supports
    the long-range claim, and one twice as fast where both solve supports the short-sequence claim; an RNN
    that solves every length refutes the first, and one that solves nothing refutes the second."""
    breaks = [result("adding", n, "rnn", n < 50, 4000.0) for n in (25, 50, 100)]
    breaks += [result("adding", n, "lstm", True, 2000.0) for n in (25, 50, 100)]
    assert long_range(breaks).verdict == "supported"
    assert "RNN breaks at T=50" in " ".join(long_range(breaks).evidence)
    assert short_sequences(breaks).verdict == "supported"
    holds = [result("adding", n, model, True, 4000.0) for n in (25, 50) for model in ("rnn", "lstm")]
    assert long_range(holds).verdict == "refuted"
    fails = [result("adding", n, "rnn", False, 4000.0) for n in (25, 50)]
    fails += [result("adding", n, "lstm", True, 2000.0) for n in (25, 50)]
    assert short_sequences(fails).verdict == "refuted"
    assert "solved no tested length" in " ".join(short_sequences(fails).evidence)
    assert long_range([result("adding", 25, m, False, 1.0) for m in ("rnn", "lstm")]).verdict == "not measured"


def test_a_task_only_the_transformer_solves_says_nothing_about_rnn_against_lstm() -> None:
    """Reference: the rules as stated, on the quick profile's copy outcome (the Transformer solves every delay,
    no recurrent model any): claim 2 is not measured there, and the Transformer reaches further (claim 6)."""
    runs = [result("copy", n, model, model == "transformer", 2000.0) for n in (5, 10)
            for model in ("rnn", "lstm", "gru", "transformer")]
    assert long_range(runs).verdict == "not measured"
    assert short_sequences(runs).verdict == "not measured"
    section = transformer(runs, Measured("copy delay 5"))
    assert section.verdict == "supported"
    assert "wins (the cheapest adequate model) at copy delay 5, delay 10" in section.finding
    assert "reaches further than every recurrent model" in section.finding
