"""export's progress bar (rich's Progress) in real processes: on a terminal (a pty for stderr) it shows requests
done of all, the rate and the ETA, and erases itself; on a pipe nothing at all, and the data is the same."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers import glowline_env, read_pty, run

ARGS = ("export", "--from", "2026-08-01", "--to", "2026-08-31", "--period", "30m", "--resource", "electricity,gas")


def test_export_progress_on_a_terminal_and_not_on_a_pipe(home: Path, emulator: Any, tmp_path: Path) -> None:
    env = glowline_env(home, emulator, TERM="xterm-256color", COLUMNS="100")
    master, slave = pty.openpty()
    out_file = tmp_path / "out.csv"
    with open(out_file, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-m", "glowline", *ARGS], env=env, stdout=out, stderr=slave,
                                stdin=subprocess.DEVNULL)
    os.close(slave)
    err = read_pty(master)
    os.close(master)
    assert proc.wait(timeout=60) == 0
    text = err.decode("utf-8", "replace")
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert "fetching" in plain and re.search(r"\d+/\d+ requests", plain), plain
    assert "ETA" in plain and re.search(r"\d:\d\d:\d\d|-:--:--", plain), plain  # rich's TimeRemainingColumn
    assert "━" in plain  # rich's bar
    assert text.rstrip().endswith("\x1b[?25h") or "\x1b[2K" in text  # transient: erased, cursor restored
    piped = run(env, *ARGS)
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr  # a pipe gets no bar at all
    assert piped.stdout == out_file.read_text(encoding="utf-8")  # and the same rows
