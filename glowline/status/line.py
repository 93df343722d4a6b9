"""The status line: from the days file to one printed line, within a hard deadline, never blocked by the network.

Fresh days file: print it. Stale: print it with its age and start one detached refresh for the next call.
Nothing usable: start (or join) the refresh and wait for it until ``--timeout``, then print what there is, or a
short degraded line. Status formats always exit 0; plain/ansi/json exit with the error's code when there is no data.
With ``[files] formats``, the pre-rendered lines a prompt reads with a shell builtin are kept in step here too (the
last part of this module).

Everything here is the fast path: stdlib os/sys/time only (import-linter and tests/test_fastpath.py hold it so).
The one route that needs more, re-projecting the stored series into days for another zone or a lost days file, is
not taken here: the caller hands in ``rebuild`` (glowline.data.days.rebuild) and it is called visibly below.
"""

import os
import sys
import time

from glowline import EXIT_NO_DATA, EXIT_OK, catalog, paths
from glowline.files import check_private_folder, read_text
from glowline.status import days as days_file
from glowline.status import policy, settings
from glowline.status.argv import DEFAULTS, MIN_MAX_AGE, Options
from glowline.status.formats import age_text, live_text, total_text
from glowline.status.formats import get as get_format
from glowline.status.model import MIN_HISTORY, Day, Line, RenderOptions, Shape, judge

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy treats this name as true
if TYPE_CHECKING:
    from collections.abc import Callable

    from glowline.status.days import Summary
    from glowline.status.policy import Failure

    #: re-project the stored series into the days file for ``opts`` at ``now``; None when nothing is stored
    Rebuild = Callable[[Options, float], Summary | None]
    #: refresh in this process holding the lock fd until the deadline; True when it ended in time (fd closed)
    RefreshHere = Callable[[Options, int, float], bool]


def run(opts: Options, started: float, rebuild: "Rebuild | None" = None, verbose: int = 0,
        refresh_here: "RefreshHere | None" = None) -> int:
    """Print the status line for ``opts``; ``started`` is time.monotonic() at process start (the deadline's zero).
    With ``verbose`` (-v) the reason of a failed refresh also goes to stderr, under a line that still has data.
    ``refresh_here`` (glowline.data.refresher.refresh_within, handed in by the CLI's fast route): with nothing to
    show, the first refresh runs in this process rather than in a second interpreter."""
    line, code = line_for(opts, started + opts.timeout, rebuild=rebuild, refresh_here=refresh_here)
    if opts.files:  # [files] formats: keep the pre-rendered lines in step with what this line saw
        keep_prerendered(line, opts)
    return emit(line, opts, code, verbose)


def line_for(
    opts: Options, deadline: float, force_refresh: bool = False, rebuild: "Rebuild | None" = None,
    refresh_here: "RefreshHere | None" = None,
) -> tuple[Line, int]:
    """The Line to draw now, and the exit code for non-status formats should it carry no data.

    Starts one background refresh when the data is stale (or ``force_refresh``); waits for one, at most until
    ``deadline`` (monotonic), only when there is nothing to show.
    """
    # one stat: a folder others can write to is refused, never used; another user's is read, never written
    if check_private_folder(paths.cache_dir(), read_only=opts.cached_only):
        rebuild = None  # the hand-over writes a days file (and opens the history): not in another user's folder
    path = paths.days_path(opts.site, opts.classifier, opts.tz)
    now = time.time()
    summ = _current(path, opts, now, rebuild)
    err = _failure(opts)
    may_refresh = not opts.cached_only and (force_refresh or not policy.too_soon_after(err, now))
    if summ is not None and may_refresh and not policy.covers_typical(summ, opts.days, now):
        # a longer window than the cache was filled for: fetch the older days the typical day is judged on (and
        # wait for them until the deadline), so typical never depends on what ran before; else draw what there is
        _refresh_and_wait(opts, deadline, refresh_here, need_typical=True)
        now = time.time()
        summ = _current(path, opts, now, rebuild) or summ
        err = _failure(opts)
        may_refresh = not opts.cached_only and not policy.too_soon_after(err, now)
    if summ is not None:
        if may_refresh and (force_refresh or policy.refresh_due(summ.fetched_at, now, opts.max_age)):
            _start_refresh(opts, path, None if force_refresh else summ.fetched_at)
        return build_line(summ, opts, now, err), EXIT_OK
    if may_refresh:
        _refresh_and_wait(opts, deadline, refresh_here=refresh_here)
        now = time.time()
        summ = _current(path, opts, now, rebuild)
        err = _failure(opts)
        if summ is not None:
            return build_line(summ, opts, now, err), EXIT_OK
    return degraded_line(opts, now, err)


