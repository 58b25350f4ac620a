"""The "Beyond the LSTM" report section, on hand-made results with known reaches."""

from pathlib import Path

from rnnlab.compare.report import write_sweep_report
from rnnlab.compare.report.beyond import reaches
from rnnlab.compare.results import RunResult, summarise_all


def runs() -> list[RunResult]:
    """The LSTM solves T=100 and 200 with both seeds; minGRU T=100 with both, T=200 with one of two
    (not most seeds); IndRNN nothing. Times to solve: 10 s and 30 s for seed 0 and 1."""
    solved = {("lstm", 100): (True, True), ("lstm", 200): (True, True), ("mingru", 100): (True, True),
              ("mingru", 200): (True, False)}
    found = []
    for model in ("lstm", "mingru", "indrnn"):
        for length in (100, 200):
            for seed in range(2):
                ok = solved.get((model, length), (False, False))[seed]
                found.append(RunResult("adding", length, model, seed, 1000, "solved" if ok else "not solved",
                                       0.001 if ok else 0.16, 0.001 if ok else 0.16, "mse", True, 60.0,
                                       seconds_to_solve=(10.0, 30.0)[seed] if ok else None, threshold=0.01))
    return found


def test_each_model_reaches_the_longest_length_most_of_its_seeds_solved():
    by_model = {r.model: r for r in reaches(summarise_all(runs()))}
    assert (by_model["lstm"].longest_solved, by_model["lstm"].seconds_to_solve) == (200, 20.0)  # median of 10, 30
    assert by_model["mingru"].longest_solved == 100  # 1 of 2 seeds at T=200 is not most
    assert by_model["mingru"].solved_by_length == ((100, 2, 2), (200, 1, 2))
    assert by_model["indrnn"].longest_solved is None


def test_the_section_appears_only_when_newer_and_classic_models_ran(tmp_path: Path):
    html, markdown = write_sweep_report(runs(), tmp_path / "with", "t")
    assert "Beyond the LSTM" in html.read_text() and "| adding | minGRU | 100 |" in markdown.read_text()
    classic_only = [r for r in runs() if r.model == "lstm"]
    html, _ = write_sweep_report(classic_only, tmp_path / "without", "t")
    assert "Beyond the LSTM" not in html.read_text()
