"""The example notebooks run from top to bottom in a fresh Jupyter kernel, without an error.

Reference: the notebooks themselves; besides running, the quickstart's ONNX cell compares ONNX Runtime with
rnnlab's own outputs, and the check below reads that number back."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("pandas")
pytest.importorskip("onnxruntime")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.ipynb")))
def test_the_notebook_runs(name, tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path / "cache"))
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert (tmp_path / "runs").is_dir()
    if name == "quickstart.ipynb":
        difference = next(cell for cell in notebook.cells if "onnxruntime.InferenceSession" in cell.source)
        assert float(difference.outputs[0]["data"]["text/plain"].split("(")[-1].rstrip(")")) < 1e-5