def _failure(opts: Options) -> "Failure | None":
    """The last failure of this exact request, while it still applies (nothing that can fix it has changed; the
    context is looked at only when there is a record)."""
    err = policy.read_failure(opts.site, opts.classifier, opts.tz)
    return err if err is not None and err.context == policy.failure_context() else None


def _current(path: str, opts: Options, now: float, rebuild: "Rebuild | None") -> "Summary | None":
    """The days to draw: the days file when it reaches today, else (the hand-over) the caller's rebuild."""
    summ = policy.usable(days_file.read(path), opts.days, now)
    if summ is None and rebuild is not None:
        summ = policy.usable(rebuild(opts, now), opts.days, now)
    return summ


def refresh_args(opts: Options, max_age: float | None = None) -> list[str]:
    """The refresher's arguments. With ``max_age`` (minutes) it re-reads the recent end only when older than that:
    a click's refresh (the minimum age, so clicks cannot hammer the API) and a line asking for more days than stored
    (only the older part is new). Without it the refresh is due by the polite clock and re-reads the end."""
    args = ["--site", opts.site, "--resource", opts.resource, "--days", str(opts.days), "--tz", opts.tz]
    return args if max_age is None else [*args, "--max-age", repr(max_age)]


def _start_refresh(opts: Options, path: str, fetched_at: float | None) -> None:
    """Start one detached refresh unless one is running, one has just finished (given the ``fetched_at`` we saw), or
    one was started less than a minute ago and wrote nothing, not even why (a full disk). A forced refresh
    (``fetched_at`` None: a click, SIGUSR1) skips that last rule."""
    from glowline.status import spawn  # with fcntl: only when refreshing, not on every fresh line

    try:
        fd = spawn.try_lock(paths.lock_path(opts.site, opts.classifier))
    except OSError:  # a read-only cache: show what it holds, never an error
        return
    if fd is None:
        return
    again = days_file.read(path) if fetched_at is not None else None
    if again is not None and fetched_at is not None and again.fetched_at > fetched_at:  # refreshed meanwhile
        os.close(fd)
        return
    if _attempt(opts, fd, forced=fetched_at is None):
        forced = MIN_MAX_AGE if fetched_at is None else None
        spawn.spawn_refresh(refresh_args(opts, forced), fd)  # detached: nobody waits for it


def _attempt(opts: Options, fd: int, forced: bool) -> bool:
    """Stamp the lock ``fd`` with a new attempt and say go, unless (not ``forced``) the last attempt, under a minute
    ago, wrote nothing at all, not even why (a full or read-only disk): then the lock is let go."""
    from glowline.status import spawn

    outputs = (paths.series_path(opts.site, opts.classifier), paths.days_path(opts.site, opts.classifier, opts.tz),
               paths.error_path(opts.site, opts.classifier, opts.tz))
    if not forced and spawn.failed_silently(fd, time.time(), policy.RETRY_AFTER, outputs):
        os.close(fd)
        return False
    spawn.mark_tried(fd)
    return True


def _refresh_and_wait(opts: Options, deadline: float, refresh_here: "RefreshHere | None" = None,
                      need_typical: bool = False) -> None:
    """Nothing usable (or, ``need_typical``, not the days before the window): run the refresh (or join the one
    running) until the deadline: here when the caller can (``refresh_here``), else (or for what is left after the
    deadline) in the detached refresher."""
    from glowline.status import spawn

    lock = paths.lock_path(opts.site, opts.classifier)
    try:
        fd = spawn.try_lock(lock)
    except OSError:  # a read-only cache: nothing can be fetched into it
        return
    if fd is None:
        spawn.wait_unlocked(lock, deadline)
        return
    path = paths.days_path(opts.site, opts.classifier, opts.tz)
    found = policy.usable(days_file.read(path), opts.days, time.time())
    if found is not None and (not need_typical or policy.covers_typical(found, opts.days, time.time())):
        os.close(fd)  # another caller's refresh finished between our look and the lock: nothing to do
        return
    if _attempt(opts, fd, forced=False):
        if refresh_here is not None and refresh_here(opts, fd, deadline):
            return
        _pid, done = spawn.spawn_refresh(refresh_args(opts, opts.max_age), fd, notify=True)
        spawn.wait_done(done, deadline)


