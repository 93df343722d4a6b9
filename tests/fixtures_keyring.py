"""Keyring fixtures, real backends only: gnome-keyring on a private D-Bus, a locked one, a hung one, a plaintext file.

Every daemon runs on its own dbus-daemon whose config has no <servicedir> (nothing is D-Bus-activated behind the
test's back), in temp HOME/XDG folders, with no DISPLAY; the fixture owns the PIDs and kills them at teardown.
The developer's own keyring is never touched. In-process tests select the backend through PYTHON_KEYRING_BACKEND
and reset keyring's per-process backend cache, so each test sees the backend it asked for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import env_for, stop_process

SECRETS_NAME = "org.freedesktop.secrets"
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
PLAINTEXT_BACKEND = "keyrings.alt.file.PlaintextKeyring"
KEYRING_UNLOCK_PASSWORD = "fixture-login-keyring-pw"  # unlocks the test's own login keyring, not a user secret
REQUIRE_TOOLS = "GLOWLINE_TEST_REQUIRE_HOST_TOOLS"  # tests/tools.py: .ci/run forbids every host-tool skip
#: the Debian package of each binary the fixtures run
PACKAGES = {"gnome-keyring-daemon": "gnome-keyring", "dbus-daemon": "dbus-daemon"}


def missing_message(names: tuple[str, ...]) -> str:
    """Which of ``names`` is not installed, and the apt-get line for exactly those (never a binary that is there)."""
    missing = [name for name in names if not shutil.which(name)]
    return (f"{' and '.join(missing)} not installed: apt-get install "
            f"{' '.join(PACKAGES.get(name, name) for name in missing)}")

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={socket_dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# A real D-Bus peer that owns org.freedesktop.secrets and reads every call without ever answering: what a wedged
# keyring daemon or a stuck bus looks like to a client.
HUNG_SERVICE = """
import sys
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
conn = open_dbus_connection(bus=sys.argv[1])
reply = conn.send_and_get_reply(message_bus.RequestName(sys.argv[2]))
print("owned", reply.body[0], flush=True)
while True:
    conn.receive()
"""


class Daemons:
    """Processes one fixture started; stopped in reverse order."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.dirs: list[str] = []

    def add(self, proc: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        stop_process(proc)
        for stream in (proc.stdout, proc.stderr, proc.stdin):
            if stream is not None:
                stream.close()

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)
        self.procs.clear()
        for folder in self.dirs:
            shutil.rmtree(folder, ignore_errors=True)


class KeyringSetup:
    """One backend ready for a test: ``env`` for subprocesses, ``store`` = the folders/files that ARE the store,
    ``roots`` = every folder the test's processes may write to (the test HOME and the keyring daemon's HOME)."""

    def __init__(self, env: dict[str, str], store: list[Path], backend: str, roots: list[Path]) -> None:
        self.env = env
        self.store = store
        self.backend = backend
        self.roots = roots


def require_binaries(*names: str) -> None:
    """Skip (saying why) when gnome-keyring or dbus-daemon is missing; fail instead when
    GLOWLINE_TEST_REQUIRE_SECRET_SERVICE=1 (CI sets it, so the real Secret Service tests can never be skipped there)."""
    wanted = names or ("gnome-keyring-daemon", "dbus-daemon")
    if all(shutil.which(name) for name in wanted):
        return
    message = missing_message(wanted)
    if "1" in (os.environ.get("GLOWLINE_TEST_REQUIRE_SECRET_SERVICE"), os.environ.get(REQUIRE_TOOLS)):
        pytest.fail(message + " (GLOWLINE_TEST_REQUIRE_SECRET_SERVICE=1 forbids skipping)")
    pytest.skip(message)


def daemon_env(root: Path) -> dict[str, str]:
    """HOME/XDG folders under ``root`` and no display: the environment a test daemon runs in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DBUS_", "GNOME_KEYRING"))}
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHON_KEYRING_BACKEND", "GLOWLINE_PASSWORD"):
        env.pop(var, None)
    folders = {
        "HOME": root,
        "XDG_DATA_HOME": root / ".local/share",
        "XDG_CONFIG_HOME": root / ".config",
        "XDG_CACHE_HOME": root / ".cache",
        "XDG_RUNTIME_DIR": root / "run",
    }
    for var, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[var] = str(folder)
    return env


def start_bus(daemons: Daemons, root: Path) -> str:
    """A private dbus-daemon with no service activation; returns its address."""
    socket_dir = tempfile.mkdtemp(prefix="gl-bus-")  # short path: unix socket paths are limited to ~108 bytes
    daemons.dirs.append(socket_dir)
    config = root / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket_dir=socket_dir), encoding="utf-8")
    proc = daemons.add(
        subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # "Failed to set fd limit" is printed on every start in VMs; harmless
        )
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().decode().strip()
    if not address:
        raise RuntimeError(f"dbus-daemon did not start (exit {proc.poll()})")
    return address


def wait_for_name(address: str, name: str, proc: subprocess.Popen[bytes], deadline_s: float = 10.0) -> float:
    """Poll NameHasOwner until ``name`` is owned on the bus; returns the seconds it took."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    started = time.monotonic()
    with open_dbus_connection(bus=address) as conn:
        while True:
            (owned,) = conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=2).body
            if owned:
                return time.monotonic() - started
            if proc.poll() is not None:
                stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode}) before owning {name}: {stderr[-500:]}")
            if time.monotonic() - started > deadline_s:
                raise RuntimeError(f"{name} not owned within {deadline_s} s")
            time.sleep(0.005)


