"""A command that has said nothing for a while says what it is doing, so that no long step is silent.

    with heartbeat(console(stderr=True)) as beat:
        beat.now("preparing the data")        # said only if it lasts: "… preparing the data (10 s)"
        prepare()
        beat.now("training")
        for step in ...:
            beat.now(f"training: step {step} of {steps}")
            beat.spoke()                      # a progress line was just printed: the clock starts again

A background thread wakes every `tick` seconds; when nothing was said for `quiet` seconds it prints one
line with the current activity and how long it has lasted, then again after each further `quiet`
seconds. Commands that finish quickly print nothing extra.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape

QUIET_SECONDS = 10.0  # silence that earns a line


class Heartbeat:
    def __init__(self, console: Console, quiet: float) -> None:
        self.console, self.quiet = console, quiet
        self._lock = threading.Lock()
        self._activity, self._since = "working", time.monotonic()
        self._last_said = self._since

    def now(self, activity: str) -> None:
        """What the command does from now on (the time it has lasted restarts when the activity changes)."""
        with self._lock:
            if activity.split(":")[0] != self._activity.split(":")[0]:
                self._since = time.monotonic()
            self._activity = activity

    def spoke(self) -> None:
        """Something was just printed: silence is counted from now."""
        with self._lock:
            self._last_said = time.monotonic()

    def beat(self) -> None:
        """Print the activity if the command has been silent for `quiet` seconds (the thread calls this)."""
        with self._lock:
            now = time.monotonic()
            if now - self._last_said < self.quiet:
                return
            self._last_said = now
            line = f"… {self._activity} ({now - self._since:.0f} s)"
        self.console.print(f"[dim]{escape(line)}[/]", highlight=False)


@contextmanager
def heartbeat(console: Console, quiet: float | None = None, tick: float = 1.0) -> Iterator[Heartbeat]:
    """A Heartbeat whose thread runs while the block does (`quiet` defaults to QUIET_SECONDS)."""
    beat = Heartbeat(console, QUIET_SECONDS if quiet is None else quiet)
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(tick):
            beat.beat()

    thread = threading.Thread(target=run, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield beat
    finally:
        stop.set()
        thread.join()
