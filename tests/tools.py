"""Host tools the real-process tests need (tmux, zsh, fish, gnome-keyring, mosquitto, faketime): skip with the reason
and the `apt-get install` line when one is missing, or fail instead when GLOWLINE_TEST_REQUIRE_HOST_TOOLS=1.

A fresh machine (`pip install '.[test]' && python -m pytest`) then passes with those tests skipped and saying why;
.ci/run installs every tool and sets the variable, so in CI none of them can be skipped.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE = "GLOWLINE_TEST_REQUIRE_HOST_TOOLS"

#: command -> the Debian package that installs it
PACKAGES = {
    "tmux": "tmux",
    "zsh": "zsh",
    "fish": "fish",
    "bash": "bash",
    "mosquitto": "mosquitto",
    "faketime": "faketime",
    "gnome-keyring-daemon": "gnome-keyring",
    "dbus-daemon": "dbus-daemon",
    "dbus-launch": "dbus-x11",
}
#: where a tool may live outside PATH (Debian puts mosquitto in /usr/sbin)
EXTRA_DIRS = ("/usr/sbin", "/sbin")


def find(tool: str) -> str | None:
    """The tool's path, or None when it is not installed."""
    extra = os.environ.get("GLOWLINE_TEST_TOOL_DIRS", os.pathsep.join(EXTRA_DIRS))  # "" in test_fresh_machine
    return shutil.which(tool) or (shutil.which(tool, path=extra) if extra else None)


def missing_reason(*tools: str) -> str | None:
    """'needs zsh, fish (not installed): apt-get install zsh fish', or None when every tool is there."""
    missing = [tool for tool in tools if find(tool) is None]
    if not missing:
        return None
    packages = " ".join(dict.fromkeys(PACKAGES.get(tool, tool) for tool in missing))
    return f"needs {', '.join(missing)} (not installed): apt-get install {packages}"


def require(*tools: str) -> None:
    """Skip the calling test, saying why and how to install, unless every tool is there; with
    GLOWLINE_TEST_REQUIRE_HOST_TOOLS=1 (set by .ci/run) fail instead, so CI can never skip these."""
    reason = missing_reason(*tools)
    if reason is None:
        return
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason} ({REQUIRE}=1 forbids skipping)")
    pytest.skip(reason)
