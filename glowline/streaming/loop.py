"""The watch loop: one persistent process streaming the status line to i3bar, i3blocks, Waybar or Polybar.

Each update is statusline.line_for() (the cache, at most one detached refresh under the shared lock) drawn in the
host's streaming form and flushed: i3bar's header and endless array of block arrays, one line per update for
i3blocks `interval=persist`, Waybar's continuous mode and Polybar's `tail = true`. Updates come every interval,
as soon as the cache files change (a finished refresh shows at once), on SIGUSR1 and on clicks read from stdin
(glowline.streaming.clicks): left click refreshes now, right click shows the next resource. Network and API errors
never end the process; SIGTERM, SIGINT and a closed stdout raise Stop.
"""

from __future__ import annotations

import os
import threading
import time

from glowline import paths
from glowline.catalog import RESOURCES
from glowline.status import argv as options
from glowline.status.line import silence_stdout
from glowline.streaming.clicks import LEFT, RIGHT, ClickReader, button_of, next_resource

TYPE_CHECKING = False  # typing costs an import; mypy treats this name as true
if TYPE_CHECKING:
    from glowline.data.live import LiveSettings, Subscriber
    from glowline.status.model import Line


#: Seconds between updates when --interval is not given.
DEFAULT_INTERVAL = 60.0
#: Where the platform cannot say when the cache folder changes (no Linux dnotify), how often its files are checked.
POLL_SECONDS = 1.0
#: dnotify events that can change what the line draws: a file created, written, renamed over or deleted
_DN_EVENTS = ("DN_CREATE", "DN_MODIFY", "DN_RENAME", "DN_DELETE")
#: The first line of the i3bar protocol: version 1, and please send click events on stdin.
I3BAR_HEADER = '{"version":1,"click_events":true}'


class Stop(Exception):
    """Raised by the SIGTERM/SIGINT handler, and on a closed stdout: leave quietly with exit 0."""


