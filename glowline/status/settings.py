"""The config as the fast path sees it: the validated copy of config.toml that glowline.config compiles.

A tab-separated file in the cache folder, tagged with the TOML file's mtime and size; reading it costs no tomllib.
"""

import os

from glowline import paths
from glowline.files import read_text
from glowline.paths import compiled_config_path as compiled_path

MAGIC = "glowline-config 1"
#: between the items of a list setting (a compiled template's tokens, [files] formats, [hooks] on_refresh)
LIST_SEP = "\x1f"
__all__ = ["LIST_SEP", "MAGIC", "compiled_path", "load_fast", "signature"]


def signature(path: str) -> str | None:
    """The config file's mtime and size as the compiled copy records them; None when there is no file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_mtime_ns}\t{st.st_size}"


def load_fast() -> dict[str, object] | None:
    """The config as a flat dict ({} when there is no file), or None when only the full loader can tell."""
    sig = signature(paths.config_file())
    if sig is None:
        return {}
    text = read_text(compiled_path(), 65536)
    if text is None:
        return None
    lines = text.split("\n")
    if lines[0] != f"{MAGIC}\t{sig}" or lines[-2:] != ["end", ""]:
        return None
    out: dict[str, object] = {}
    tables: dict[str, dict[str, object]] = {}
    try:
        for line in lines[1:-2]:
            key, kind, text = line.split("\t", 2)
            value: object = int(text) if kind == "i" else float(text) if kind == "f" else text == "1" if kind == "b" \
                else (text.split(LIST_SEP) if text else []) if kind == "l" else text
            table, dot, name = key.partition(".")
            if dot:
                tables.setdefault(table, {})[name] = value
            else:
                out[key] = value
    except ValueError:
        return None
    out.update(tables)
    return out
