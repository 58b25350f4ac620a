"""`rnnlab tasks`: one row per registered task, with its knob and metric."""

import dataclasses
import json

from rnnlab.cli.main import main
from rnnlab.data.tasks.registry import TASKS


def rows(out: str) -> dict[str, list[str]]:
    """The table's rows by task name: the cells of each row's first line (later lines are wrapped text)."""
    found = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells and cells[0]:
            found[cells[0]] = cells
    return found


def test_lists_every_registered_task(capsys):
    """Reference: the task registry: every name, with the field `--length` sets ("-" for none) and the
    metric "solved" is judged on, in registry order."""
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    table = rows(out)
    assert list(table) == list(TASKS)
    for name, entry in TASKS.items():
        assert table[name][2] == (entry.knob or "-")
        assert table[name][4].startswith(entry.metric)
    flat = "".join(out.split())
    for entry in TASKS.values():
        config = entry.config()
        first = dataclasses.fields(config)[0].name
        assert f"{first}={getattr(config, first)}" in flat  # the options column shows the defaults


def test_brackets_in_descriptions_are_text_not_markup(capsys):
    """Reference: the registry's own description of chorales-melody, which names the extra rnnlab[music]."""
    assert "rnnlab[music]" in TASKS["chorales-melody"].description
    assert main(["tasks"]) == 0
    assert "rnnlab[music]" in "".join(capsys.readouterr().out.split())


def test_json_lists_the_same_rows(capsys):
    """Reference: the table's columns, as keys, for every registered task."""
    assert main(["tasks", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [row["task"] for row in listed] == list(TASKS)
    assert listed[0]["--length sets"] == (TASKS[listed[0]["task"]].knob or "-")