def name_owned(address: str, name: str) -> bool:
    """Whether ``name`` has an owner on the bus at ``address`` right now."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(bus=address) as conn:
        return bool(conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=2).body[0])


def start_gnome_keyring(daemons: Daemons, env: dict[str, str], unlock: bool) -> subprocess.Popen[bytes]:
    """gnome-keyring-daemon (secrets only) in the foreground; with ``unlock`` it creates/unlocks the login keyring."""
    args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
    if unlock:
        args.insert(2, "--unlock")
    proc = daemons.add(
        subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.PIPE if unlock else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    )
    if unlock:
        assert proc.stdin is not None
        proc.stdin.write(KEYRING_UNLOCK_PASSWORD.encode())  # no newline: see keyring.md pitfall 3
        proc.stdin.close()
        proc.stdin = None
    wait_for_name(env["DBUS_SESSION_BUS_ADDRESS"], SECRETS_NAME, proc)
    return proc


def reset_keyring_cache() -> None:
    """Forget keyring's per-process backend choice (it is detected once and cached) so the env is read again."""
    import keyring.backend
    import keyring.core

    if "saved_result" in vars(keyring.backend.get_all_keyring):  # reset() raises when nothing was cached yet
        keyring.backend.get_all_keyring.reset()
    keyring.core._keyring_backend = None


def client_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a glowline subprocess: ``home``'s HOME/XDG folders plus ``extra`` (bus, backend), with no
    session bus, display or backend choice inherited from the developer's session."""
    env = {k: v for k, v in env_for(home).items() if not k.startswith("DBUS_")}
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "PYTHON_KEYRING_BACKEND"):
        env.pop(var, None)
    env.update(extra)
    return env