def build_line(summ: "Summary", opts: Options, now: float, err: "Failure | None" = None) -> Line:
    """The Line for ``opts`` from a days file that reaches ``now``: values in the display unit, levels judged."""
    index = summ.index_of(now)
    first = max(0, index - opts.days + 1)
    gas = catalog.gas_unit({"gas": opts.gas}, opts.gas_unit)

    def shown(value: float | None) -> float | None:
        return catalog.to_display(value, summ.resource, gas)

    meter: dict[str, tuple[float, str]] = {}
    if summ.meter:  # the site's IHD is known: only then is the register record read (imported only then)
        from glowline.status import tail

        meter = tail.tails(summ, now, opts.live_max_age)  # the hours the DCC has not delivered, from the meter
    days = [_day(d, meter.get(d.date), shown) for d in summ.days[first : index + 1]]
    line = Line(
        summ.resource, opts.resource, catalog.display_unit(summ.resource, gas), summ.tz, days, now,
        fetched_at=summ.fetched_at, stale=policy.is_stale(summ.fetched_at, now, opts.max_age), site=summ.site,
    )
    if err is not None and err.at > summ.fetched_at:  # the last refresh failed: visible at once, in every format
        line.error, line.error_kind = err.message, err.kind
        line.stale = True
    history = [shown(d.value) for d in summ.days[max(0, first - policy.TYPICAL_DAYS) : first] if d.complete]
    if len([v for v in history if v is not None]) < MIN_HISTORY:  # a young cache: judge the days shown
        history = [d.value for d in days if d.complete]
    judge(line, history, **_thresholds(opts))
    if opts.live_show:
        attach_live(line, opts, now)
    return line


def _day(d: Day, meter: tuple[float, str] | None, shown: "Callable[[float | None], float | None]") -> Day:
    """A day of the days file as drawn: in the display unit, with the meter's tail when it has one."""
    if meter is None:
        return Day(d.date, d.start, d.end, shown(d.value), d.complete)
    kwh, since = meter
    return Day(d.date, d.start, d.end, shown((d.value or 0.0) + kwh), d.complete, from_meter=shown(kwh) or 0.0,
               meter_since=since)


def attach_live(line: Line, opts: Options, now: float) -> None:
    """--live: the latest live power from the live file (os-only text; no MQTT, no network), judged by level."""
    from glowline.status import live

    line.live_shown = True
    line.live = live.current(now, opts.live_max_age, opts.live_stale == "show")
    if line.live is not None:
        live.judge(line.live, line)


def _thresholds(opts: Options) -> dict[str, float]:
    return {k: float(v) for k, v in opts.thresholds.items() if k in ("low", "high")}


def error_line(opts: Options, message: str, kind: str, now: float | None = None) -> Line:
    """A Line without days carrying a reason: the one builder of every degraded line (CLI, watch, status)."""
    when = time.time() if now is None else now
    unit = catalog.display_unit(opts.classifier)
    return Line(opts.classifier, opts.resource, unit, opts.tz, [], when, error=message, error_kind=kind)


def degraded_line(opts: Options, now: float, err: "Failure | None") -> tuple[Line, int]:
    """No data to show: a Line without days carrying the reason, and the exit code for non-status formats."""
    if err is not None:
        message, kind, code = err.message, err.kind, err.exit_code
    elif opts.cached_only:
        message, kind, code = f"no cached data yet: run `{fetch_command(opts)}`", "nodata", EXIT_NO_DATA
    else:
        message, kind, code = f"no data yet: still fetching after {opts.timeout:g} s", "nodata", EXIT_NO_DATA
    line = error_line(opts, message, kind, now)
    if opts.live_show:
        attach_live(line, opts, now)
    return line, code


def fetch_command(opts: Options) -> str:
    """The `glowline fetch` that fills the cache this line reads (what a hint should tell the user to run)."""
    words = ["glowline fetch"]
    for flag, value, default in (("--resource", opts.resource, DEFAULTS["resource"]), ("--site", opts.site, ""),
                                 ("--tz", opts.tz, DEFAULTS["tz"])):
        if value != default:
            words.append(f"{flag} '{value}'" if " " in value else f"{flag} {value}")
    return " ".join(words)


