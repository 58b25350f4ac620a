"""`rnnlab data list|fetch`: every registered data set listed; errors are one line and exit 2."""

from rnnlab.cli.main import main
from rnnlab.data.catalog import datasets


def test_list_names_every_registered_data_set(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name in datasets():
        assert name[:8] in out


def test_fetch_of_an_unknown_name_is_one_line_and_exit_2(capsys):
    assert main(["data", "fetch", "imdb"]) == 2
    err = capsys.readouterr().err
    assert "unknown data set 'imdb'" in err and len(err.strip().splitlines()) == 1
