"""The README's test command on a fresh machine: without tmux, zsh, fish, mosquitto, gnome-keyring or a D-Bus daemon
the tests that need one skip, each saying which tool and the `apt-get install` line; with .ci/run's
GLOWLINE_TEST_REQUIRE_HOST_TOOLS=1 the same tests fail instead. A real pytest run with those tools taken off PATH."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

HIDDEN = {"tmux", "zsh", "fish", "mosquitto", "faketime", "gnome-keyring-daemon", "dbus-daemon", "dbus-launch"}
# one test per tool; each would fail, not skip, if its check were missing
NEEDS = {
    "tests/test_completion.py::test_zsh_parses_the_script_and_compinit_registers_it": "apt-get install zsh",
    "tests/test_completion.py::test_fish_checks_the_script_and_completes_from_it": "apt-get install fish",
    "tests/test_formats.py::test_real_tmux_expands_styles_and_double_hash[True]": "apt-get install tmux",
    "tests/test_hosts.py::test_zsh_prompt": "apt-get install zsh",
    "tests/test_credentials.py::test_secret_service_round_trip": "apt-get install gnome-keyring dbus-daemon",
    "tests/test_live_mqtt.py::test_live_prints_the_power_the_emulated_ihd_publishes": "apt-get install mosquitto",
}


def bare_path(folder: Path) -> str:
    """A PATH folder with every program of this machine's PATH except HIDDEN (symlinks): a machine without them."""
    folder.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            target = os.path.join(directory, name)
            if name in HIDDEN or (folder / name).exists() or not os.access(target, os.X_OK):
                continue
            (folder / name).symlink_to(target)
    return str(folder)


def pytest_run(env: dict[str, str], tests: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *tests],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_missing_tools_skip_with_the_install_line_and_ci_forbids_it(tmp_path: Path) -> None:
    tests = [t for t in NEEDS if (ROOT / t.split("::")[0]).exists()]
    assert len(tests) >= 5
    env = {k: v for k, v in os.environ.items()
           if k not in ("GLOWLINE_TEST_REQUIRE_HOST_TOOLS", "GLOWLINE_TEST_REQUIRE_SECRET_SERVICE")}
    env.update(PATH=bare_path(tmp_path / "bin"), GLOWLINE_TEST_TOOL_DIRS="")
    fresh = pytest_run(env, tests)
    assert fresh.returncode == 0, fresh.stdout[-4000:]
    assert re.search(rf"\b{len(tests)} skipped\b", fresh.stdout) and "passed" not in fresh.stdout, fresh.stdout[-3000:]
    reasons = [line for line in fresh.stdout.splitlines() if line.startswith("SKIPPED")]  # grouped: "SKIPPED [2] ..."
    assert sum(int(re.match(r"SKIPPED \[(\d+)\]", line).group(1)) for line in reasons) == len(tests)  # type: ignore[union-attr]
    assert all("not installed" in line and "apt-get install " in line for line in reasons), reasons
    assert {NEEDS[t] for t in tests} <= {m for line in reasons for m in re.findall(r"apt-get install [\w -]+", line)}

    ci = pytest_run({**env, "GLOWLINE_TEST_REQUIRE_HOST_TOOLS": "1"}, tests)
    assert ci.returncode == 1, ci.stdout[-3000:]
    summary = ci.stdout.splitlines()[-1]  # "3 failed, 3 errors in 1.00s": a fixture's failure is an error
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)}
    assert counts.get("failed", 0) + counts.get("errors", counts.get("error", 0)) == len(tests), summary
    assert "skipped" not in counts and "passed" not in counts, summary
    assert ci.stdout.count("forbids skipping") >= len(tests), ci.stdout[-3000:]
