"""The one redaction rule: what glowline shows, logs or hands to a child never carries a password.

Three parts, each the only one of its kind: ``url`` drops a URL's userinfo (user and password) by plain string
surgery, before anything that can fail parses it; ``mask`` replaces a secret where it stands as a whole value
(a token between blanks, quotes or ``=``/``:``/``,``), never inside other text, so a short password shows nothing of
where it occurs elsewhere; ``child_environment`` is the environment a spawned glowline gets, without the password
variables (``foreign_environment``: a program that is not glowline, an on_refresh hook, gets none named like a
credential either). Import-free, so any layer (the status path included) may use it.
"""

from __future__ import annotations

#: the environment variables that hold a password; never passed to a child process
SECRET_VARIABLES = ("GLOWLINE_PASSWORD", "GLOWLINE_MQTT_PASSWORD")
#: what a masked value reads as
MASK = "***"
#: characters that end a whole value in a message (blanks, quotes, brackets, separators)
_BOUNDARY = frozenset(" \t\r\n'\"`()[]{}<>=,;")


def url(text: str) -> str:
    """``text`` with the userinfo of every ``scheme://user:password@host`` in it removed; never raises, never
    parses: ``mqtt://alice:PASSWORD@[::1:1883`` -> ``mqtt://[::1:1883``."""
    out: list[str] = []
    rest = text
    while True:
        head, sep, tail = rest.partition("://")
        out.append(head + sep)
        if not sep:
            return "".join(out)
        end = len(tail)
        for stop in "/?#'\"<>":  # not at blanks: a password may hold one (better to cut too much than show it)
            found = tail.find(stop)
            if found != -1:
                end = min(end, found)
        authority = tail[:end]
        at = authority.rfind("@")
        if at != -1:
            tail = tail[at + 1 :]
        rest = tail


def mask(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """``text`` with each of ``secrets`` replaced by MASK where it is a whole value, and URLs without userinfo.
    A secret inside a longer word (``referee@example.org`` for the password ``example``) is left alone: masking it
    would tell where the password occurs."""
    text = url(text)
    for secret in secrets:
        if not secret:
            continue
        pieces: list[str] = []
        start = 0
        while True:
            found = text.find(secret, start)
            if found == -1:
                break
            after = found + len(secret)
            whole = (found == 0 or text[found - 1] in _BOUNDARY) and (after == len(text) or text[after] in _BOUNDARY)
            pieces.append(text[start:found] + (MASK if whole else secret))
            start = after
        text = "".join(pieces) + text[start:]
    return text


def child_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child glowline process: ``environ`` (default os.environ) without SECRET_VARIABLES."""
    if environ is None:
        import os

        environ = dict(os.environ)
    return {k: v for k, v in environ.items() if k not in SECRET_VARIABLES}


#: parts of a variable's name that mark a credential (upper-cased): a program that is not glowline gets none of them
CREDENTIAL_MARKS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "API_KEY", "APIKEY",
                    "PRIVATE_KEY", "ACCESS_KEY", "AUTH")


def is_credential_name(name: str) -> bool:
    """True for a variable only glowline itself may see: its password variables and anything named like a
    credential (GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, db_password ...)."""
    upper = name.upper()
    return name in SECRET_VARIABLES or any(mark in upper for mark in CREDENTIAL_MARKS)


def foreign_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a program that is not glowline (an on_refresh hook): ``child_environment`` without any
    variable named like a credential."""
    return {k: v for k, v in child_environment(environ).items() if not is_credential_name(k)}
