"""The results store's damage and contention, said in one line: which file, what is wrong, what to do.

A damaged store (a disk or copy that went wrong) need not cost the sweep: every run folder holds what its
row said, so moving the store away and resuming the sweep rebuilds it (runner.py) without training again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def store_error(path: Path, error: sqlite3.Error) -> ValueError:
    """One line for an SQLite error on the store at `path`: a busy store names the wait, a damaged one says how to
    rebuild it from the run folders (the runner's resume reads finished runs back without training them again)."""
    reason = " ".join(str(error).split())
    if isinstance(error, sqlite3.OperationalError) and "locked" in reason:
        return ValueError(f"{path} is busy ({reason}): another process holds it; wait for it to end, or stop it")
    if "no such table" in reason or "no such column" in reason:
        return ValueError(f"{path} is not a results store ({reason}); give the folder `rnnlab compare` wrote")
    if isinstance(error, sqlite3.OperationalError) and "malformed" not in reason and "not a database" not in reason:
        return ValueError(f"{path}: SQLite cannot use it ({reason}); check the disk and the folder's permissions")
    return ValueError(f"{path} is not a results store, or a damaged one ({reason}); if it is this sweep's, move it "
                      "away (with its -wal and -shm files) and run the sweep again with --resume: the finished runs "
                      "are read back from their folders in runs/, not trained again")


def check_integrity(db: sqlite3.Connection, path: Path) -> None:
    """SQLite's quick check of every page (milliseconds for a sweep's store); ValueError if the file is damaged."""
    found = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
    if found != ["ok"]:
        raise store_error(path, sqlite3.DatabaseError(f"database disk image is malformed: {found[0]}"))
