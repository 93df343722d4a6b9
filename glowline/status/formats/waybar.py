"""--format waybar: one-line JSON for a custom module with "return-type": "json".

{"text", "tooltip", "class", "percentage", "alt"}: text and tooltip are Pango-escaped; the tooltip has every day,
the total, the typical day, the age and any error; class is the total's level, or a list adding "stale", "partial"
(last day incomplete) and "error"; percentage is 50 x total / typical-for-these-days, capped to 0..100 (so 50 is a
typical window, 100 twice typical or more; 50 when no typical day is known, 0 without data); alt is the resource
name (e.g. "electricity"), for per-resource "format-icons". Hide form: an empty line; Waybar hides the module on
empty output.
The tooltip says what the meter's register added after the DCC's half-hours: "today from the meter since 07:30".
"""

from glowline.status import model
from glowline.status.formats import shared
from glowline.status.model import NONE, Line, RenderOptions


def percentage(line: Line) -> int:
    if not line.has_data:
        return 0
    ratio = model.total_ratio(line)
    if ratio is None:
        return 50
    return max(0, min(100, int(ratio * 50 + 0.5))) if ratio != float("inf") else 100


def classes(line: Line) -> str | list[str]:
    found = [line.level if line.has_data else NONE]
    if line.has_data and line.stale:
        found.append("stale")
    if line.has_data and not line.days[-1].complete:
        found.append("partial")
    if line.error:
        found.append("error")
    return found[0] if len(found) == 1 else found


def tooltip(line: Line, opts: RenderOptions) -> str:
    heading = shared.title(line) + (f" · {line.site}" if line.site else "")
    return "\n".join([heading, *shared.live_detail(line), *shared.day_lines(line, opts),
                      *shared.meter_lines(line, opts), *shared.summary_lines(line, opts)])


def render(line: Line, opts: RenderOptions) -> str:
    if shared.hidden(line, opts):
        return "\n"
    document = {
        "text": shared.pango_escape(shared.text(line, opts, opts.short)),
        "tooltip": shared.pango_escape(tooltip(line, opts)),
        "class": classes(line),
        "percentage": percentage(line),
        "alt": line.name,
    }
    return shared.json_dumps(document) + "\n"
