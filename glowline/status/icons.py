"""Icons for ``{icon}``: a set (config ``[icons] set = "none" | "emoji" | "nerd"``), per resource and per level, with
the user's own on top; never with --ascii. No imports (status-line path).

Lookup, first found: ``[icons] <resource>-<state>`` (e.g. ``electricity-high``), ``[icons] <state>``,
``[icons] <resource>``, then the set's own ``<resource>-<state>``, ``<state>`` and ``<resource>``. The state is the
line's: error, stale, or the total's level (low, normal, high): ``state_of``.
"""

from glowline.status.model import Line, RenderOptions

SETS = ("none", "emoji", "nerd")
#: the built-in sets. Nerd Font glyphs are Font Awesome's (in every Nerd Font): bolt U+F0E7, fire U+F06D,
#: gbp U+F154, sun-o U+F185, warning U+F071, clock-o U+F017
BUILTIN: dict[str, dict[str, str]] = {
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
STATES = ("low", "normal", "high", "stale", "error")


def icon(line: Line, opts: RenderOptions) -> str:
    """The icon for this line, or "" (the "none" set, --ascii, nothing configured for it)."""
    if opts.ascii:
        return ""
    table = opts.icons
    state = state_of(line)
    builtin = BUILTIN.get(str(table.get("set", "none")), {})
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
