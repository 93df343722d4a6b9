"""The login MOTD works as documented (issue 21, finding 4): the stub (examples/60-glowline), run as pam_motd runs it
(root, `env -i` with PATH only, run-parts --lsbsysinit), shows the data from a user's cache named by GLOWLINE_CACHE_DIR
(read-only: never written, never refreshed, no link followed out of it), and from /var/cache/glowline filled by the
system-wide timer (examples/glowline-fetch-system.service/.timer) running as its own system user. A failure says its
reason, not only "disk error" (update-motd throws stderr away)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from tests.helpers import ROOT, cache_dir
from tests.test_hosts import EXAMPLES, Host, motd_dir, run_motd

#: another user's uid and gid (no account needed: the kernel only compares numbers)
OTHER = 4242
DATA_LINE = "Electricity, last 10 days: "


def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("the MOTD runs as root: reading another user's cache needs root (the project's CI runs as root)")


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temp folder other uids may traverse (pytest's own tmp_path is root's 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="glowline-motd-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def chown_tree(top: Path, uid: int) -> None:
    for folder, dirs, files in os.walk(top):
        os.chown(folder, uid, uid)
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)


def snapshot(top: Path) -> dict[str, tuple[int, int, int]]:
    found = {}
    for folder, _dirs, files in os.walk(top):
        for name in files:
            st = os.lstat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), top)] = (st.st_mtime_ns, st.st_size, st.st_mode)
    return found


def stub_folder(host: Host, tmp_path: Path) -> Path:
    return motd_dir(tmp_path, (EXAMPLES / "60-glowline").read_text(encoding="utf-8"), str(host.glowline))


def motd(folder: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """The stub as pam_motd runs it; PYTHONPATH only selects this checkout's glowline for the installed launcher."""
    return run_motd(folder, f"GLOWLINE_CACHE_DIR={cache}", f"PYTHONPATH={ROOT}")


def users_cache(host: Host, shared_tmp: Path) -> Path:
    """alice's cache, filled by her own `glowline fetch`, owned by her (not root)."""
    host.warm()
    cache = shared_tmp / "home/alice/.cache/glowline"
    shutil.copytree(cache_dir(host.home), cache, symlinks=True)
    for part in (shared_tmp / "home", shared_tmp / "home/alice", shared_tmp / "home/alice/.cache"):
        part.chmod(0o755)
    chown_tree(shared_tmp / "home/alice", OTHER)
    return cache


@pytest.fixture
def host(home: Path, emulator: Emulator, tmp_path: Path) -> Host:
    return Host(home, emulator, tmp_path / "host")


def test_root_reads_a_users_cache_read_only(host: Host, tmp_path: Path, shared_tmp: Path) -> None:
    needs_root()
    cache = users_cache(host, shared_tmp)
    folder = stub_folder(host, tmp_path)
    before = snapshot(cache)
    done = motd(folder, cache)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("\n" + DATA_LINE) and "kWh" in done.stdout, done.stdout
    # old data: still only read (the MOTD never refreshes, and never writes into alice's folder)
    for path in cache.glob("*.days"):
        text = path.read_text(encoding="utf-8")
        stamp = next(line for line in text.split("\n") if line.startswith("fetched_at\t"))
        path.write_text(text.replace(stamp, f"fetched_at\t{float(stamp.split(chr(9))[1]) - 7200!r}"),
                        encoding="utf-8")
        os.chown(path, OTHER, OTHER)
    before = snapshot(cache)
    again = motd(folder, cache)
    assert again.returncode == 0 and DATA_LINE in again.stdout, again.stdout
    assert snapshot(cache) == before  # nothing written, nothing added (no lock, no days file, no temp file)
    assert host.emu.count() == 0  # nothing refreshed
    assert all(os.lstat(cache / name).st_uid == OTHER for name in snapshot(cache))


def test_no_link_is_followed_out_of_the_users_cache(host: Host, tmp_path: Path, shared_tmp: Path) -> None:
    needs_root()
    cache = users_cache(host, shared_tmp)
    folder = stub_folder(host, tmp_path)
    elsewhere = shared_tmp / "elsewhere"
    elsewhere.mkdir()
    for days in cache.glob("*.days"):  # the days file moved out and linked back: not followed
        shutil.move(days, elsewhere / days.name)
        days.symlink_to(elsewhere / days.name)
        os.chown(days, OTHER, OTHER, follow_symlinks=False)
    done = motd(folder, cache)
    assert done.returncode == 0 and "kWh" not in done.stdout, done.stdout
    # the folder itself a link into alice's files: refused, saying why
    link = shared_tmp / "link-to-alice"
    link.symlink_to(cache)
    said = motd(folder, link)
    assert said.returncode == 0 and "kWh" not in said.stdout and "symlink" in said.stdout, said.stdout


