"""benchmarks/training_speed.py at tiny sizes: it trains both backends and prints one Markdown row per config."""

import runpy
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "training_speed.py"


def test_training_speed_smoke(capsys):
    """Reference: the script's documented output, a header and one row per task:length:model."""
    main = runpy.run_path(str(SCRIPT))["main"]
    assert main(["--steps", "2", "--rounds", "1", "--configs", "adding:5:gru,adding:5:mingru"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| adding")]
    assert [row.split(" | ")[2] for row in rows] == ["gru", "mingru"]
    assert all(row.endswith("x |") for row in rows)
