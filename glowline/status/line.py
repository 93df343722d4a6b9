"""The status line: from the cache to one printed line, within a hard deadline, never blocked by the network.

Fresh cache: print it. Stale cache: print it with its age and start one detached refresh for the next call.
No cache: start (or join) the refresh and wait for it until ``--timeout``, then print what there is, or a short
degraded line. Status formats always exit 0; plain/ansi/json exit with the error's code when there is no data.
This module and everything it imports on the fresh path stay light (no json, datetime, requests, keyring, rich).
"""

from __future__ import annotations

import os
import sys
import time

from glowline.errors import EXIT_NO_DATA, EXIT_OK
from glowline.status import days as summary
from glowline.status import levels
from glowline.status import spawn as background
from glowline.status.argv import MIN_MAX_AGE, Options
from glowline.status.formats import STATUS_FORMATS
from glowline.status.formats import get as get_format
from glowline.status.model import Day, Line, RenderOptions

#: complete days before the window that make the household's "typical day"
TYPICAL_DAYS = 28
#: after a failed refresh, seconds before a status line tries again: an outage is not hammered every few
#: seconds by every bar, and a refusal that only the user can fix (login, keyring, config) waits longer
RETRY_AFTER = 60.0
RETRY_AFTER_USER_FIX = 900.0
USER_FIX_KINDS = ("auth", "keyring", "config", "notfound", "usage")


def run(opts: Options, started: float) -> int:
    """Print the status line for ``opts``; ``started`` is time.monotonic() at process start (the deadline's zero)."""
    line, code = line_for(opts, started + opts.timeout)
    return emit(line, opts, code)


def line_for(opts: Options, deadline: float, force_refresh: bool = False) -> tuple[Line, int]:
    """The Line to draw now, and the exit code for non-status formats should it carry no data.

    Starts one background refresh when the cache is stale (or ``force_refresh``); waits for one, at most until
    ``deadline`` (monotonic), only when there is nothing cached to show.
    """
    path = summary.days_path(opts.site, opts.classifier, opts.tz)
    now = time.time()
    summ = _usable(summary.read(path), opts.days, now) or _from_series(opts, now)
    err = summary.read_error(opts.site, opts.classifier)
    may_refresh = not opts.cached_only and (force_refresh or not _too_soon_after(err, now))
    if summ is not None:
        if may_refresh and (force_refresh or is_stale(summ.fetched_at, now, opts)):
            _start_refresh(opts, path, None if force_refresh else summ.fetched_at)
        return build_line(summ, opts, now, err), EXIT_OK
    if may_refresh:
        _refresh_and_wait(opts, deadline)
        now = time.time()
        summ = _usable(summary.read(path), opts.days, now) or _from_series(opts, now)
        err = summary.read_error(opts.site, opts.classifier)
        if summ is not None:
            return build_line(summ, opts, now, err), EXIT_OK
    return degraded_line(opts, now, err)


def is_stale(fetched_at: float, now: float, opts: Options) -> bool:
    """Older than --max-age, or stamped in the future (the clock was wrong or has been set back)."""
    return abs(now - fetched_at) > opts.max_age * 60


def _too_soon_after(err: summary.ErrorRecord | None, now: float) -> bool:
    """True while the last refresh failure is too recent to try again."""
    if err is None:
        return False
    wait = RETRY_AFTER_USER_FIX if err[0] in USER_FIX_KINDS else RETRY_AFTER
    return 0 <= now - err[2] < wait


def _usable(summ: summary.Summary | None, days: int, now: float) -> summary.Summary | None:
    """The summary if it reaches today and holds ``days`` days up to it."""
    if summ is None:
        return None
    index = summ.index_of(now)
    return summ if index >= days - 1 else None


def _from_series(opts: Options, now: float) -> summary.Summary | None:
    """Rebuild the summary from the cached series without the network (another --tz, or a lost .days file)."""
    from glowline.data.store import json_cache as cache

    if not os.path.exists(cache.series_path(opts.site, opts.classifier)):
        return None
    from glowline.data import sync as refresh
    from glowline.data.readings import zone

    try:
        url = refresh.api_url()
        identity = {"api_url": url, "username": refresh.username()}
        tz = zone(opts.tz)
        for period in ("PT1H", "PT30M"):
            entry = cache.load(opts.site, opts.classifier, {**identity, "period": period})
            if entry is not None:
                return _usable(refresh.write_summary(opts.site, entry, tz, opts.tz, now), opts.days, now)
    except Exception:
        return None
    return None


def refresh_args(opts: Options, forced: bool = False) -> list[str]:
    """The refresher's arguments. A forced refresh (a click, SIGUSR1) re-reads anything older than the minimum age."""
    max_age = MIN_MAX_AGE if forced else opts.max_age
    return ["--site", opts.site, "--resource", opts.resource, "--days", str(opts.days), "--tz", opts.tz,
            "--max-age", repr(max_age)]