def render_options(opts: Options, tty: bool | None = None) -> RenderOptions:
    """How to draw for ``opts``; ``tty``: whether the output is a terminal (default: whether stdout is one)."""
    depth = _color_depth(opts.color, tty)
    return RenderOptions(
        width=opts.width,
        short=opts.short,
        ascii=opts.ascii,
        color=depth > 0,
        color_depth=depth,
        rows=opts.rows,
        prompt_wrap=opts.prompt_wrap,
        colors=opts.colors,
        on_error=opts.on_error,
        stale_after=opts.max_age * 60,
        template=_shape(opts.template),
        scale_max=opts.scale_max,
        icons=opts.icons,
        site=opts.site,
    )


def _shape(tokens: tuple[str, ...] | None) -> Shape | None:
    """The compiled template to draw with, or None for the line's own shape."""
    if not tokens:
        return None
    from glowline.status.template import Template

    return Template(tokens)


def use_color(mode: str) -> bool:
    """--color wins; then NO_COLOR (non-empty) over FORCE_COLOR (non-empty); then a TTY whose TERM is not dumb
    (glowline.status.colors, which also picks the depth: truecolor, 256 or 16)."""
    return _color_depth(mode) > 0


def _color_depth(mode: str, tty: bool | None = None) -> int:
    """glowline.status.colors.depth, except that the usual case of a bar (piped, nothing forcing colour) is
    answered without importing it."""
    if tty is None:
        tty = sys.stdout.isatty()
    if mode == "auto" and not os.environ.get("FORCE_COLOR") and not tty:
        return 0
    from glowline.status import colors

    return colors.depth(mode, isatty=tty)


def emit(line: Line, opts: Options, code: int = EXIT_NO_DATA, verbose: int = 0) -> int:
    """Write the formatted line; the exit status follows the format's kind and whether there is data. With
    ``verbose``, a reason the line carries (a failed refresh) is also said on stderr."""
    status = opts.format in catalog.STATUS_FORMATS
    if line.has_data or status or opts.format == "json":
        write(rendered(line, opts))
    if line.has_data or status:
        if verbose and line.error:
            what = "the last refresh failed" if line.has_data else "no data"
            sys.stderr.write(f"glowline: {what}: {line.error}\n")
        return EXIT_OK
    if line.error:
        sys.stderr.write(f"glowline: {line.error}\n")
    return code


def rendered(line: Line, opts: Options, tty: bool | None = None) -> str:
    """What ``emit`` writes to stdout for ``line``: the format's text, or "" when a non-status format has no data
    (its reason goes to stderr). ``tty``: draw as for a terminal or not (default: stdout's own)."""
    if line.has_data or opts.format in catalog.STATUS_FORMATS or opts.format == "json":
        return str(get_format(opts.format).render(line, render_options(opts, tty)))
    return ""


def draw_cached(opts: Options) -> tuple[Line, str]:
    """The Line for ``opts`` from the cache alone and the text ``--cached-only`` prints for it into a pipe (what a
    pre-rendered line holds: see below)."""
    drawn, _code = line_for(opts, time.monotonic() + opts.timeout)
    return drawn, rendered(drawn, opts, tty=False)


def silence_stdout() -> None:
    """Point fd 1 at /dev/null, so that nothing written later (the interpreter's own last flush among it) can fail
    on a stdout that is closed, full or gone."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


def write(text: str) -> None:
    """Write to stdout, degrading to replacement characters when the stream cannot encode block characters. A
    closed or full stdout is left to glowline.cli's last flush, which turns it into the documented exit code."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        enc = sys.stdout.encoding or "ascii"
        sys.stdout.write(text.encode(enc, "replace").decode(enc))


# ------------------------------------------------------------------------------------------ pre-rendered lines
# Pre-rendered lines: with config ``[files] formats = ["prompt", "tmux"]`` the rendered line of each listed format is
# kept in a file under the cache, one per format and resource, so a prompt reads it with the shell's own builtin and
# starts no process (zsh ``$(<file)``, bash ``read -r``, fish ``read``).
#
# A file holds exactly what ``glowline --format FORMAT --resource RESOURCE --cached-only`` prints at that moment, as
# into a pipe (``color = "auto"`` draws no colour; ``color = "always"`` in the config does). It is rewritten atomically
# after every refresh (glowline.commands.fetch) and by any status line that runs anyway with the config's own data
# options and sees the line's state change: new data, fresh -> stale, the age shown while stale, a failure, live power
# (``keep_prerendered``). The state seen last is kept next to the files (``<entry>.state``), so an unchanged state
# costs one small read. Status-line path: os and time only.

