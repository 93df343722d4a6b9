"""Installable like a real tool: `python -m build` makes the sdist and the wheel, the wheel installs into a fresh
venv whose `glowline demo` and `glowline --version` run from it (not from this checkout), and `pipx install .` gives
a working `glowline` on its own bin folder. Real builds, real venvs, real installs."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from glowline import __version__
from tests.helpers import ROOT, env_for


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def clean_env(home: Path) -> dict[str, str]:
    env = env_for(home)
    for var in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(var, None)
    return env


def test_build_makes_the_sdist_and_the_wheel(dist: Path) -> None:
    sdist = dist / f"glowline-{__version__}.tar.gz"
    wheel = dist / f"glowline-{__version__}-py3-none-any.whl"
    assert sdist.is_file() and wheel.is_file(), sorted(p.name for p in dist.iterdir())
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"README.md", "pyproject.toml", "bin/glowline", "glowline/cli.py", "glowline/tall.py"} <= names
    with zipfile.ZipFile(wheel) as whl:
        files = set(whl.namelist())
        metadata = whl.read(f"glowline-{__version__}.dist-info/METADATA").decode("utf-8")
    assert f"glowline-{__version__}.data/scripts/glowline" in files  # the two-line launcher, not a console script
    assert "glowline/commands/completion.py" in files and "glowline/emulator/server.py" in files
    assert "Requires-Dist: sparklines>=1.0" in metadata and "Requires-Dist: rich>=13.7" in metadata


def test_the_wheel_in_a_fresh_venv_runs_demo_and_version(dist: Path, tmp_path: Path, home: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    wheel = dist / f"glowline-{__version__}-py3-none-any.whl"
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    env = clean_env(home)
    glowline = venv / "bin" / "glowline"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import glowline; print(glowline.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert where.stdout.startswith(str(venv)), where  # the installed copy, not this checkout
    launcher = glowline.read_text(encoding="utf-8")
    assert launcher.startswith(f"#!{venv}/bin/python") and "from glowline.cli import leave, main" in launcher
    version = subprocess.run([str(glowline), "--version"], capture_output=True, text=True, env=env, cwd=tmp_path,
                             timeout=60)
    assert version.returncode == 0 and version.stdout == f"glowline {__version__}\n", version
    verbose = subprocess.run([str(glowline), "--version", "-v"], capture_output=True, text=True, env=env,
                             cwd=tmp_path, timeout=60)
    lines = verbose.stdout.splitlines()
    assert verbose.returncode == 0 and lines[0] == f"glowline {__version__}", verbose
    assert lines[1].startswith("python ") and str(venv) in lines[1] and lines[2].startswith("keyring ")
    demo = subprocess.run([str(glowline), "demo"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert demo.returncode == 0 and demo.stderr == "", demo
    assert demo.stdout.rstrip("\n").endswith("kWh") and any(c in demo.stdout for c in "▁▂▃▄▅▆▇█")
    completion = subprocess.run([str(glowline), "completion", "bash"], capture_output=True, text=True, env=env,
                                cwd=tmp_path, timeout=60)
    assert completion.returncode == 0 and "complete -F _glowline glowline" in completion.stdout


def test_pipx_install_dot_gives_a_working_glowline(tmp_path: Path, home: Path) -> None:
    env = {**clean_env(home), "PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin"),
           "PIPX_MAN_DIR": str(tmp_path / "man")}
    proc = subprocess.run([sys.executable, "-m", "pipx", "install", "."], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    glowline = tmp_path / "bin" / "glowline"
    assert glowline.is_symlink() and os.path.realpath(glowline).startswith(str(tmp_path / "pipx"))
    assert (tmp_path / "man" / "man1" / "glowline.1").exists()  # pipx links the man page: `man glowline`
    version = subprocess.run([str(glowline), "--version"], capture_output=True, text=True, env=env, cwd=tmp_path,
                             timeout=60)
    assert version.stdout == f"glowline {__version__}\n", version
    demo = subprocess.run([str(glowline), "demo"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert demo.returncode == 0 and "kWh" in demo.stdout, demo
