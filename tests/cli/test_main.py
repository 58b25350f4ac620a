"""The `rnnlab` entry point: help, version, how errors become exit codes, and the flags every command shares."""

import argparse
import subprocess
import sys
import types

import pytest

from rnnlab import __version__
from rnnlab.cli import main as cli
from rnnlab.cli.errors import UsageError


def test_no_command_prints_help_and_returns_2(capsys):
    """Reference: argparse's usage line for prog "rnnlab", listing the registered subcommands."""
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("usage: rnnlab")
    assert "demo" in out


def test_version(capsys):
    """Reference: rnnlab.__version__, printed by argparse's version action, which exits with status 0."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"rnnlab {__version__}"


def test_unknown_command_is_an_argparse_error(capsys):
    """Reference: argparse's own handling of a bad choice: SystemExit 2 with a usage message."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["no-such-command"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def fake_command(error: BaseException | None) -> tuple[cli.Command, ...]:
    """COMMANDS holding one subcommand, `fake`, whose run raises `error`."""
    module = fake_subcommand(error)
    return (cli.Command("fake", "a fake command", lambda: module),)


def fake_subcommand(error: BaseException | None) -> types.ModuleType:
    """A subcommand module, as cli/main.py expects one: `register(subparsers)` setting `run`."""
    module = types.ModuleType("fake")

    def run(args: argparse.Namespace) -> int:
        if error is not None:
            raise error
        return 0

    def register(subparsers: argparse._SubParsersAction) -> None:
        subparsers.add_parser("fake").set_defaults(run=run)

    module.register = register  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize("error, code, first_line", [
    (None, 0, None),
    (UsageError("pick a task"), 2, "error: pick a task"),
    (ValueError("a bad value " + "x" * 200), 2, "error: a bad value " + "x" * 200),  # long: still one line
    (FileNotFoundError("no such file: runs/a.json"), 2, "error: no such file: runs/a.json"),
    (KeyboardInterrupt(), 130, "interrupted"),
], ids=["ok", "usage", "value", "file", "interrupt"])
def test_errors_become_exit_codes(monkeypatch, capsys, error, code, first_line):
    """Reference: the contract in cli/main.py's docstring: errors a user can fix print one line on
    stderr, "error: <message>", exit code 2 and no traceback; Ctrl-C exits 130."""
    monkeypatch.setattr(cli, "COMMANDS", fake_command(error))
    assert cli.main(["fake"]) == code
    err = capsys.readouterr().err
    if first_line is None:
        assert err == ""
    else:
        assert err.splitlines() == [first_line]


def test_a_bug_is_not_hidden(monkeypatch):
    """Reference: the same contract's other half: an error that is not the user's (here a TypeError)
    propagates with its traceback rather than being reported as a usage error."""
    monkeypatch.setattr(cli, "COMMANDS", fake_command(TypeError("a bug")))
    with pytest.raises(TypeError, match="a bug"):
        cli.main(["fake"])


@pytest.mark.parametrize("argv", [["--debug", "fake"], ["fake", "--debug"]], ids=["before", "after"])
def test_debug_shows_the_traceback_of_a_users_error(monkeypatch, argv):
    """Reference: the contract's third part: with --debug (before or after the command) the error propagates."""
    monkeypatch.setattr(cli, "COMMANDS", fake_command(ValueError("a bad value")))
    with pytest.raises(ValueError, match="a bad value"):
        cli.main(argv)


def test_each_help_line_is_the_one_its_command_registers():
    """Reference: the parsers the modules build themselves; COMMANDS repeats their help lines so that
    `rnnlab --help` need not import them."""
    parser = cli.build_parser(cli.EVERY)
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    registered = {choice.dest: choice.help for choice in action._choices_actions}
    assert registered == {command.name: command.help for command in cli.COMMANDS}


def test_help_answers_without_importing_torch_or_any_command():
    """Reference: sys.modules after `rnnlab --help` in a fresh Python: what the start-up pays for."""
    code = ("import sys\nfrom rnnlab.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'matplotlib', 'sacrebleu', 'numpy')"
            " or m.startswith('rnnlab.cli.') and m not in ('rnnlab.cli.main', 'rnnlab.cli.errors'))\n"
            "print('loaded:', heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "loaded: []" in done.stderr
    assert all(command.name in done.stdout for command in cli.COMMANDS)
