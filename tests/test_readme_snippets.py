"""The README's own shell blocks, run as written in a fresh HOME: the first screen (`pipx install .`, `glowline demo`,
`glowline login` answered at its prompts on a terminal, `glowline`) against the emulator, then the uninstall block
(`glowline logout`, `pipx uninstall glowline`), which leaves no password, token or cache behind."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME
from tests.helpers import ROOT, env_for


def readme_block(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```sh\n(.*?)```", text, re.S) if marker in b]
    return block


def on_terminal(script: str, env: dict[str, str], answers: list[tuple[bytes, bytes]],
                timeout: float) -> tuple[int, str]:
    """``sh -e -c script`` on a pseudo-terminal, answering each prompt (a byte string seen in the output) in turn."""
    pid, master = pty.fork()
    if pid == 0:  # the child: the terminal's other end is its stdin, stdout and stderr
        os.chdir(ROOT)
        os.execvpe("sh", ["sh", "-e", "-c", script], env)
    out = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed its end
                    break
                if not chunk:
                    break
                out += chunk
            if pending and pending[0][0] in out:
                prompt, answer = pending.pop(0)
                out = out.replace(prompt, b"<" + prompt + b">", 1)  # each prompt answered once
                os.write(master, answer + b"\n")
        else:
            os.kill(pid, 9)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(master)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def test_the_first_screen_and_the_uninstall_block_as_written(tmp_path: Path, emulator: Any) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "pipx").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pipx "$@"\n', encoding="utf-8")
    (shims / "pipx").chmod(0o755)
    env = env_for(home)
    for var in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHON_KEYRING_BACKEND"):
        env.pop(var, None)
    env.update(
        PATH=f"{home / '.local/bin'}{os.pathsep}{shims}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        PIPX_HOME=str(home / ".local/share/pipx"), PIPX_BIN_DIR=str(home / ".local/bin"),
        PIPX_MAN_DIR=str(home / ".local/share/man"), GLOWLINE_API_URL=emulator.url,
        # no Secret Service here: the password goes to the file the README's first run names
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", TERM="xterm",
    )
    first = readme_block("glowline demo")
    assert "pipx install ." in first and "glowline login" in first
    # the one machine-specific step: where there is no keyring the README says to add --insecure-storage
    runnable = first.replace("glowline login ", "glowline login --insecure-storage ", 1)
    code, out = on_terminal(runnable, env, [(b"username (e-mail): ", DEMO_USERNAME.encode()),
                                            (b"password for ", DEMO_PASSWORD.encode())], timeout=600)
    assert code == 0, out[-3000:]
    assert DEMO_PASSWORD not in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)  # the line is coloured on a terminal
    lines = [line for line in plain.splitlines() if line.strip()]
    assert lines[-1].rstrip().endswith("kWh") and any(c in lines[-1] for c in "▁▂▃▄▅▆▇█"), out[-2000:]
    assert (home / ".config/glowline/passwords.json").exists()

    uninstall = readme_block("pipx uninstall glowline")
    proc = subprocess.run(["sh", "-e", "-c", uninstall], env=env, capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (home / ".local/bin/glowline").exists()
    assert not (home / ".config/glowline/passwords.json").exists()
    assert not (home / ".config/glowline/account.json").exists()
    assert not any((home / ".cache/glowline").glob("*.json")) if (home / ".cache/glowline").exists() else True
