"""The comparison report: one self-contained `report.html` and a `report.md` with its figures beside it.

    html, markdown = write_report(folder, "RNN or LSTM?", notes, sections)

The document is a title, the notes every reader needs first (budgets, seeds, the machine) and then the
sections in the order given (sections.py). The HTML needs no network and no JavaScript: the styles are
inline and the figures are PNGs in data: URIs. Text from outside (title, notes) is escaped here; each
section escapes its own.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from rnnlab.compare.report.sections import Section, md_text
from rnnlab.files import write_atomic

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


def write_report(folder: Path, title: str, notes: Sequence[str], sections: Sequence[Section]) -> tuple[Path, Path]:
    """Write `folder/report.html` (self-contained) and `folder/report.md` (its PNGs beside it); return both
    paths. `notes` are stated at the top, e.g. the parameter and training budgets every model had."""
    if not sections:
        raise ValueError("a report needs at least one section")
    names = [figure.name for section in sections for figure in section.figures]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"two figures of the report are both named {repeated[0]}")
    folder.mkdir(parents=True, exist_ok=True)
    for section in sections:
        for figure in section.figures:
            write_atomic(folder / figure.name, figure.png)
    e = html.escape
    page = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)}</title><style>{STYLE}</style></head><body>", f"<h1>{e(title)}</h1>"]
    if notes:
        page.append("<h3>Setting and budgets</h3><ul>" + "".join(f"<li>{e(note)}</li>" for note in notes) + "</ul>")
    page += [section.html for section in sections if section.html]
    page.append("</body></html>")
    text = [f"# {md_text(title)}", ""]
    if notes:
        text += ["## Setting and budgets", "", *[f"- {md_text(note)}" for note in notes], ""]
    text += [section.markdown for section in sections if section.markdown]
    html_path, md_path = folder / "report.html", folder / "report.md"
    write_atomic(html_path, "\n".join(page) + "\n")
    write_atomic(md_path, "\n".join(text))
    return html_path, md_path
