"""What every refresh of one resource does around the sync, and the cold line's refresh in its own process.

``shown_state`` and ``after_refresh``: after a refresh the pre-rendered lines ([files] formats) are rewritten, and
the on_refresh hook runs when what the line shows changed (`glowline fetch`, the detached refresher and the cold
line share them). ``refresh_within``: a status line with nothing cached (the first line after login) refreshes in
its own process instead of starting a second interpreter that imports everything again, under the same lock (one
refresh for every caller) and within its --timeout; when the deadline comes first it stops and the caller hands
the lock to the detached refresher, which finishes the job while the line prints.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from glowline import paths


class _Late(BaseException):
    """The status line's deadline came during its own refresh (a BaseException: no failure is recorded for it)."""


def shown_state(opts: Any) -> tuple[object, ...]:
    """What a refresh can change in the line: every day's value and completeness, and the failure record."""
    from glowline.status import days, policy

    summary = days.read(paths.days_path(opts.site, opts.classifier, opts.tz))
    shown = tuple((d.date, d.value, d.complete) for d in summary.days) if summary is not None else ()
    failure = policy.read_failure(opts.site, opts.classifier, opts.tz)
    return shown, None if failure is None else (failure.kind, failure.message)


def after_refresh(conf: dict[str, object], opts: Any, before: tuple[object, ...]) -> None:
    """The pre-rendered lines are rewritten after every refresh, and the on_refresh hook runs after one that changed
    what the line shows. Neither ever fails the refresh."""
    from glowline.status.line import prerendered_formats, write_prerendered

    if prerendered_formats(opts):
        try:
            write_prerendered(conf, opts.resource)
        except Exception as exc:  # a pre-rendered line is a convenience: never the refresh's failure
            from glowline.errors import describe

            sys.stderr.write(f"glowline: pre-rendered lines not written: {describe(exc)[0]}\n")
    if opts.hooks.get("on_refresh") and shown_state(opts) != before:
        from glowline.data import hooks

        hooks.run_on_refresh(opts.hooks)


#: below this many seconds before the deadline the refresh is not begun here: the detached refresher takes it
MIN_LEFT = 0.2


def refresh_within(opts: Any, lock_fd: int, deadline: float) -> bool:
    """Refresh ``opts``'s resource in this process, holding ``lock_fd``, until ``deadline`` (monotonic). True when it
    ended in time (its result, or its recorded failure, is in the cache; ``lock_fd`` is closed); False when it did not
    begin or the deadline interrupted it: ``lock_fd`` is still held, for the detached refresher to take over.

    Not begun with an on_refresh hook configured (a hook may take seconds: the detached refresher runs it), without
    SIGALRM, or off the main thread."""
    import signal
    import threading

    left = deadline - time.monotonic()
    if (left < MIN_LEFT or opts.hooks.get("on_refresh") or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        return False
    import logging

    from glowline.data.sync import refresh
    from glowline.errors import GlowlineError
    from glowline.status import settings

    logging.getLogger("glowline").addHandler(logging.NullHandler())  # the detached refresher's stderr is /dev/null

    def late(signum: int, frame: object) -> None:
        raise _Late

    conf = settings.load_fast() or {}
    before = shown_state(opts)
    previous = signal.signal(signal.SIGALRM, late)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - time.monotonic(), 0.001))
    try:
        try:
            refresh(opts.site, opts.classifier, opts.days, opts.tz, max_age=opts.max_age * 60)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Late:
        return False
    except (GlowlineError, OSError):  # recorded by the sync for this line to show, as the refresher's would be
        pass
    finally:
        signal.signal(signal.SIGALRM, previous)
    os.close(lock_fd)
    after_refresh(conf, opts, before)
    return True
