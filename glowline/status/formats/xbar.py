"""--format xbar: an xbar/SwiftBar plugin's output: the menu-bar line with "| color=#rrggbb font=Menlo ansi=false",
then "---" and a dropdown: one line per day, the total, typical day, "Updated 3h ago", any error, and Refresh.

Menlo because the menu bar font is proportional; ansi=false because xbar would otherwise parse ANSI. A "|" in any
text would start the parameters, so it is replaced by "¦". Hide form: no output at all.
The dropdown says what the meter's register added after the DCC's half-hours: "today from the meter since 07:30".
"""

from glowline.status.formats import shared
from glowline.status.model import Line, RenderOptions

PARAMS = "font=Menlo ansi=false"


def _item(text: str) -> str:
    return text.replace("|", "¦").replace("\n", " ")


def render(line: Line, opts: RenderOptions) -> str:
    if shared.hidden(line, opts):
        return ""
    head = f"{_item(shared.text(line, opts, opts.short))} | color={shared.line_color(line, opts)} {PARAMS}"
    heading = shared.title(line) + (f" · {line.site}" if line.site else "")
    lines = [head, "---", f"{_item(heading)} | {PARAMS}"]
    lines += [f"{_item(item)} | {PARAMS}" for item in [*shared.live_detail(line), *shared.day_lines(line, opts)]]
    lines += [f"{_item(item)} | {PARAMS}" for item in shared.meter_lines(line, opts)]
    lines.append("---")
    lines += [f"{_item(item)} | {PARAMS}" for item in shared.summary_lines(line, opts)]
    lines.append("Refresh | refresh=true")
    return "\n".join(lines) + "\n"
