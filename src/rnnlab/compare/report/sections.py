"""What a report is made of: sections, each rendered to HTML and Markdown, with the figures it shows.

    section = Section("claims", html_text, markdown_text, (ReportFigure("a.png", "caption", png),))
    write_report(folder, title, notes, [summary, *claims, *tasks])      # document.py

A section renders itself; the document puts sections in the order it is given them, writes every
figure beside report.md, and embeds it in report.html. No section knows where another one is.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportFigure:
    name: str  # the file name report.md refers to
    caption: str
    png: bytes


@dataclass(frozen=True)
class Section:
    """A part of a report: its HTML (inside <body>), its Markdown, and the figures both show."""

    name: str  # for readers of the code and tests: "recommendations", "claim-2", "task-adding"
    html: str
    markdown: str
    figures: tuple[ReportFigure, ...] = ()


def slug(text: str) -> str:
    """An anchor or file name from any text: "copy delay" -> "copy-delay"."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "figure"


def md_text(text: str) -> str:
    """Text for a Markdown table cell or heading: pipes escaped."""
    return text.replace("|", "\\|")


def html_figure(figure: ReportFigure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    caption = html.escape(figure.caption)
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
            f"<figcaption>{caption}</figcaption></figure>")


def md_figure(figure: ReportFigure) -> str:
    return f"![{md_text(figure.caption)}]({figure.name})\n"


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int = 2,
               row_classes: Sequence[str] | None = None, cell_classes: Sequence[Sequence[str]] | None = None) -> str:
    """A table whose first `text_columns` columns are text (left-aligned) and the rest numbers; every cell
    escaped. `row_classes` and `cell_classes` add CSS classes per row and per cell."""
    e = html.escape

    def kind(k: int) -> str:
        return "text" if k < text_columns else "number"

    heads = "".join(f'<th class="{kind(k)}">{e(h)}</th>' for k, h in enumerate(header))
    lines = ['<div class="table"><table>', f"<tr>{heads}</tr>"]
    for r, row in enumerate(rows):
        extra = [cell_classes[r][k] if cell_classes else "" for k in range(len(row))]
        tds = "".join(f'<td class="{(kind(k) + " " + extra[k]).strip()}">{e(cell)}</td>' for k, cell in enumerate(row))
        css = f' class="{row_classes[r]}"' if row_classes and row_classes[r] else ""
        lines.append(f"<tr{css}>{tds}</tr>")
    lines.append("</table></div>")
    return "\n".join(lines)


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int = 2) -> str:
    lines = ["| " + " | ".join(map(md_text, header)) + " |",
             "|" + "|".join([":--"] * text_columns + ["--:"] * (len(header) - text_columns)) + "|"]
    lines += ["| " + " | ".join(map(md_text, row)) + " |" for row in rows]
    return "\n".join(lines)
