"""The one sanitiser for text that comes from a device or a server (an IHD's STATE, a broker's or the API's
words): control characters (C0, C1, DEL and the bidirectional overrides) are removed and the length bounded, so what
such text says can neither move the cursor, clear the terminal or set its title, nor flood a line. Import-free."""

from __future__ import annotations

#: the most characters of device or server text shown in one place
MAX_CHARS = 64
#: Unicode format characters that reorder or hide text on a terminal
_INVISIBLE = frozenset("\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


def _without_sequences(value: str) -> str:
    """``value`` without terminal escape sequences (ESC [ ... final, ESC ] ... BEL or ST, ESC and one character)."""
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c not in "\x1b\x9b\x9d":
            out.append(c)
            i += 1
            continue
        kind = "[" if c == "\x9b" else "]" if c == "\x9d" else (value[i + 1] if i + 1 < n else "")
        i += 1 if c != "\x1b" else 2
        if kind == "[":  # CSI: parameters, then one final byte @..~
            while i < n and not "@" <= value[i] <= "~":
                i += 1
            i += 1
        elif kind in "]PX^_" and kind:  # OSC, DCS, SOS, PM, APC: up to BEL or ST
            while i < n and value[i] not in "\x07\x9c" and value[i : i + 2] != "\x1b\\":
                i += 1
            i += 2 if value[i : i + 2] == "\x1b\\" else 1
    return "".join(out)


def text(value: str, limit: int = MAX_CHARS) -> str:
    """``value`` without escape sequences, control or invisible characters, at most ``limit`` characters (an
    ellipsis marks a cut)."""
    clean = "".join(c for c in _without_sequences(value) if c.isprintable() and c not in _INVISIBLE)
    clean = " ".join(clean.split())
    return clean if len(clean) <= limit else clean[: max(0, limit - 1)] + "…"


def optional(value: object, limit: int = MAX_CHARS) -> str | None:
    """``text(value)`` for a string with something left to show, else None."""
    if not isinstance(value, str):
        return None
    clean = text(value, limit)
    return clean or None
