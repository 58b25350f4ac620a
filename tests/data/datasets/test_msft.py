"""The Microsoft loader on a fake pmdarima wheel holding a tarball (reference: the CSV rows written), and on
the real wheel (marked slow)."""

import io
import tarfile
import zipfile

import pytest

from rnnlab.data.cache import cache_dir
from rnnlab.data.datasets.msft import MEMBER, load_msft, parse_csv

CSV = """Date,Open,High,Low,Close,Volume,OpenInt
1986-03-13,0.0672,0.07533,0.0672,0.07533,1371330506,0
1986-03-14,0.07533,0.07533,0.07533,0.07533,409569463,0
1986-03-17,0.07533,0.07533,0.07533,0.07533,176995245,0
"""


def put_pmdarima(text):
    data = text.encode()
    tarball = io.BytesIO()
    with tarfile.open(fileobj=tarball, mode="w:gz") as archive:
        info = tarfile.TarInfo("msft.csv")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    wheel = cache_dir("pmdarima", "2.1.1") / "pmdarima-2.1.1-cp311-cp311-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(MEMBER, tarball.getvalue())


def test_the_tarball_inside_the_wheel(scratch_cache):
    put_pmdarima(CSV)
    series = load_msft()
    assert series.columns == ("open", "high", "low", "close", "volume")
    assert series.column("close").tolist() == [0.07533] * 3
    assert series.labels() == ["1986-03-13", "1986-03-14", "1986-03-17"]  # trading days: the weekend skipped


def test_a_bad_row_names_its_line():
    with pytest.raises(ValueError, match=r"msft\.csv line 3: cannot read"):
        parse_csv(CSV.replace("1986-03-14,0.07533", "1986-03-14,n/a"))


@pytest.mark.slow
def test_the_real_series():
    series = load_msft()
    assert len(series) == 7_983  # rows in the source
    assert (series.labels()[0], series.labels()[-1]) == ("1986-03-13", "2017-11-10")
    assert float(series.column("close")[-1]) == 83.87
