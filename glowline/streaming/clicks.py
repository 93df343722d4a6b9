"""The hosts' clicks on stdin: i3bar's endless JSON array of click objects and i3blocks' persist clicks, read
incrementally into events (never raising), the button of an event, and the next resource a right click shows."""

from __future__ import annotations

from glowline.catalog import RESOURCES

TYPE_CHECKING = False  # typing costs an import; mypy treats this name as true
if TYPE_CHECKING:
    from collections.abc import Iterator


#: Unparsed click input kept at most (bytes of text); anything longer without a complete event is junk.
MAX_PENDING = 65536
LEFT, RIGHT = 1, 3


class ClickReader:
    """Incremental parser of what hosts write on stdin: i3bar's endless JSON array of click objects (`[`, then
    `{...}` and `,{...}` lines) and i3blocks' persist clicks (a button number per line in raw format, one JSON
    object per line in JSON format). Anything else is junk and skipped; nothing here ever raises."""

    def __init__(self) -> None:
        import codecs
        import json

        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._json = json.JSONDecoder()
        self._pending = ""

    def feed(self, data: bytes) -> list[dict[str, object]]:
        """The complete events in ``data`` (plus what was pending), as dicts; a bare number is {"button": N}."""
        self._pending += self._decoder.decode(data)
        return list(self._events())

    def _events(self) -> Iterator[dict[str, object]]:
        text = self._pending
        pos = 0
        while True:
            while pos < len(text) and (text[pos].isspace() or text[pos] in "[],"):
                pos += 1
            if pos >= len(text):
                break
            if text[pos] == "{":
                try:
                    event, end = self._json.raw_decode(text, pos)
                except ValueError:
                    resume = _next_event_start(text, pos)
                    if resume < 0:  # incomplete (or junk we cannot yet tell apart): wait for more
                        break
                    pos = resume
                    continue
                pos = end
                if isinstance(event, dict):
                    yield event
                continue
            newline = text.find("\n", pos)
            if newline < 0:
                break
            word = text[pos:newline].strip()
            pos = newline + 1
            if word.isdigit() and len(word) < 4:
                yield {"button": int(word)}
        rest = text[pos:]
        self._pending = rest if len(rest) <= MAX_PENDING else ""


def _next_event_start(text: str, pos: int) -> int:
    """Where the next event starts after a `{` at ``pos`` that does not parse: a later line opening with `{` or
    `,` (i3bar writes one event per line), or -1 when there is none yet (the object may still be arriving)."""
    index = text.find("\n", pos)
    while index >= 0:
        start = index + 1
        while start < len(text) and text[start] in " \t\r":
            start += 1
        if start < len(text) and text[start] in "{,[":
            return start
        index = text.find("\n", start)
    return -1


def button_of(event: dict[str, object]) -> int | None:
    button = event.get("button")
    if isinstance(button, bool):
        return None
    if isinstance(button, int):
        return button
    if isinstance(button, str) and button.isdigit():
        return int(button)
    return None


def next_resource(current: str) -> str:
    """The resource after ``current`` in glowline.status.argv.RESOURCES order, wrapping round."""
    names = list(RESOURCES)
    index = names.index(current) if current in names else -1
    return names[(index + 1) % len(names)]
