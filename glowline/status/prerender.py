"""Pre-rendered lines: with config ``[files] formats = ["prompt", "tmux"]`` the rendered line of each listed format is
kept in a file under the cache, one per format and resource, so a prompt reads it with the shell's own builtin and
starts no process (zsh ``$(<file)``, bash ``read -r``, fish ``read``).

A file holds exactly what ``glowline --format FORMAT --resource RESOURCE --cached-only`` prints at that moment, as
into a pipe (``color = "auto"`` draws no colour; ``color = "always"`` in the config does). It is rewritten atomically
after every refresh (glowline.commands.fetch) and by any status line that runs anyway with the config's own data
options and sees the line's state change: new data, fresh -> stale, the age shown while stale, a failure, live power
(``check``). The state seen last is kept next to the files (``<entry>.state``), so an unchanged state costs one small
read. Status-line path: os and time only.
"""

from glowline import paths
from glowline.files import read_text
from glowline.status.argv import Options
from glowline.status.model import Line

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy treats this name as true
if TYPE_CHECKING:
    from collections.abc import Callable

    #: glowline.status.line.draw_cached: the Line and the text `--cached-only` prints for these options
    Draw = Callable[[Options], tuple[Line, str]]

#: options that change which data a line holds: a status line given one of them with another value than the config's
#: draws a line that is not the pre-rendered one, so it leaves the files alone
DATA_OPTIONS = ("days", "site", "tz", "max_age", "gas_unit", "live_show", "live_stale")
LINE_SUFFIX = ".line"
STATE_SUFFIX = ".state"


def formats(opts: Options) -> list[str]:
    """The formats the config asks to keep pre-rendered ([files] formats)."""
    listed = opts.files.get("formats")
    return [str(f) for f in listed] if isinstance(listed, list) else []


def line_path(site: str, classifier: str, fmt: str) -> str:
    """The pre-rendered line of one format and resource: ``<cache>/<site>--<classifier>--<format>.line``."""
    return f"{paths.entry_base(site, classifier)}--{paths.safe_name(fmt)}{LINE_SUFFIX}"


def state_path(site: str, classifier: str) -> str:
    return paths.entry_base(site, classifier) + STATE_SUFFIX


def state_key(line: Line) -> str:
    """What the pre-rendered lines depend on besides the config: the data (its fetch time and today's date), the
    age as shown, the failure, the levels, live power, the total as shown (the meter's register moves it between
    fetches: glowline.status.tail)."""
    from glowline.status.formats import age_text, live_text, total_text
    from glowline.status.model import RenderOptions

    age = line.age
    shown_age = age_text(age) if age is not None and (line.stale or line.error) else ""
    today = line.days[-1].date if line.days else ""
    live = line.live
    live_state = f"{live_text(line, RenderOptions())}|{live.level}|{live.stale}" if live is not None else "-"
    return "\t".join((repr(line.fetched_at), today, str(len(line.days)), str(line.stale), shown_age,
                      str(line.error_kind), str(line.error), line.level, live_state,
                      total_text(line, RenderOptions())))


def check(line: Line, opts: Options, draw: "Draw") -> None:
    """A status line's part: rewrite the files when the state of the line the files show has changed. Only a line
    drawn with the config's own data options knows that state; any other leaves the files alone."""
    if not formats(opts) or opts.given is None:
        return
    from glowline.status import settings

    conf: dict[str, object] | None = None
    if any(name in opts.given for name in DATA_OPTIONS):  # given, yet perhaps the config's own (--max-age 30)
        conf = settings.load_fast()
        own = Options({**conf, "resource": opts.resource}) if conf is not None else None
        if own is None or any(getattr(own, name) != getattr(opts, name) for name in DATA_OPTIONS):
            return
    key = state_key(line)
    if read_text(state_path(opts.site, opts.classifier), 4096) == key + "\n":
        return
    conf = settings.load_fast() if conf is None else conf
    if conf is not None:
        write_all(conf, opts.resource, draw, key)


def update(conf: dict[str, object], draw: "Draw") -> None:
    """A process that runs anyway without drawing the line (the live daemon on each message): rewrite the files when
    the state of the line they show has changed."""
    base = Options({**conf, "cached_only": True})
    listed = formats(base)
    if not listed:
        return
    drawn, _text = draw(Options({**conf, "format": listed[0], "cached_only": True}))
    key = state_key(drawn)
    if read_text(state_path(base.site, base.classifier), 4096) != key + "\n":
        write_all(conf, base.resource, draw, key)


def write_all(conf: dict[str, object], resource: str, draw: "Draw", key: str | None = None) -> None:
    """Render every listed format for ``resource`` from the cache and replace its file; then record the state.
    Never raises for a file it cannot write (a read-only or full cache only costs the prompt its fresh line)."""
    from glowline.files import atomic_write

    base = Options({**conf, "resource": resource, "cached_only": True})
    for fmt in formats(base):
        opts = Options({**conf, "resource": resource, "format": fmt, "cached_only": True})
        drawn, text = draw(opts)
        if key is None:
            key = state_key(drawn)
        try:
            atomic_write(line_path(opts.site, opts.classifier, fmt), text)
        except OSError:
            return
    if key is not None:
        try:
            atomic_write(state_path(base.site, base.classifier), key + "\n")
        except OSError:
            pass
