"""Templates: the user's own shape of the line (``--template '{icon} {today} today, {spark}'``, config ``template``
and ``[templates] <format> = ...``), compiled once into tokens and drawn with no str.format and no import.

A template is literal text and named fields in braces; ``{{`` and ``}}`` are literal braces. Fields are drawn as the
line draws them ("8.2 kWh", "£1.27", "3h"); a field with no value (no typical day yet, fresh data's age, no live
power) is empty and one space around it goes with it, so "{live} {spark}" never starts with a space. Colour formats
colour each field as the line colours that part (bars by day, totals by level, the age as stale, live by its level);
literal text takes the line's colour. Compiled form: a tuple of tokens, "L<text>" for literal text and "F<name>" for
a field (glowline.config writes it into the compiled config, so the fast path never parses the TOML's string).
``{icon}`` draws from the icon sets below (``[icons]``).
"""

from glowline.status import formats
from glowline.status.model import NORMAL, Line, RenderOptions, Shape

#: every field a template may name, with what it draws (docs/line.md lists these)
FIELDS: dict[str, str] = {
    "spark": "the bars (with the partial-day mark where the line has one)",
    "total": "the total of the days drawn, with its unit",
    "unit": "the unit: kWh, GBP or m3",
    "today": "today's value so far",
    "yesterday": "yesterday's value",
    "typical": "the household's typical day",
    "age": "the data's age while it is stale or a refresh failed (empty while fresh)",
    "live": "the live power (with --live or [live] show)",
    "cost_today": "today's cost so far (from the cost resource's cache; empty when none is cached)",
    "icon": "the resource's icon for its level ([icons] set; never with --ascii)",
    "resource": "the resource's name, e.g. electricity",
    "site": "the site's name",
    "level": "the total's level: low, normal or high (stale, error when so)",
}
LITERAL, FIELD = "L", "F"


class TemplateError(ValueError):
    """A template that cannot be drawn: the message names the field or the brace at fault."""


def parse(text: str) -> tuple[str, ...]:
    """The compiled tokens of ``text``; raises TemplateError naming an unknown field (with the nearest one) or an
    unbalanced brace."""
    tokens: list[str] = []
    literal = ""
    i = 0
    count = len(text)
    while i < count:
        char = text[i]
        if char == "{" and text[i + 1 : i + 2] == "{":
            literal += "{"
            i += 2
        elif char == "}" and text[i + 1 : i + 2] == "}":
            literal += "}"
            i += 2
        elif char == "{":
            end = text.find("}", i + 1)
            if end < 0:
                raise TemplateError(f"template {text!r}: a '{{' without its '}}' (write '{{{{' for a literal brace)")
            name = text[i + 1 : end].strip()
            if name not in FIELDS:
                raise TemplateError(unknown_field(name))
            if literal:
                tokens.append(LITERAL + literal)
                literal = ""
            tokens.append(FIELD + name)
            i = end + 1
        elif char == "}":
            raise TemplateError(f"template {text!r}: a '}}' without its '{{' (write '}}}}' for a literal brace)")
        else:
            literal += char
            i += 1
    if literal:
        tokens.append(LITERAL + literal)
    return tuple(tokens)


def problem(text: str) -> str | None:
    """Why ``text`` is not a usable template, or None."""
    try:
        parse(text)
    except TemplateError as exc:
        return str(exc)
    return None


def unknown_field(name: str) -> str:
    """ "unknown field {todya} in the template: did you mean {today}?" (or the fields there are)."""
    best, best_cost = "", 3  # at most two edits away counts as a typo
    for known in FIELDS:
        cost = _distance(name.lower(), known)
        if cost < best_cost:
            best, best_cost = known, cost
    hint = f"did you mean {{{best}}}?" if best else f"fields are {', '.join('{' + f + '}' for f in FIELDS)}"
    return f"unknown field {{{name}}} in the template: {hint}"


