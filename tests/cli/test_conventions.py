"""One CLI convention (README, "Command-line conventions"): the same idea has the same flag on every command.

Reference: the table in the README, written out as RUNS_A_MODEL, TABLES and ALIASES below, read back from the
parsers the commands build (`rnnlab.cli.main.build_parser`)."""

import argparse

import pytest

from rnnlab.cli import main as cli

# Commands that load or train a model, and so take --threads and --device. diagnose, demo and compare configure
# their runs in rnnlab.compare (DiagnoseConfig, QuickConfig, sweep files), whose runs pick the device with
# TrainConfig's `auto`. export writes a CPU copy of the model, wherever it trained.
RUNS_A_MODEL = {"train", "evaluate", "classify", "bench", "generate", "compose", "translate", "chat",
                "forecast"}
TABLES = {"evaluate", "tasks", "classify", "export", "diagnose", "bench", "demo"}  # and `data list`
ALIASES = {("bench", "--cells"): "cells", ("demo", "--seconds"): "seconds", ("diagnose", "--train-seconds"):
           "train_seconds", ("forecast", "--history"): "history", ("train", "--models"): "model"}


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser(cli.EVERY)
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def flags(parser: argparse.ArgumentParser) -> set[str]:
    return {flag for action in parser._actions for flag in action.option_strings}


PARSERS = subparsers()


@pytest.mark.parametrize("name", sorted(RUNS_A_MODEL))
def test_every_command_that_runs_a_model_takes_threads_and_device(name):
    assert {"--threads", "--device"} <= flags(PARSERS[name])


def test_threads_reads_the_same_everywhere():
    helps = {action.help for parser in PARSERS.values() for action in parser._actions
             if "--threads" in action.option_strings}
    assert len(helps) == 1


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_command_that_prints_a_table_has_json(name):
    assert "--json" in flags(PARSERS[name])


def test_data_list_has_json():
    data = PARSERS["data"]
    actions = next(a for a in data._actions if isinstance(a, argparse._SubParsersAction))
    assert "--json" in flags(actions.choices["list"])


def test_every_command_has_debug_and_every_out_has_overwrite():
    for name, parser in PARSERS.items():
        assert "--debug" in flags(parser), name
        if "--out" in flags(parser) and name not in ("report",):
            assert "--overwrite" in flags(parser), name


def test_no_help_says_default_none():
    """Reference: argparse's rendered help of every command; a default of None is never what a flag does."""
    for name, parser in PARSERS.items():
        assert "(default: None)" not in parser.format_help(), name


@pytest.mark.parametrize(("command", "old"), list(ALIASES), ids=[f"{c} {o}" for c, o in ALIASES])
def test_old_spellings_still_work_hidden_and_deprecated(command, old, capsys):
    """Reference: the new flag's destination; the old spelling is absent from --help and says what replaces it."""
    parser = PARSERS[command]
    assert old not in parser.format_help()
    action = next(a for a in parser._actions if old in a.option_strings)
    namespace = argparse.Namespace()
    action(parser, namespace, "3", old)
    assert getattr(namespace, ALIASES[command, old]) == "3"
    assert f"{old} is deprecated; use --" in capsys.readouterr().err
