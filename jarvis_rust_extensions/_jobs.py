"""Running the Go Jobs behind the long calls (quantizing a model, LZ4 files, the loader's cache).

Go prepares a Job (``jarvisrs/job.go``); ``run_job`` starts it, waits for it in short slices with
the GIL released, reports progress between slices, and on ``KeyboardInterrupt`` (or an exception
from a progress callback) cancels it, so the Go work removes its temporary file and leaves the
destination as it was.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Dict, Optional

from . import _native
from ._progress import ProgressBar

__all__ = ["run_job", "POLL_MS", "CANCEL_GRACE_S"]

POLL_MS = 100          # how long each wait for a job blocks (and so the Ctrl-C latency)
CANCEL_GRACE_S = 5.0   # how long to wait for a cancelled job to clean up before re-raising


def run_job(job: "_native.Handle", progress: Optional[Callable[[int, int], Any]], *, corrupt: Any = None,
            filename: Any = None) -> Dict[str, Any]:
    """Run a prepared Go Job and wait for it, reporting progress; cancel it on any exception.

    The job is started here, inside the ``try``: a KeyboardInterrupt arriving before this point
    leaves nothing running, and one arriving after is caught and cancels the work. ``progress``
    receives ``(done, total)`` whenever they changed; a ``ProgressBar`` is closed at the end.
    ``corrupt`` and ``filename`` are passed to ``_native.call`` for the job's error. Returns the
    job's JSON result, decoded.
    """
    lib, h = _native.lib, job.value
    last = (-1, -1)
    try:
        try:
            lib.jarvisrs_Job_Run(h)
            while not lib.jarvisrs_Job_Wait(h, POLL_MS):
                if progress is not None:
                    state = (lib.jarvisrs_Job_Done(h), lib.jarvisrs_Job_Total(h))
                    if state != last:
                        last = state
                        progress(*state)
        except BaseException:
            lib.jarvisrs_Job_Cancel(h)
            deadline = time.monotonic() + CANCEL_GRACE_S
            while not lib.jarvisrs_Job_Wait(h, POLL_MS) and time.monotonic() < deadline:
                pass
            raise
        result: Dict[str, Any] = json.loads(_native.call("jarvisrs_Job_Result", h, corrupt=corrupt, filename=filename))
        if progress is not None:
            state = (lib.jarvisrs_Job_Done(h), lib.jarvisrs_Job_Total(h))
            if state != last:
                progress(*state)
        return result
    finally:
        if isinstance(progress, ProgressBar):
            progress.close()
