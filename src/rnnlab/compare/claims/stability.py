"""Claim 3: training recurrent networks is unstable, and gradient clipping keeps it on track."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from rnnlab.compare.claims.base import (
    ClaimSection,
    Measured,
    Verdict,
    count,
    figures_of,
    num,
)
from rnnlab.compare.results import RunResult, length_name, model_name, summarise_all
from rnnlab.compare.stats import fisher_one_sided
from rnnlab.diagnostics.explode import explosion_summary

SIGNIFICANCE = 0.05  # one-sided Fisher exact test on the diverged counts
STABILITY_RULE = (
    "The clipping experiment decides: supported when more seeds diverged without clipping than with it and "
    f"Fisher's exact test (one-sided) puts the difference below p = {SIGNIFICANCE:g} (at least 4 seeds against 0 "
    "of 4 are needed), refuted when no seed diverged or had a gradient spike without clipping, inconclusive "
    "otherwise. The sweep's diverged runs and its seed-to-seed spread are reported beside it.")


def stability(runs: Sequence[RunResult], measured: Measured) -> ClaimSection:
    claim = ("Training recurrent networks is unstable: gradients explode, results vary from seed to seed, and "
             "gradient clipping is what keeps training on track.")
    summaries = [explosion_summary(series) for series in measured.explode]
    free = [s for s in summaries if s.clip is None]
    clipped = [s for s in summaries if s.clip is not None]
    evidence = []
    for name, group in (("Without clipping", free), ("Clipped", clipped)):
        if not group:
            continue
        diverged = [s for s in group if s.diverged]
        clip = (f" at {group[0].clip:g} ({statistics.fmean(s.clipped_fraction or 0.0 for s in group):.0%} of "
                "steps clipped)" if group[0].clip is not None else "")
        evidence.append(f"{name}{clip}: {len(diverged)} of {len(group)} seeds diverged"
                        + (f" (at step {', '.join(str(s.diverged_at) for s in diverged)})" if diverged else "")
                        + f"; largest finite gradient norm {num(max(s.max_norm for s in group))}, median "
                        f"{num(statistics.median(s.median_norm for s in group))}, "
                        f"{count(sum(s.spikes for s in group), 'spike')}; {measured.explode_setting}.")
    summaries_swept = summarise_all(runs)
    for s in summaries_swept:
        if s.n_diverged:
            evidence.append(f"In the sweep, the {model_name(s.model)} diverged in {s.n_diverged} of {s.n} seeds on "
                            f"{s.task} {length_name(s.task, s.length)}.")
    several = [s for s in summaries_swept if s.n > 1]
    if several:
        split = [s for s in several if 0 < s.n_solved < s.n]
        evidence.append(f"Seeds disagreed (some solved, some not) in {len(split)} of {len(several)} settings of the "
                        "sweep" + (": " + ", ".join(f"{model_name(s.model)} on {s.task} "
                                                    f"{length_name(s.task, s.length)} ({s.n_solved}/{s.n})"
                                                    for s in split) if split else "") + ".")
    else:
        evidence.append("The sweep ran one seed per setting: its seed-to-seed spread was not measured.")
    if not free or not clipped:
        verdict: Verdict = "not measured"
        finding = "The clipping experiment was not run."
    else:
        lost_free, lost_clipped = sum(s.diverged for s in free), sum(s.diverged for s in clipped)
        p = fisher_one_sided(lost_free, len(free), lost_clipped, len(clipped))
        verdict = ("supported" if lost_free > lost_clipped and p < SIGNIFICANCE
                   else "refuted" if not lost_free and not any(s.spikes for s in free) else "inconclusive")
        finding = (f"Without clipping {lost_free} of {len(free)} seeds diverged; clipped, {lost_clipped} of "
                   f"{len(clipped)} (Fisher's exact test, one-sided: p = {p:.3g}).")
    return ClaimSection(3, "Training stability", claim, verdict, finding, STABILITY_RULE, tuple(evidence),
                        figures=figures_of(measured, "clipping"))
