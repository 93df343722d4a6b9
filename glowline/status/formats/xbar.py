"""--format xbar: an xbar/SwiftBar plugin's output: the menu-bar line with "| color=#rrggbb font=Menlo ansi=false",
then "---" and a dropdown: one line per day, the total, typical day, "Updated 3h ago", any error, and Refresh.

Menlo because the menu bar font is proportional; ansi=false because xbar would otherwise parse ANSI. A "|" in any
text would start the parameters, so it is replaced by "¦". Hide form: no output at all.
The dropdown says what the meter's register added after the DCC's half-hours: "today from the meter since 07:30".
"""

from glowline.status import formats
from glowline.status.model import Line, RenderOptions

PARAMS = "font=Menlo ansi=false"


def _item(text: str) -> str:
    return text.replace("|", "¦").replace("\n", " ")


def render(line: Line, opts: RenderOptions) -> str:
    if formats.hidden(line, opts):
        return ""
    head = f"{_item(formats.text(line, opts, opts.short))} | color={formats.line_color(line, opts)} {PARAMS}"
    heading = formats.title(line) + (f" · {line.site}" if line.site else "")
    lines = [head, "---", f"{_item(heading)} | {PARAMS}"]
    lines += [f"{_item(item)} | {PARAMS}" for item in [*formats.live_detail(line), *formats.day_lines(line, opts)]]
    lines += [f"{_item(item)} | {PARAMS}" for item in formats.meter_lines(line, opts)]
    lines.append("---")
    lines += [f"{_item(item)} | {PARAMS}" for item in formats.summary_lines(line, opts)]
    lines.append("Refresh | refresh=true")
    return "\n".join(lines) + "\n"