class Watcher:
    """The state of one watch process: the options (resource can change), what was drawn from, and the timers."""

    def __init__(self, values: dict[str, object], interval: float, live: LiveSettings | None = None,
                 conf: dict[str, object] | None = None) -> None:
        import selectors

        self.values = values
        self.interval = interval
        self.format = str(values["format"])
        self.updates = 0
        self.refresh_requested = False
        self.redraw_requested = False
        self.selector = selectors.DefaultSelector()
        self.wake_read, self.wake_write = os.pipe()
        self.stdin_open = False
        self.stale_at: float | None = None  # epoch when the drawn data turns stale: redrawn then, not at the next tick
        self.clicks = ClickReader()
        self.seen: tuple[object, ...] | None = None
        self.last_body = ""
        self.cache_fd = -1  # the cache folder, opened for dnotify; -1 where the platform cannot notify
        self.live = live  # the broker to subscribe to, when [live] mqtt is configured
        self.conf = conf or {}
        self.subscriber: Subscriber | None = None
        self.live_stop: threading.Event | None = None  # ends the REST /current poller
        self.live_pending = False  # a live message came that is not drawn yet
        self.live_drawn = 0.0  # monotonic time of the last live redraw (at most one a second)
        self.live_stale_at: float | None = None  # epoch when the drawn live value turns stale (redraw it marked)

    # -- set-up and tear-down

    def _install(self) -> None:
        import selectors
        import signal

        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)
        signal.set_wakeup_fd(self.wake_write, warn_on_full_buffer=False)
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        if hasattr(signal, "SIGUSR1"):
            signal.signal(signal.SIGUSR1, self._on_usr1)
        if hasattr(signal, "SIGCHLD"):  # a refresher we started ended: wake up, reap it, look at the cache
            signal.signal(signal.SIGCHLD, _wake)
        self.cache_fd = _notify_on_change(paths.cache_dir())
        self.selector.register(self.wake_read, selectors.EVENT_READ)
        self._start_live()
        from glowline.status.formats.i3blocks import stdin_is_ours

        try:
            if not stdin_is_ours():  # i3blocks 1.4: stdin is i3blocks' own, every block's clicks: never read it
                raise ValueError("not ours")
            os.fstat(0)
            self.selector.register(0, selectors.EVENT_READ)
            self.stdin_open = True
        except (OSError, ValueError):  # no stdin, or a regular file / /dev/null that epoll refuses
            self.stdin_open = False

    def _on_usr1(self, signum: int, frame: object) -> None:
        self.refresh_requested = True

    def close(self) -> None:
        import signal

        if self.subscriber is not None:
            self.subscriber.stop()
        if self.live_stop is not None:
            self.live_stop.set()
        try:
            signal.set_wakeup_fd(-1)
        except ValueError:
            pass
        self.selector.close()
        for fd in (self.wake_read, self.wake_write, self.cache_fd):
            if fd < 0:
                continue
            try:
                os.close(fd)
            except OSError:
                pass

    # -- options

    def opts(self, **overrides: object) -> options.Options:
        return options.Options({**self.values, **overrides})

    # -- main loop

    def loop(self) -> None:
        self._install()
        if self.format == "i3bar":
            self._write(I3BAR_HEADER + "\n[\n")
        self.update()
        next_tick = time.monotonic() + self.interval
        while True:
            # sleep until something is due: the next interval, a click, a signal, or (dnotify) a cache change
            wait = next_tick - time.monotonic()
            if self.cache_fd < 0:
                wait = min(wait, POLL_SECONDS)
            wait = min(wait, self._live_wait())
            if self.stale_at is not None:
                wait = min(wait, max(0.0, self.stale_at - time.time()))
            for key, _mask in self.selector.select(max(0.0, wait)):
                if key.fd == self.wake_read:
                    _drain(self.wake_read)
                else:
                    self._read_stdin()
            _reap_children()
            if self.refresh_requested:
                self.refresh_requested = self.redraw_requested = False
                self.update(force_refresh=True)
            elif self.redraw_requested:
                self.redraw_requested = False
                self.update()
            elif time.monotonic() >= next_tick:
                self.update()  # statusline backs off by itself after a failed refresh
            elif self.stale_at is not None and time.time() >= self.stale_at:
                self.update()  # fresh -> stale, drawn at once (and a refresh started if one is due)
            elif self._live_due():
                self._live_redraw()
                continue  # the half-hourly part keeps its own schedule
            elif self._signature() != self.seen:
                self.update(quiet=True, only_if_changed=True)
            else:
                continue
            next_tick = time.monotonic() + self.interval

    # -- live power: a subscriber (MQTT) or a poller (REST /current) keeps the live file current and wakes the loop

    def _start_live(self) -> None:
        if self.live is not None:
            from glowline.data import live

            try:
                password = live.broker_password(self.live)
            except Exception:  # a locked keyring: subscribe without, the broker says no and the part stays stale
                password = None
            self.subscriber = live.Subscriber(self.live, password, self._on_live, self._on_live_status)
            self.subscriber.start(5.0, keep_trying=True)
        elif self.opts().live_show:
            self.live_stop = threading.Event()
            threading.Thread(target=self._poll_rest, name="glowline-live-rest", daemon=True).start()

    def _on_live(self, message: object) -> None:
        """paho's thread: an electricity message with power goes to the live file; the loop redraws within 1 s."""
        from glowline.data import live

        if isinstance(message, live.Electricity) and message.power_w is not None:
            try:
                live.write_live_file(message)
            except OSError:
                return
            self.live_pending = True
            self._wake_loop()

    def _on_live_status(self, state: str) -> None:
        self._wake_loop()

    def _poll_rest(self) -> None:
        """No broker: the API's /current, never faster than every 10 s (back-off after a failure, up to 5 min)."""
        from glowline.data import live

        source = live.RestCurrent(self.conf, str(self.values.get("site") or ""))
        wait = live.REST_POLL_SECONDS
        assert self.live_stop is not None
        while not self.live_stop.is_set():
            try:
                self._on_live(source.read())
                wait = live.REST_POLL_SECONDS
            except Exception:
                wait = min(300.0, wait * 2)
            self.live_stop.wait(wait)

    def _wake_loop(self) -> None:
        try:
            os.write(self.wake_write, b"l")
        except OSError:
            pass

    def _live_wait(self) -> float:
        """Seconds until a live redraw may be due: a pending message (at most one redraw a second), or the drawn
        value turning stale."""
        waits = [3600.0]
        if self.live_pending:
            waits.append(self.live_drawn + 1.0 - time.monotonic())
        if self.live_stale_at is not None:
            waits.append(self.live_stale_at - time.time())
        return max(0.0, min(waits))

    def _live_due(self) -> bool:
        if self.live_pending and time.monotonic() - self.live_drawn >= 1.0:
            return True
        return self.live_stale_at is not None and time.time() >= self.live_stale_at

    def _live_redraw(self) -> None:
        self.live_pending = False
        self.live_stale_at = None
        self.live_drawn = time.monotonic()
        self.update(quiet=True, only_if_changed=True)

    def _read_stdin(self) -> None:
        try:
            data = os.read(0, 65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the host closed our stdin: no more clicks, carry on
            self.selector.unregister(0)
            self.stdin_open = False
            return
        for event in self.clicks.feed(data):
            self._click(event)

    def _click(self, event: dict[str, object]) -> None:
        """Left click: refresh now. Right click: the next resource, drawn at once. Other buttons: nothing."""
        if self.format == "i3bar" and event.get("name") not in (None, "glowline"):
            return
        button = button_of(event)
        if button == LEFT:
            self.refresh_requested = True
        elif button == RIGHT:
            shown = event.get("instance") if self.format == "i3bar" else None
            current = shown if isinstance(shown, str) and shown in RESOURCES else self.values.get("resource")
            self.values["resource"] = next_resource(str(current or options.DEFAULTS["resource"]))
            self.redraw_requested = True  # draw the new resource on this turn of the loop

    # -- one update

    def _paths(self) -> tuple[str, str]:
        from glowline import paths

        opts = self.opts()
        return (paths.days_path(opts.site, opts.classifier, opts.tz),
                paths.error_path(opts.site, opts.classifier, opts.tz))

    def _signature(self) -> tuple[object, ...]:
        """What the drawn line depends on in the cache folder: the resource, and its .days and .error files."""
        out: list[object] = [self.values.get("resource")]
        for path in self._paths():
            try:
                st = os.stat(path)
                out.append((path, st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                out.append((path, None))
        return tuple(out)

    def update(self, force_refresh: bool = False, quiet: bool = False, only_if_changed: bool = False) -> None:
        """Draw the line once: ``quiet`` never starts a refresh, ``force_refresh`` starts one whatever the age;
        ``only_if_changed`` writes nothing when the line is the one last written (a cache file was merely touched)."""
        self.seen = self._signature()
        opts = self.opts(cached_only=True) if quiet else self.opts()
        line = self._line(opts, force_refresh)
        # the data turns stale at fetched_at + --max-age: redraw then (failed -> stale and back come from the cache
        # folder's .error and .days files, which wake the loop)
        fresh = line.fetched_at is not None and not line.stale
        self.stale_at = line.fetched_at + opts.max_age * 60 + 0.5 if fresh and line.fetched_at is not None else None
        text = self._render(line, opts)
        body = text.lstrip(",")
        if only_if_changed and body == self.last_body:  # a cache file changed but the line did not: nothing to redraw
            return
        self._write(text)
        self.last_body = body
        self.updates += 1
        if line.live is not None and not line.live.stale:  # redraw it marked stale when it ages past max_age
            self.live_stale_at = line.live.at + opts.live_max_age + 0.5

    def _line(self, opts: options.Options, force_refresh: bool) -> Line:
        from glowline.data.days import rebuild
        from glowline.status import line as statusline

        try:
            return statusline.line_for(opts, time.monotonic() + opts.timeout, force_refresh=force_refresh,
                                       rebuild=rebuild)[0]
        except Stop:
            raise
        except Exception as exc:  # a watch never dies of an error: it draws the degraded line
            return _error_line(opts, exc)

    def _render(self, line: Line, opts: options.Options) -> str:
        from glowline.status import line as statusline
        from glowline.status.formats import get as get_format

        ropts = statusline.render_options(opts)
        ropts.color = False  # machine formats never carry ANSI
        if self.format == "i3bar":
            from glowline.status.formats import i3bar, json_dumps

            array = json_dumps([i3bar.block(line, ropts)])
            return ("," if self.updates else "") + array + "\n"
        # one line per update: Waybar's JSON object, Polybar's tagged line, i3blocks' JSON object or (raw) full_text
        text: str = get_format(self.format).render(line, ropts)
        return text.split("\n", 1)[0] + "\n"

    def _write(self, text: str) -> None:
        """Write and flush one update; a closed stdout (the host went away) ends the watch quietly."""
        data = text.encode("utf-8", "replace")
        try:
            while data:
                written = os.write(1, data)
                data = data[written:]
        except (BrokenPipeError, ConnectionResetError):
            silence_stdout()
            raise Stop from None
        except OSError:
            silence_stdout()
            raise Stop from None


def _stop(signum: int, frame: object) -> None:
    raise Stop


def _wake(signum: int, frame: object) -> None:
    """A signal whose only job is to wake the loop (through the wakeup fd)."""


def _notify_on_change(folder: str) -> int:
    """Ask Linux (dnotify) for SIGIO whenever a file in ``folder`` is created, written, renamed or deleted, so the
    loop sleeps until then instead of polling; the folder's fd, or -1 where the platform cannot do it."""
    import fcntl
    import signal

    if not hasattr(fcntl, "F_NOTIFY") or not hasattr(signal, "SIGIO"):
        return -1
    events = fcntl.DN_MULTISHOT
    for name in _DN_EVENTS:
        events |= getattr(fcntl, name)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return -1
    try:
        signal.signal(signal.SIGIO, _wake)  # before arming: SIGIO's default action ends the process
        fcntl.fcntl(fd, fcntl.F_NOTIFY, events)
    except OSError:
        os.close(fd)
        return -1
    return fd


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except (BlockingIOError, InterruptedError, OSError):
        pass


def _reap_children() -> None:
    """Collect finished background refreshers (our children: posix_spawn), so none lingers as a zombie."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except (ChildProcessError, OSError):
            return
        if pid == 0:
            return


def _error_line(opts: options.Options, exc: BaseException) -> Line:
    """A Line without days carrying ``exc`` as its reason (the format draws the degraded or hidden form)."""
    from glowline.errors import describe
    from glowline.status.line import error_line

    message, _code, kind = describe(exc)
    return error_line(opts, message, kind)