def _distance(a: str, b: str) -> int:
    """Edit distance (insert, delete, replace, swap two neighbours): small words, no import."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]


def tokens_of(value: object) -> tuple[str, ...] | None:
    """A setting as compiled tokens: a list from the compiled config, a string from the command line, else None."""
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    if isinstance(value, str):
        return parse(value)
    return None


# ---------------------------------------------------------------------------------------------------- drawing


def _fields(tokens: tuple[str, ...], line: Line, opts: RenderOptions, short: bool,
            colour: bool) -> dict[str, tuple[str, str]]:
    """Only the fields the template names: (#rrggbb, text) each."""
    palette = formats.colors(opts)
    normal = palette[NORMAL]
    line_colour = formats.line_color(line, opts)
    wanted = {token[1:] for token in tokens if token[:1] == FIELD}
    out: dict[str, tuple[str, str]] = {}
    days = line.days
    for name in wanted:
        text = ""
        tint = line_colour
        if name == "spark":
            text = formats.spark(line, opts, short) + ("" if colour else formats.partial_mark(line, opts))
        elif name == "total":
            text, tint = formats.total_text(line, opts, short), palette.get(line.level, normal)
        elif name == "unit":
            text = _unit(line.unit, opts.ascii)
        elif name == "today" and days and days[-1].value is not None:
            text, tint = formats.value_text(days[-1].value, line.unit, opts.ascii, short), palette.get(
                days[-1].level, normal)
        elif name == "yesterday" and len(days) > 1 and days[-2].value is not None:
            text, tint = formats.value_text(days[-2].value, line.unit, opts.ascii, short), palette.get(
                days[-2].level, normal)
        elif name == "typical" and line.typical is not None:
            text = formats.value_text(line.typical, line.unit, opts.ascii, short)
        elif name == "age" and line.age is not None and (line.stale or line.error):
            text, tint = formats.age_text(line.age), palette["stale"]
        elif name == "live":
            text, tint = formats.live_text(line, opts), formats.live_color(line, opts)
        elif name == "cost_today":
            text = cost_today(line, opts)
        elif name == "icon":
            text = icon(line, opts)
        elif name == "resource":
            text = line.name
        elif name == "site":
            text = line.site
        elif name == "level":
            text = state_of(line)
        out[name] = (tint, text)
    return out


def _unit(unit: str, ascii: bool) -> str:
    if unit == "m3":
        return "m3" if ascii else "m³"
    return unit


def cost_today(line: Line, opts: RenderOptions) -> str:
    """Today's cost so far: the line's own today for a cost resource, else the matching cost resource's days file
    (one more small read, only for templates naming {cost_today}); "" when that is not cached."""
    from glowline import catalog

    if catalog.is_cost(line.resource):
        value = line.days[-1].value if line.days else None
        return formats.value_text(value, "GBP", opts.ascii) if value is not None else ""
    if not catalog.is_consumption(line.resource):
        return ""
    from glowline import paths
    from glowline.status import days as days_file

    classifier = catalog.cost_of(line.resource)
    summ = days_file.read(paths.days_path(opts.site, classifier, line.tz))
    if summ is None:
        return ""
    index = summ.index_of(line.now)
    if index < 0 or summ.days[index].value is None:
        return ""
    return formats.value_text(catalog.to_display(summ.days[index].value, classifier), "GBP", opts.ascii)


def segments(tokens: tuple[str, ...], line: Line, opts: RenderOptions, short: bool = False,
             colour: bool = True) -> list[tuple[str, str]]:
    """The template drawn as (#rrggbb, text) runs; an empty field takes one neighbouring space with it."""
    values = _fields(tokens, line, opts, short, colour)
    literal_colour = formats.line_color(line, opts)
    runs: list[tuple[str, str]] = []
    drop_space = True  # at the start, a leading space of the first literal after an empty field goes
    for token in tokens:
        kind, body = token[:1], token[1:]
        if kind == FIELD:
            tint, text = values.get(body, (literal_colour, ""))
            if not text:
                if runs and runs[-1][1].endswith(" "):  # "a {x} b" -> "a b": this field's space goes
                    runs[-1] = (runs[-1][0], runs[-1][1][:-1])
                    drop_space = False
                else:
                    drop_space = True
                continue
            if colour and body == "spark":
                runs.extend(_spark_runs(line, opts, short, text))
            else:
                runs.append((tint, text))
            drop_space = False
        else:
            text = body
            if drop_space and text.startswith(" "):
                text = text[1:]
            drop_space = False
            if text:
                runs.append((literal_colour, text))
    return [run for run in runs if run[1]]


def _spark_runs(line: Line, opts: RenderOptions, short: bool, bars: str) -> list[tuple[str, str]]:
    """The bars coloured by day, as the line colours them."""
    palette = formats.colors(opts)
    runs: list[tuple[str, str]] = []
    for glyph, level in zip(bars, formats.cell_levels(line, opts, short), strict=False):
        tint = palette.get(level, palette[NORMAL])
        if runs and runs[-1][0] == tint:
            runs[-1] = (tint, runs[-1][1] + glyph)
        else:
            runs.append((tint, glyph))
    return runs


class Template(Shape):
    """A compiled template, as RenderOptions carries it (formats draw it through glowline.status.model.Shape)."""

    __slots__ = ("tokens",)

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self.tokens = tokens

    def text(self, line: Line, opts: RenderOptions, short: bool = False) -> str:
        """The template drawn as plain text."""
        return "".join(part for _, part in segments(self.tokens, line, opts, short, colour=False))

    def segments(self, line: Line, opts: RenderOptions, short: bool = False) -> list[tuple[str, str]]:
        """The template drawn as (#rrggbb, text) runs."""
        return segments(self.tokens, line, opts, short)


# ---------------------------------------------------------------------------------------------------- icons
# Icons for ``{icon}``: a set (config ``[icons] set = "none" | "emoji" | "nerd"``), per resource and per level, with
# the user's own on top; never with --ascii. No imports (status-line path).
#
# Lookup, first found: ``[icons] <resource>-<state>`` (e.g. ``electricity-high``), ``[icons] <state>``,
# ``[icons] <resource>``, then the set's own ``<resource>-<state>``, ``<state>`` and ``<resource>``. The state is the
# line's: error, stale, or the total's level (low, normal, high): ``state_of``.

ICON_SETS = ("none", "emoji", "nerd")
#: the built-in sets. Nerd Font glyphs are Font Awesome's (in every Nerd Font): bolt U+F0E7, fire U+F06D,
#: gbp U+F154, sun-o U+F185, warning U+F071, clock-o U+F017
ICON_BUILTIN: dict[str, dict[str, str]] = {
    "none": {},
    "emoji": {
        "electricity": "⚡", "gas": "🔥", "electricity-cost": "💷", "gas-cost": "💷", "export": "☀️",
        "error": "⚠️", "stale": "⏳",
    },
    "nerd": {
        "electricity": "\uf0e7", "gas": "\uf06d", "electricity-cost": "\uf154", "gas-cost": "\uf154",
        "export": "\uf185", "error": "\uf071", "stale": "\uf017",
    },
}
#: the keys an [icons] table may have besides ``set``: resources, states, and resource-state pairs
ICON_STATES = ("low", "normal", "high", "stale", "error")


def icon(line: Line, opts: RenderOptions) -> str:
    """The icon for this line, or "" (the "none" set, --ascii, nothing configured for it)."""
    if opts.ascii:
        return ""
    table = opts.icons
    state = state_of(line)
    builtin = ICON_BUILTIN.get(str(table.get("set", "none")), {})
    for source in (table, builtin):
        for key in (f"{line.name}-{state}", state, line.name):
            found = source.get(key)
            if isinstance(found, str) and key != "set":
                return found
    return ""


def state_of(line: Line) -> str:
    """The line's state in one word: "error" (nothing to draw, or the last refresh failed), "stale", else the total's
    level (low, normal, high)."""
    if line.error or not line.has_data:
        return "error"
    if line.stale:
        return "stale"
    return line.level
