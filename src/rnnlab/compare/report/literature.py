"""The report's "Beside the literature": each published contrast, what we measured, and whether they agree."""

from __future__ import annotations

import html
from collections.abc import Sequence

from rnnlab.compare.literature import Comparison
from rnnlab.compare.report.sections import Section, html_table, md_table

HEADER = ("published result", "source", "our measurement", "direction", "why it is (not) comparable")
INTRO = ("Each published contrast as a direction (which model solves, which orders first), our measurement of the "
         "same direction, and whether they agree. Directions agree or disagree only when our runs clear the suite's "
         "rules (at least half the seeds solved; 95% intervals apart); budgets, sizes, encodings and data subsets "
         "differ, so numbers are shown, not compared.")


def literature_section(comparisons: Sequence[Comparison]) -> Section | None:
    """None when no contrast could be compared at all (the runs hold none of the settings)."""
    if all(c.direction == "not comparable" for c in comparisons):
        return None
    rows = [(c.published, c.source, c.ours, c.direction, c.why) for c in comparisons]
    counts = {d: sum(c.direction == d for c in comparisons) for d in ("agrees", "disagrees", "inconclusive",
                                                                          "not comparable")}
    summary = ", ".join(f"{n} {d}" for d, n in counts.items() if n)
    e = html.escape
    page = "\n".join(['<h2 id="literature">Beside the literature</h2>', f"<p>{e(INTRO)}</p>",
                      f'<p class="headline">{e(summary)}.</p>', html_table(HEADER, rows, text_columns=5)])
    text = "\n".join(["## Beside the literature", "", INTRO, "", f"**{summary}.**", "",
                      md_table(HEADER, rows, text_columns=5), ""])
    return Section("literature", page, text)