#: options that change which data a line holds: a status line given one of them with another value than the config's
#: draws a line that is not the pre-rendered one, so it leaves the files alone
PRERENDER_DATA_OPTIONS = ("days", "site", "tz", "max_age", "gas_unit", "live_show", "live_stale")
LINE_SUFFIX = ".line"
STATE_SUFFIX = ".state"


def prerendered_formats(opts: Options) -> list[str]:
    """The formats the config asks to keep pre-rendered ([files] formats)."""
    listed = opts.files.get("formats")
    return [str(f) for f in listed] if isinstance(listed, list) else []


def prerendered_path(site: str, classifier: str, fmt: str) -> str:
    """The pre-rendered line of one format and resource: ``<cache>/<site>--<classifier>--<format>.line``."""
    return f"{paths.entry_base(site, classifier)}--{paths.safe_name(fmt)}{LINE_SUFFIX}"


def prerender_state_path(site: str, classifier: str) -> str:
    return paths.entry_base(site, classifier) + STATE_SUFFIX


def prerender_state_key(line: Line) -> str:
    """What the pre-rendered lines depend on besides the config: the data (its fetch time and today's date), the
    age as shown, the failure, the levels, live power, the total as shown (the meter's register moves it between
    fetches: glowline.status.tail)."""
    age = line.age
    shown_age = age_text(age) if age is not None and (line.stale or line.error) else ""
    today = line.days[-1].date if line.days else ""
    live = line.live
    live_state = f"{live_text(line, RenderOptions())}|{live.level}|{live.stale}" if live is not None else "-"
    return "\t".join((repr(line.fetched_at), today, str(len(line.days)), str(line.stale), shown_age,
                      str(line.error_kind), str(line.error), line.level, live_state,
                      total_text(line, RenderOptions())))


def keep_prerendered(line: Line, opts: Options) -> None:
    """A status line's part: rewrite the files when the state of the line the files show has changed. Only a line
    drawn with the config's own data options knows that state; any other leaves the files alone."""
    if not prerendered_formats(opts) or opts.given is None:
        return
    conf: dict[str, object] | None = None
    if any(name in opts.given for name in PRERENDER_DATA_OPTIONS):  # given, yet perhaps the config's own (--max-age 30)
        conf = settings.load_fast()
        own = Options({**conf, "resource": opts.resource}) if conf is not None else None
        if own is None or any(getattr(own, name) != getattr(opts, name) for name in PRERENDER_DATA_OPTIONS):
            return
    key = prerender_state_key(line)
    if read_text(prerender_state_path(opts.site, opts.classifier), 4096) == key + "\n":
        return
    conf = settings.load_fast() if conf is None else conf
    if conf is not None:
        write_prerendered(conf, opts.resource, key)


def update_prerendered(conf: dict[str, object]) -> None:
    """A process that runs anyway without drawing the line (the live daemon on each message): rewrite the files when
    the state of the line they show has changed."""
    base = Options({**conf, "cached_only": True})
    listed = prerendered_formats(base)
    if not listed:
        return
    drawn, _text = draw_cached(Options({**conf, "format": listed[0], "cached_only": True}))
    key = prerender_state_key(drawn)
    if read_text(prerender_state_path(base.site, base.classifier), 4096) != key + "\n":
        write_prerendered(conf, base.resource, key)


def write_prerendered(conf: dict[str, object], resource: str, key: str | None = None) -> None:
    """Render every listed format for ``resource`` from the cache and replace its file; then record the state.
    Never raises for a file it cannot write (a read-only or full cache only costs the prompt its fresh line)."""
    from glowline.files import atomic_write

    base = Options({**conf, "resource": resource, "cached_only": True})
    for fmt in prerendered_formats(base):
        opts = Options({**conf, "resource": resource, "format": fmt, "cached_only": True})
        drawn, text = draw_cached(opts)
        if key is None:
            key = prerender_state_key(drawn)
        try:
            atomic_write(prerendered_path(opts.site, opts.classifier, fmt), text)
        except OSError:
            return
    if key is not None:
        try:
            atomic_write(prerender_state_path(base.site, base.classifier), key + "\n")
        except OSError:
            pass