def use_backend(
    monkeypatch: pytest.MonkeyPatch,
    home: Path,
    backend: str,
    store: list[Path],
    daemon_home: str | None = None,
    **extra: str,
) -> Iterator[KeyringSetup]:
    """Point this process (and the returned subprocess env) at ``backend``; restore keyring's cache afterwards."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", backend)
    for var, value in extra.items():
        monkeypatch.setenv(var, value)
    reset_keyring_cache()
    try:
        roots = [home] + ([Path(daemon_home)] if daemon_home else [])
        yield KeyringSetup(client_env(home, PYTHON_KEYRING_BACKEND=backend, **extra), store, backend, roots)
    finally:
        reset_keyring_cache()


# -- session daemons -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """gnome-keyring-daemon on a private session bus, login keyring created and unlocked; yields its env."""
    require_binaries()
    root = tmp_path_factory.mktemp("secret-service")
    daemons = Daemons()
    try:
        env = daemon_env(root)
        env["DBUS_SESSION_BUS_ADDRESS"] = start_bus(daemons, root)
        start_gnome_keyring(daemons, env, unlock=True)
        yield env
    finally:
        daemons.stop_all()


def start_locked_keyring(daemons: Daemons, root: Path) -> dict[str, str]:
    """A bus and a gnome-keyring whose login keyring exists on disk but is locked (restarted without --unlock)."""
    env = daemon_env(root)
    env["DBUS_SESSION_BUS_ADDRESS"] = start_bus(daemons, root)
    first = start_gnome_keyring(daemons, env, unlock=True)
    # store one item so the login keyring is written to disk with its password
    subprocess.run(
        [sys.executable, "-c", "import keyring; keyring.set_password('glowline-fixture', 'seed', 'seed-value')"],
        env={**env, "PYTHON_KEYRING_BACKEND": SECRET_SERVICE_BACKEND},
        check=True,
        timeout=30,
    )
    if not (root / ".local/share/keyrings/login.keyring").exists():
        raise RuntimeError("gnome-keyring did not write login.keyring")
    daemons.stop(first)
    wait_for_release(env["DBUS_SESSION_BUS_ADDRESS"], SECRETS_NAME)
    start_gnome_keyring(daemons, env, unlock=False)
    return env


def start_hung_peer(daemons: Daemons, address: str, name: str) -> None:
    """A real D-Bus peer that owns ``name`` and never answers."""
    proc = daemons.add(
        subprocess.Popen(
            [sys.executable, "-c", HUNG_SERVICE, address, name],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    )
    wait_for_name(address, name, proc)


@pytest.fixture(scope="session")
def locked_secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """gnome-keyring with a locked login keyring and no prompter at all: unlocking fails at once."""
    require_binaries()
    daemons = Daemons()
    try:
        yield start_locked_keyring(daemons, tmp_path_factory.mktemp("locked-secret-service"))
    finally:
        daemons.stop_all()


@pytest.fixture(scope="session")
def unseen_prompt_secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """gnome-keyring with a locked login keyring whose unlock prompt goes to a prompter nobody answers.

    gnome-keyring shows prompts through org.gnome.keyring.SystemPrompter on the session bus; here a peer owns that
    name and never replies: the situation of a prompt on a display nobody is looking at (SSH + desktop session).
    """
    require_binaries()
    daemons = Daemons()
    try:
        env = start_locked_keyring(daemons, tmp_path_factory.mktemp("unseen-prompt-secret-service"))
        start_hung_peer(daemons, env["DBUS_SESSION_BUS_ADDRESS"], "org.gnome.keyring.SystemPrompter")
        yield env
    finally:
        daemons.stop_all()


def wait_for_release(address: str, name: str, deadline_s: float = 10.0) -> None:
    """Wait until nobody owns ``name`` (a stopped daemon's name is released asynchronously)."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    started = time.monotonic()
    with open_dbus_connection(bus=address) as conn:
        while conn.send_and_get_reply(message_bus.NameHasOwner(name), timeout=2).body[0]:
            if time.monotonic() - started > deadline_s:
                raise RuntimeError(f"{name} still owned after {deadline_s} s")
            time.sleep(0.005)


@pytest.fixture(scope="session")
def hung_secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A private bus where a real D-Bus peer owns org.freedesktop.secrets and never answers a call."""
    require_binaries("dbus-daemon")
    root = tmp_path_factory.mktemp("hung-secret-service")
    daemons = Daemons()
    try:
        env = daemon_env(root)
        address = start_bus(daemons, root)
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        start_hung_peer(daemons, address, SECRETS_NAME)
        yield env
    finally:
        daemons.stop_all()


# -- per-test backends -----------------------------------------------------------------------------------------------


def use_secret_service(
    monkeypatch: pytest.MonkeyPatch, home: Path, daemon: dict[str, str], has_store: bool = True
) -> Iterator[KeyringSetup]:
    """Select the Secret Service on ``daemon``'s bus; its store is the daemon's $XDG_DATA_HOME/keyrings."""
    store = [Path(daemon["XDG_DATA_HOME"]) / "keyrings"] if has_store else []
    address = daemon["DBUS_SESSION_BUS_ADDRESS"]
    yield from use_backend(
        monkeypatch, home, SECRET_SERVICE_BACKEND, store, daemon["HOME"], DBUS_SESSION_BUS_ADDRESS=address
    )


@pytest.fixture
def real_keyring(home: Path, secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyringSetup]:
    """The real Secret Service, selected explicitly, for this process and for subprocesses."""
    yield from use_secret_service(monkeypatch, home, secret_service)


@pytest.fixture
def locked_keyring(
    home: Path, locked_secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[KeyringSetup]:
    """A Secret Service whose default collection is locked and cannot prompt (no prompter, no display)."""
    yield from use_secret_service(monkeypatch, home, locked_secret_service)


@pytest.fixture
def unseen_prompt_keyring(
    home: Path, unseen_prompt_secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[KeyringSetup]:
    """A locked Secret Service whose unlock prompt nobody will ever answer."""
    yield from use_secret_service(monkeypatch, home, unseen_prompt_secret_service)


@pytest.fixture
def hung_keyring(
    home: Path, hung_secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[KeyringSetup]:
    """A Secret Service that never answers."""
    yield from use_secret_service(monkeypatch, home, hung_secret_service, has_store=False)


@pytest.fixture
def plaintext_keyring(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyringSetup]:
    """keyrings.alt's PlaintextKeyring in the test's own XDG_DATA_HOME (its file is the store)."""
    store = [home / ".local/share/python_keyring"]
    yield from use_backend(monkeypatch, home, PLAINTEXT_BACKEND, store)


@pytest.fixture
def fail_keyring(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyringSetup]:
    """keyring's fail backend: what a headless machine with only keyring installed gets."""
    yield from use_backend(monkeypatch, home, "keyring.backends.fail.Keyring", [])


@pytest.fixture
def null_keyring(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyringSetup]:
    """keyring's null backend (keyring disabled): set succeeds silently and stores nothing."""
    yield from use_backend(monkeypatch, home, "keyring.backends.null.Keyring", [])