def test_a_refusal_says_its_reason_in_the_motd(host: Host, tmp_path: Path, shared_tmp: Path) -> None:
    needs_root()
    cache = users_cache(host, shared_tmp)
    cache.chmod(0o777)
    done = motd(stub_folder(host, tmp_path), cache)
    assert done.returncode == 0
    assert "disk error" in done.stdout and "writable by everyone" in done.stdout, done.stdout


def service_unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((EXAMPLES / "glowline-fetch-system.service").read_text(encoding="utf-8"))
    return parser


def as_user(uid: int, env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *args], env=env,
                          input=stdin, capture_output=True, text=True, timeout=60)


def test_the_system_timer_fills_var_cache_glowline_for_the_motd(host: Host, emulator: Emulator, tmp_path: Path,
                                                                   shared_tmp: Path) -> None:
    """The system service as systemd would run it: its own user, CacheDirectory= made for that user with the unit's
    mode, the unit's environment and ExecStart; that user logged in once with --insecure-storage (no keyring on a
    server). Then the stub, as root, reads that folder."""
    needs_root()
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed to run the service as its own user")
    service = service_unit()["Service"]
    assert service["User"] == "glowline" and service["CacheDirectory"] == "glowline"
    assert service["Environment"] == "GLOWLINE_CACHE_DIR=/var/cache/glowline"
    var_cache = shared_tmp / "var/cache/glowline"  # where systemd's CacheDirectory=glowline puts it
    var_cache.mkdir(parents=True)
    (shared_tmp / "var").chmod(0o755)
    (shared_tmp / "var/cache").chmod(0o755)
    var_cache.chmod(int(service["CacheDirectoryMode"], 8))
    state_home = shared_tmp / "var/lib/glowline"  # the system user's home (useradd --home-dir /var/lib/glowline)
    state_home.mkdir(parents=True, mode=0o700)
    (shared_tmp / "var/lib").chmod(0o755)
    chown_tree(state_home, OTHER)
    os.chown(var_cache, OTHER, OTHER)
    env: dict[str, Any] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(state_home),
                           "PYTHONPATH": str(ROOT), "GLOWLINE_API_URL": emulator.url}
    login = as_user(OTHER, env, sys.executable, "-m", "glowline", "login", "--insecure-storage", "--username",
                    DEMO_USERNAME, "--password-stdin", stdin=DEMO_PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    launcher = Path(sys.executable).parent / "glowline"  # the installed launcher (the host's link is root's only)
    command = service["ExecStart"].replace("/usr/local/bin/glowline", str(launcher)).split()
    unit_env = {**env, "GLOWLINE_CACHE_DIR": str(var_cache)}
    done = as_user(OTHER, unit_env, *command)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert list(var_cache.glob("*.days")) and all(p.stat().st_uid == OTHER for p in var_cache.iterdir())
    before = snapshot(var_cache)
    shown = motd(stub_folder(host, tmp_path), var_cache)
    assert shown.returncode == 0 and shown.stdout.startswith("\n" + DATA_LINE), shown.stdout
    assert snapshot(var_cache) == before


def test_the_system_units_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    glowline = Path(sys.executable).parent / "glowline"
    service = (EXAMPLES / "glowline-fetch-system.service").read_text(encoding="utf-8")
    (tmp_path / "glowline-fetch-system.service").write_text(service.replace("/usr/local/bin/glowline", str(glowline)))
    shutil.copy(EXAMPLES / "glowline-fetch-system.timer", tmp_path / "glowline-fetch-system.timer")
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "glowline-fetch-system.timer"),
                           str(tmp_path / "glowline-fetch-system.service")], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", ""), done
    timer = configparser.ConfigParser(interpolation=None)
    timer.read_string((EXAMPLES / "glowline-fetch-system.timer").read_text(encoding="utf-8"))
    assert timer["Timer"]["OnCalendar"] == "*:0/15" and timer["Install"]["WantedBy"] == "timers.target"
    assert service_unit()["Service"]["ExecStart"].split()[1:] == ["fetch"]  # polite: no --now
