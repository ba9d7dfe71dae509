"""Progress of a run on standard error: the phase, how much of it is done, the budget left.

On a terminal one line is rewritten in place; otherwise (a log file, CI) a line is
written when a phase starts, when it ends, and every few seconds in between.
Nothing of it goes to standard output or into the reports.
"""

from __future__ import annotations

import sys
import time as _time
from typing import TextIO

__all__ = ["Progress"]

# Without a terminal, at most one line per this many seconds inside a phase.
LOG_EVERY_S = 5.0


class Progress:
    """Say on ``stream`` (standard error) what the run is doing.

    Parameters
    ----------
    budget_s : float
        The run's time budget, for the "left" figure.
    started : float, optional
        ``time.perf_counter()`` at the start of the run (default: now).
    stream : file, optional
        Where to write (default: ``sys.stderr`` at the time of writing).
    enabled : bool, default=True
        False writes nothing (``--quiet``).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> progress = Progress(60, stream=out)
    >>> progress.phase("screen", total=2)
    >>> progress.step(2, detail="linear")
    >>> progress.close()
    >>> [line.split("] ")[1] for line in out.getvalue().splitlines()]
    ['screen', 'screen: 2/2 (linear)']
    """

    def __init__(
        self,
        budget_s: float,
        *,
        started: float | None = None,
        stream: TextIO | None = None,
        enabled: bool = True,
    ) -> None:
        self.budget_s = budget_s
        self.started = _time.perf_counter() if started is None else started
        self.stream = stream
        self.enabled = enabled
        self._phase = ""
        self._total: int | None = None
        self._last = 0.0
        self._open_line = False

    @property
    def _out(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr

    @property
    def _tty(self) -> bool:
        return bool(getattr(self._out, "isatty", lambda: False)())

    def _prefix(self) -> str:
        elapsed = _time.perf_counter() - self.started
        left = max(self.budget_s - elapsed, 0.0)
        return f"exit-test [{elapsed:4.0f} s, {left:4.0f} s left] "

    def _write(self, text: str, *, final: bool) -> None:
        if not self.enabled:
            return
        line = self._prefix() + text
        if self._tty:
            self._out.write("\r\x1b[2K" + line + ("\n" if final else ""))
            self._open_line = not final
        else:
            self._out.write(line + "\n")
        self._out.flush()
        self._last = _time.perf_counter()

    def phase(self, name: str, total: int | None = None) -> None:
        """Start a phase of ``total`` steps (unknown when None)."""
        if self._open_line:
            self._out.write("\n")
            self._open_line = False
        self._phase, self._total = name, total
        self._write(name, final=not self._tty)

    def step(self, done: int, detail: str = "") -> None:
        """``done`` steps of the current phase are finished; ``detail`` names the last."""
        last = self._total is not None and done >= self._total
        if not self._tty and not last and _time.perf_counter() - self._last < LOG_EVERY_S:
            return
        count = f"{done}/{self._total}" if self._total is not None else str(done)
        text = f"{self._phase}: {count}" + (f" ({detail})" if detail else "")
        self._write(text, final=last)

    def note(self, text: str) -> None:
        """A one-off line (a phase without steps)."""
        self.phase(text)
        if self._tty and self.enabled:
            self._out.write("\n")
            self._open_line = False

    def close(self) -> None:
        """End the line in progress, if any."""
        if self._open_line and self.enabled:
            self._out.write("\n")
            self._out.flush()
        self._open_line = False
