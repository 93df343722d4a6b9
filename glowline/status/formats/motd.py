"""--format motd: for /etc/update-motd.d: a blank line, then one plain line (never ANSI, --short ignored).

"Electricity, last 10 days: ▂▃▅▂▇█▆▃▂▄… 103.1 kWh (data from 06:00)"; the time is the machine's local time of the
last fetch, with the date when that was not today. The hide form (--on-error hide, no data) prints nothing.
With --rows 2..4 the title line carries the total and the bars follow, that many rows high, indented by two spaces
(drawn by glowline.tall, which imports the sparklines package: only then, never for one row).
"""

import time

from glowline.status import formats
from glowline.status.model import Line, RenderOptions


def data_from(line: Line) -> str:
    """ "data from 06:00" (same local day as now) or "data from 2026-11-19 06:00"; "" when never fetched."""
    if line.fetched_at is None:
        return ""
    fetched = time.localtime(line.fetched_at)
    same_day = time.strftime("%Y-%m-%d", fetched) == time.strftime("%Y-%m-%d", time.localtime(line.now))
    return "data from " + time.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M", fetched)


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return ""
    live = formats.live_text(line, opts)
    now = f" now {live}" if live else ""  # --live: "Electricity now 425 W, last 10 days: ..."
    if not line.has_data:  # the reason too: update-motd throws stderr away, and "disk error" alone helps nobody
        detail = f" ({line.error})" if line.error and line.error_kind not in ("nodata", None) else ""
        return f"\n{formats.title(line)}{now}: {formats.reason(line)}{detail}\n"
    if opts.rows > 1:
        return _tall(line, opts, now)
    bars = formats.spark(line, opts) + formats.partial_mark(line, opts)
    text = f"{formats.title(line)}{now}, last {len(line.days)} days: {bars} {formats.total_text(line, opts)}"
    when = data_from(line)
    if when:
        text += f" ({when})"
    return f"\n{text}\n"


def _tall(line: Line, opts: RenderOptions, now: str) -> str:
    """The title line with the total, then ``opts.rows`` rows of bars, one column per day."""
    from glowline import tall

    text = f"{formats.title(line)}{now}, last {len(line.days)} days: {formats.total_text(line, opts)}"
    when = data_from(line)
    if when:
        text += f" ({when})"
    top = opts.scale_max  # --scale-max: a day above the fixed top draws a full column
    values = [d.value if top is None or d.value is None else min(d.value, top) for d in line.days]
    bars = tall.rows(values, opts.rows, opts.ascii, top)
    bars[-1] += formats.partial_mark(line, opts)
    return "\n" + text + "\n" + "".join(f"  {row.rstrip()}\n" for row in bars)
