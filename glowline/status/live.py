"""The live file: the latest live power as small plain text, read by the status line with os only (no json, no MQTT).

A subscriber (``glowline live --daemon``, or a ``watch`` with live configured) writes it atomically on every message
(glowline.data.live, through glowline.files.atomic_write); ``glowline --live`` only reads it, so the status line
stays on the fast path and never connects to anything. Format, one ``key<TAB>value`` per line::

    glowline-live 1
    power_w	425.0
    at	1667812808
    source	mqtt
    device	BCDDC2C6A91C
    written	1667812808.4
    end

Anything that is not exactly this (truncated, foreign, an older version, a non-finite number) reads as None.
"""

from glowline import paths
from glowline.files import NotAFile, read_bytes
from glowline.gate import FUTURE_SLACK
from glowline.status.model import HIGH, LOW, NORMAL, Line, Live

MAGIC = "glowline-live 1"
MAX_BYTES = 4096
#: seconds a live value counts as current when [live] max_age is not set
DEFAULT_MAX_AGE = 60.0
#: live power against the typical day's mean power: below LOW_RATIO x is low, above HIGH_RATIO x is high
LOW_RATIO, HIGH_RATIO = 0.8, 1.25
SOURCES = ("mqtt", "rest")


def encode(power_w: float, at: float, source: str, device: str, written: float) -> str:
    """The live file's text for one reading (the writer in glowline.data.live calls this)."""
    clean = "".join(c for c in device if c.isalnum())[:32]
    return (f"{MAGIC}\npower_w\t{float(power_w)!r}\nat\t{float(at)!r}\nsource\t{source}\ndevice\t{clean}\n"
            f"written\t{float(written)!r}\nend\n")


def read(path: str | None = None) -> Live | None:
    """The reading in the live file (age and stale not yet set), or None when there is none or it is not valid
    (read through glowline.files: a FIFO, a directory or a symlink there reads as none, at once)."""
    try:
        data = read_bytes(path or paths.live_path(), MAX_BYTES)
    except OSError:
        return None
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        return None
    if lines[0] != MAGIC or lines[-2:] != ["end", ""]:
        return None
    fields: dict[str, str] = {}
    for item in lines[1:-2]:
        key, tab, value = item.partition("\t")
        if not tab:
            return None
        fields[key] = value
    try:
        power, at = float(fields["power_w"]), float(fields["at"])
    except (KeyError, ValueError):
        return None
    if power - power != 0.0 or at - at != 0.0 or fields.get("source") not in SOURCES:
        return None
    return Live(power, at, fields["source"], fields.get("device", ""))


def current(now: float, max_age: float = DEFAULT_MAX_AGE, show_stale: bool = False,
            path: str | None = None) -> Live | None:
    """The live reading to draw at ``now``: None when there is none, or when it is older than ``max_age`` seconds
    and ``show_stale`` is off (a stale value is never drawn as current: with ``show_stale`` it is marked stale)."""
    live = read(path)
    if live is None:
        return None
    live.age = max(0.0, now - live.at)
    live.stale = live.age > max_age or live.at > now + FUTURE_SLACK  # from the future: a clock set back, never "now"
    if live.stale and not show_stale:
        return None
    return live


def unusable(path: str | None = None) -> str | None:
    """Why the live file cannot be there (something that is not a regular file is in its place), else None."""
    where = path or paths.live_path()
    try:
        read_bytes(where, 1)
    except NotAFile:
        return f"{where} is not a regular file (remove it: the subscriber cannot write the live file there)"
    except OSError:
        return None
    return None


def judge(live: Live, line: Line) -> None:
    """Set ``live.level`` against the household's typical day as a mean power (kWh per day / 24 h), for electricity
    in kWh only; otherwise (or with no typical day yet, or while exporting) it stays normal."""
    live.level = NORMAL
    if line.resource != "electricity.consumption" or line.unit != "kWh" or not line.typical or live.power_w <= 0:
        return
    mean_w = line.typical * 1000.0 / 24.0
    if live.power_w < LOW_RATIO * mean_w:
        live.level = LOW
    elif live.power_w > HIGH_RATIO * mean_w:
        live.level = HIGH


def power_text(power_w: float) -> str:
    """The power as drawn: whole watts below 10 kW ("425 W", "9876 W", "-1200 W"), then kW with one decimal
    ("10.3 kW"); the same in ASCII."""
    if abs(power_w) < 9999.5:
        watts = round(power_w)
        return f"{watts} W" if watts else "0 W"
    return f"{power_w / 1000.0:.1f} kW"
