"""The README's first screen on a Debian machine as a new user meets it: the system Python refuses `pip install .`
(PEP 668, `externally-managed-environment`), and the README's own venv route installs a working glowline from that
same Python, whose `glowline demo` draws the line; with no Secret Service on the machine, `glowline login` says what to
do, `glowline login --insecure-storage` logs in (said, a 0600 file) and `glowline` draws the line."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT, env_for

SYSTEM_PYTHON = Path("/usr/bin/python3")


def pep668_python() -> Path:
    """Debian's /usr/bin/python3, which carries the EXTERNALLY-MANAGED marker; the test says why when it cannot run."""
    if not SYSTEM_PYTHON.exists():
        pytest.skip("no /usr/bin/python3: apt-get install python3 python3-venv python3-pip")
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sysconfig, os; print(os.path.exists(os.path.join("
         "sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"],
        capture_output=True, text=True, timeout=30, check=False)
    if probe.stdout.strip() != "True":
        pytest.skip("/usr/bin/python3 is not externally managed (PEP 668): not a Debian/Ubuntu Python")
    return SYSTEM_PYTHON


def clean_env(home: Path, bin_dir: Path) -> dict[str, str]:
    env = env_for(home)
    for var in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV"):
        env.pop(var, None)
    # the machine's own folders only: this checkout's venv must not be the one that answers
    env["PATH"] = f"{bin_dir}{os.pathsep}/usr/local/bin:/usr/bin:/bin"
    for var in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)  # no Secret Service, as on a server or in a container
    return env


def readme_block(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```sh\n(.*?)```", text, re.S) if marker in b]
    return block


def test_the_system_python_refuses_pip_install_and_the_readmes_venv_route_works(tmp_path: Path) -> None:
    python = pep668_python()
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, home / ".local/bin")
    env["PATH"] = env["PATH"].replace(str(home / ".local/bin"), f"{tmp_path / 'py'}{os.pathsep}{home / '.local/bin'}")
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "python3").symlink_to(python)

    refused = subprocess.run([str(python), "-m", "pip", "install", "--dry-run", "."], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr, refused

    block = readme_block("glowline-venv")  # the README's venv route, run by sh as written
    installed = subprocess.run(["sh", "-e", "-c", block], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=900, check=False)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-3000:]
    glowline = home / ".local/bin/glowline"
    assert glowline.is_symlink() and os.access(glowline, os.X_OK)

    demo = subprocess.run(["glowline", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert demo.returncode == 0 and demo.stderr == "", demo
    assert demo.stdout.rstrip("\n").endswith("kWh") and any(c in demo.stdout for c in "▁▂▃▄▅▆▇█")
    where = subprocess.run(["glowline", "--version", "-v"], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=60, check=False)
    assert str(home / ".local/share/glowline-venv") in where.stdout, where  # the venv the README made

    # no keyring here: the emulator's own hint, and login's error, name the way that works
    emulator = subprocess.Popen(["glowline", "emulator"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert emulator.stdout is not None
        hint = ""
        for _ in range(6):
            hint = emulator.stdout.readline()
            if hint.startswith("try: "):
                break
        assert "--insecure-storage" in hint, hint
        url = hint.split("GLOWLINE_API_URL=", 1)[1].split()[0]
        username = hint.split("--username ", 1)[1].split()[0]
        from glowline.emulator import DEMO_PASSWORD

        api = {**env, "GLOWLINE_API_URL": url}
        plain = subprocess.run(["glowline", "login", "--username", username, "--password-stdin"], input=DEMO_PASSWORD,
                               cwd=tmp_path, env=api, capture_output=True, text=True, timeout=120, check=False)
        assert plain.returncode == 4 and "--insecure-storage" in plain.stderr, plain
        login = subprocess.run(["glowline", "login", "--username", username, "--password-stdin", "--insecure-storage"],
                               input=DEMO_PASSWORD, cwd=tmp_path, env=api, capture_output=True, text=True,
                               timeout=120, check=False)
        assert login.returncode == 0, login
        said = login.stdout + login.stderr
        assert "passwords.json" in said and DEMO_PASSWORD not in said, said
        kept = home / ".config/glowline/passwords.json"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        line = subprocess.run(["glowline", "--color", "never"], cwd=tmp_path, env=api, capture_output=True, text=True,
                              timeout=120, check=False)
        assert line.returncode == 0 and line.stdout.rstrip("\n").endswith("kWh"), line
        assert any(c in line.stdout for c in "▁▂▃▄▅▆▇█"), line
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
