"""benchmarks/gpu_scan.py without a GPU: it runs at tiny sizes on the CPU and prints its Markdown."""

import re
import runpy
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "gpu_scan.py"


def test_gpu_scan_smoke_runs_on_the_cpu(tmp_path, capsys):
    """Reference: the script's own agreement tolerances (it exits 0 only if scan and readable agree) and
    its documented output: the agreement table, then the tables of `rnnlab bench --suite scan`."""
    main = runpy.run_path(str(SCRIPT))["main"]
    out_file = tmp_path / "gpu.md"
    assert main(["--device", "cpu", "--out", str(out_file)]) == 0
    printed = capsys.readouterr().out
    assert printed.strip() == out_file.read_text().strip()
    assert "## Agreement: backend scan against the readable loop" in printed
    checks = re.findall(r"^\| (mingru|minlstm) \| (float64|float32) \|.*\| (ok|FAIL) \|$", printed, re.MULTILINE)
    assert sorted(checks) == [("mingru", "float32", "ok"), ("mingru", "float64", "ok"),
                              ("minlstm", "float32", "ok"), ("minlstm", "float64", "ok")]
    assert "## Which backend for the scan cells?" in printed and "## Against the LSTM kernel" in printed
