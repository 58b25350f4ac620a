"""Claims as report sections: the verdict in a box, the evidence, the rule, the tables and the figures.

    sections = claim_report_sections(claim_sections(runs, measured))
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from rnnlab.compare.claims.base import ClaimSection
from rnnlab.compare.report.sections import ReportFigure, Section, html_figure, html_table, md_figure, md_table

BOXES = {"supported": "recommendation", "refuted": "recommendation", "mixed": "recommendation none",
         "inconclusive": "recommendation none", "not measured": "recommendation none"}
# a clear answer either way in green, none in orange


def _figures(s: ClaimSection) -> tuple[ReportFigure, ...]:
    return tuple(ReportFigure(f"claim-{name}.png", caption, png) for name, caption, png in s.figures)


def _overview(sections: Sequence[ClaimSection]) -> Section:
    e = html.escape
    page = "\n".join(['<h2 id="claims">The claims, measured</h2>',
                      '<p class="note">Each claim as it is usually made, the verdict that the rule under it derives '
                      "from this suite's measurements, and the numbers. The sections per task, after the claims, hold "
                      "the sweeps' full evidence.</p><ul>",
                      *(f'<li><a href="#claim-{s.number}">{s.number}. {e(s.title)}</a>: <b>{e(s.verdict)}</b>. '
                        f"{e(s.finding)}</li>" for s in sections), "</ul>"])
    text = "\n".join(["## The claims, measured", "",
                      *(f"- **{s.number}. {s.title}**: {s.verdict}. {s.finding}" for s in sections), ""])
    return Section("claims", page, text)


def claim_section(s: ClaimSection) -> Section:
    e = html.escape
    figures = _figures(s)
    evidence = "".join(f"<li>{e(sentence)}</li>" for sentence in s.evidence)
    page = [f'<h2 id="claim-{s.number}">Claim {s.number}: {e(s.title)}</h2>',
            f"<p><i>The claim:</i> {e(s.claim)}</p>",
            f'<div class="{BOXES[s.verdict]}"><p class="headline">{e(s.verdict.capitalize())}. '
            f"{e(s.finding)}</p><p>The evidence:</p><ul>{evidence}</ul></div>",
            f'<p class="rule"><b>The rule.</b> {e(s.rule)}</p>',
            *(html_table(table.header, table.rows) for table in s.tables),
            *(html_figure(figure) for figure in figures)]
    text = [f"## Claim {s.number}: {s.title}", "", f"*The claim:* {s.claim}", "",
            f"**{s.verdict.capitalize()}.** {s.finding}", "", "The evidence:", "",
            *(f"- {sentence}" for sentence in s.evidence), "", f"*The rule.* {s.rule}", ""]
    for table in s.tables:
        text += [md_table(table.header, table.rows), ""]
    text += [md_figure(figure) for figure in figures]
    return Section(f"claim-{s.number}", "\n".join(page), "\n".join(text), figures)


def claim_report_sections(claims: Sequence[ClaimSection]) -> list[Section]:
    """An overview of the verdicts, then a section per claim."""
    return [_overview(claims), *(claim_section(s) for s in claims)] if claims else []
