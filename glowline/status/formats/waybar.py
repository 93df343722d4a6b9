"""--format waybar: one-line JSON for a custom module with "return-type": "json".

{"text", "tooltip", "class", "percentage", "alt"}: text and tooltip are Pango-escaped; the tooltip has every day,
the total, the typical day, the age and any error; class is the total's level, or a list adding "stale", "partial"
(last day incomplete) and "error"; percentage is 50 x total / typical-for-these-days, capped to 0..100 (so 50 is a
typical window, 100 twice typical or more; 50 when no typical day is known, 0 without data); alt is the resource
name (e.g. "electricity"), for per-resource "format-icons". Hide form: an empty line; Waybar hides the module on
empty output.
The tooltip says what the meter's register added after the DCC's half-hours: "today from the meter since 07:30".
"""

from glowline.status import formats, model
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
    heading = formats.title(line) + (f" · {line.site}" if line.site else "")
    return "\n".join([heading, *formats.live_detail(line), *formats.day_lines(line, opts),
                      *formats.meter_lines(line, opts), *formats.summary_lines(line, opts)])


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return "\n"
    document = {
        "text": formats.pango_escape(formats.text(line, opts, opts.short)),
        "tooltip": formats.pango_escape(tooltip(line, opts)),
        "class": classes(line),
        "percentage": percentage(line),
        "alt": line.name,
    }
    return formats.json_dumps(document) + "\n"