def _start_refresh(opts: Options, path: str, fetched_at: float | None) -> None:
    """Start one detached refresh unless one is running or (given the ``fetched_at`` we saw) has just finished."""
    lock = summary.lock_path(opts.site, opts.classifier)
    fd = background.try_lock(lock)
    if fd is None:
        return
    again = summary.read(path) if fetched_at is not None else None
    if again is not None and fetched_at is not None and again.fetched_at > fetched_at:  # refreshed meanwhile
        os.close(fd)
        return
    background.spawn_refresh(refresh_args(opts, forced=fetched_at is None), fd)


def _refresh_and_wait(opts: Options, deadline: float) -> None:
    """No usable cache: run the refresh (or join the one running) until the deadline."""
    lock = summary.lock_path(opts.site, opts.classifier)
    fd = background.try_lock(lock)
    if fd is None:
        background.wait_unlocked(lock, deadline)
        return
    pid = background.spawn_refresh(refresh_args(opts), fd)
    background.wait_child(pid, deadline)


def build_line(
    summ: summary.Summary, opts: Options, now: float, err: summary.ErrorRecord | None = None
) -> Line:
    index = summ.index_of(now)
    first = max(0, index - opts.days + 1)
    scale = _gas_scale(summ.resource, opts)
    days = [Day(d.date, d.start, d.end, _scaled(d.value, scale), d.complete) for d in summ.days[first : index + 1]]
    stale = is_stale(summ.fetched_at, now, opts)
    line = Line(
        summ.resource, opts.resource, "m3" if scale != 1.0 else summ.unit, summ.tz, days, now,
        fetched_at=summ.fetched_at, stale=stale, site=summ.site,
    )
    if err is not None and err[2] > summ.fetched_at:
        line.error, line.error_kind = err[3], err[0]
    history = [d.value * scale for d in summ.days[max(0, first - TYPICAL_DAYS) : first]
               if d.complete and d.value is not None]
    if len(history) < 3:  # a young cache: judge against the complete days shown
        history = [d.value for d in days if d.complete and d.value is not None]
    levels.apply(line, history, **_thresholds(opts))
    return line


def _gas_scale(classifier: str, opts: Options) -> float:
    """1.0, or the kWh -> m3 factor when gas consumption is to be shown in m3 (--gas-unit, config [gas])."""
    if classifier != "gas.consumption" or opts.gas_unit != "m3":
        return 1.0
    from glowline.catalog import gas_unit

    return gas_unit({"gas": opts.gas}, "m3").convert(1.0) or 1.0


def _scaled(value: float | None, scale: float) -> float | None:
    return None if value is None else value * scale


def _thresholds(opts: Options) -> dict[str, float]:
    return {k: float(v) for k, v in opts.thresholds.items() if k in ("low", "high")}


def degraded_line(opts: Options, now: float, err: summary.ErrorRecord | None) -> tuple[Line, int]:
    """No data to show: a Line without days carrying the reason, and the exit code for non-status formats."""
    if err is not None:
        message, kind, code = err[3], err[0], err[1]
    elif opts.cached_only:
        message, kind, code = "no cached data yet: run `glowline fetch`", "nodata", EXIT_NO_DATA
    else:
        message, kind, code = f"no data yet: still fetching after {opts.timeout:g} s", "nodata", EXIT_NO_DATA
    line = Line(opts.classifier, opts.resource, "GBP" if opts.classifier.endswith(".cost") else "kWh", opts.tz, [],
                now, error=message, error_kind=kind)
    return line, code


def render_options(opts: Options) -> RenderOptions:
    return RenderOptions(
        width=opts.width,
        short=opts.short,
        ascii=opts.ascii,
        color=use_color(opts.color),
        prompt_wrap=opts.prompt_wrap,
        colors=opts.colors,
        on_error=opts.on_error,
        stale_after=opts.max_age * 60,
    )


def use_color(mode: str) -> bool:
    """--color wins; then NO_COLOR (non-empty) over FORCE_COLOR (non-empty); then a TTY whose TERM is not dumb."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and os.environ.get("TERM", "") != "dumb"


def emit(line: Line, opts: Options, code: int = EXIT_NO_DATA) -> int:
    """Write the formatted line; the exit status follows the format's kind and whether there is data."""
    status = opts.format in STATUS_FORMATS
    if line.has_data or status or opts.format == "json":
        write(get_format(opts.format).render(line, render_options(opts)))
    if line.has_data or status:
        return EXIT_OK
    if line.error:
        sys.stderr.write(f"glowline: {line.error}\n")
    return code


def write(text: str) -> None:
    """Write to stdout, degrading to ASCII replacement when the stream cannot encode block characters."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except UnicodeEncodeError:
        enc = sys.stdout.encoding or "ascii"
        sys.stdout.write(text.encode(enc, "replace").decode(enc))
        sys.stdout.flush()
    except BrokenPipeError:
        pass
