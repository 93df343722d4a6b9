"""Leak suite: with -vv debug logging on, across login, the status line (cold, stale, background refresher), fetch,
export, report, tariff, watch and every error path, the password is in no argv, no refresher environment, no file
(except the keyring's own store), no output and no exception text; the token is only in the 0600 token file; TLS is
verified, plain http:// goes only to loopback, and a redirect never carries the token to another host.

The emulator accepts only its demo password, so DEMO_PASSWORD is the canary for the right password; wrong passwords
use their own distinctive canary.
"""

from __future__ import annotations

import datetime
import http.server
import os
import signal
import ssl
import stat
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glowline.data import credentials
from glowline.data.glowmarkt import GlowmarktClient
from glowline.data.models import Token
from glowline.data.transport import RequestsTransport, StdlibTransport
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from glowline.errors import APIUnavailable, GlowlineError
from tests.fixtures_keyring import KeyringSetup
from tests.helpers import age_cache, cache_dir, env_for, files_under, glowline_env, run, wait_until

WRONG_PASSWORD = "pw-LEAK-CANARY-7f3a"
LOCK = "default--electricity.consumption.lock"


def env_with_password(home: Path, url: str) -> dict[str, str]:
    """The demo account in the environment, talking to ``url``."""
    return env_for(home, GLOWLINE_API_URL=url, GLOWLINE_USERNAME=DEMO_USERNAME, GLOWLINE_PASSWORD=DEMO_PASSWORD)


# -- scanners ------------------------------------------------------------------------------------------------------


class Outputs:
    """Every stdout/stderr a test's processes produced, to be scanned at the end."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def run(self, env: dict[str, str], *args: str, input: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
        proc = run(env, *args, input=input, timeout=timeout)
        self.texts += [proc.stdout, proc.stderr]
        return proc

    def assert_clean(self, *secrets: str) -> None:
        for secret in secrets:
            for text in self.texts:
                assert secret not in text, f"{secret[:6]}... leaked into output: {text[:300]!r}"


def assert_not_in_files(roots: list[Path], skip: list[Path], *secrets: str) -> int:
    """No secret in any file under ``roots`` except ``skip`` (the keyring store); returns how many were read."""
    count = 0
    for path in files_under(roots, skip):
        data = path.read_bytes()
        count += 1
        for secret in secrets:
            assert secret.encode() not in data, f"secret leaked into {path}"
    return count


def assert_private_modes(home: Path) -> None:
    """Every folder under glowline's config and cache folders is 0700 and every file 0600 (or stricter)."""
    for root in (home / ".config" / "glowline", cache_dir(home)):
        if not root.exists():
            continue
        for folder, _dirs, names in os.walk(root):
            mode = stat.S_IMODE(os.stat(folder).st_mode)
            assert mode & 0o077 == 0, f"{folder} is {mode:04o}"
            for name in names:
                mode = stat.S_IMODE(os.lstat(Path(folder, name)).st_mode)
                assert mode & 0o077 == 0 and mode & 0o600 == 0o600, f"{folder}/{name} is {mode:04o}"


def token_of(home: Path) -> str:
    import json

    doc = json.loads((cache_dir(home) / "token.json").read_text())
    token: str = doc["token"]
    assert token
    return token


def assert_token_only_in_token_file(home: Path, setup: KeyringSetup | None, outputs: Outputs) -> None:
    token = token_of(home)
    token_file = cache_dir(home) / "token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    roots = setup.roots if setup else [home]
    skip = [token_file, *(setup.store if setup else [])]
    assert_not_in_files(roots, skip, token)
    outputs.assert_clean(token)


def our_processes(home: Path) -> Iterator[tuple[int, bytes, bytes]]:
    """(pid, argv, environ) of every live process whose environment has this test's HOME."""
    marker = b"HOME=" + str(home).encode() + b"\0"
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            argv = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        if marker in environ:
            yield int(entry), argv, environ


def refresher(home: Path) -> tuple[int, bytes, bytes] | None:
    for pid, argv, environ in our_processes(home):
        if b"--background" in argv.split(b"\0"):
            return pid, argv, environ
    return None


def assert_argv_clean(home: Path, *secrets: str) -> int:
    """No process of this test (nor pytest itself) has a secret in its argv; returns how many were looked at."""
    procs = [*our_processes(home), (os.getpid(), Path("/proc/self/cmdline").read_bytes(), b"")]
    for pid, argv, _env in procs:
        for secret in secrets:
            assert secret.encode() not in argv, f"secret in argv of pid {pid}: {argv!r}"
    return len(procs)


def exception_text(exc: BaseException) -> str:
    """Everything a traceback of ``exc`` would show: message, repr, and the chained causes/contexts."""
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + repr(exc)


def test_the_scanners_find_a_planted_secret(home: Path) -> None:
    """The scanners above can fail: a secret planted in a file, an output and an argv is found."""
    (home / ".cache" / "planted").write_text(f"x{WRONG_PASSWORD}x")
    with pytest.raises(AssertionError):
        assert_not_in_files([home], [], WRONG_PASSWORD)
    assert_not_in_files([home], [home / ".cache" / "planted"], WRONG_PASSWORD)  # a skipped store is not read
    out = Outputs()
    out.texts.append(f"debug: {WRONG_PASSWORD}")
    with pytest.raises(AssertionError):
        out.assert_clean(WRONG_PASSWORD)
    env = {**os.environ, "HOME": str(home)}
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", WRONG_PASSWORD], env=env)
    try:
        assert wait_until(lambda: any(pid == sleeper.pid for pid, _a, _e in our_processes(home)), 5)
        with pytest.raises(AssertionError):
            assert_argv_clean(home, WRONG_PASSWORD)
    finally:
        sleeper.kill()
        sleeper.wait()
    (home / ".cache" / "planted").chmod(0o644)
    (home / ".cache" / "glowline").mkdir(mode=0o700)
    (home / ".cache" / "glowline" / "loose").write_text("")
    (home / ".cache" / "glowline" / "loose").chmod(0o644)
    with pytest.raises(AssertionError):
        assert_private_modes(home)


# -- login -> status -> logout through the real Secret Service (issue 6 item 1) ------------------------------------


def test_login_status_logout_round_trip_through_the_real_keyring(
    real_keyring: KeyringSetup, emulator: Emulator, home: Path
) -> None:
    env = {**real_keyring.env, "GLOWLINE_API_URL": emulator.url}
    out = Outputs()
    proc = out.run(env, "-vv", "login", "--username", DEMO_USERNAME, "--password-stdin", input=DEMO_PASSWORD + "\n")
    assert proc.returncode == 0 and "logged in as" in proc.stdout, proc.stderr
    # a second process: the status line, cold, reads the token cached by login (no keyring read needed)
    status = out.run(env, "-vv", "--timeout", "30")
    assert status.returncode == 0 and "kWh" in status.stdout, status.stderr
    # a third process renews through the keyring: every token revoked, the password comes from the store
    emulator.expire_tokens()
    emulator.reset_counts()
    age_cache(home, 3600)  # `fetch` follows the half-hour clock: make the next one due
    assert out.run(env, "-vv", "fetch").returncode == 0
    assert [r.kind for r in emulator.requests].count("auth") == 1
    # a fourth process reads the password the first one stored
    read = subprocess.run([sys.executable, "-c", "from glowline.data.credentials import fetch_password as f; "
                           f"print(f({DEMO_USERNAME!r}) == {DEMO_PASSWORD!r})"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert read.stdout.strip() == "True", read.stderr
    assert_token_only_in_token_file(home, real_keyring, out)
    assert_private_modes(home)
    assert assert_not_in_files(real_keyring.roots, real_keyring.store, DEMO_PASSWORD) > 3
    # logout from yet another process: the store no longer has it, the status line says what to do
    proc = out.run(env, "-vv", "logout")
    assert proc.returncode == 0 and "password removed from the keyring" in proc.stdout
    assert credentials.fetch_password(DEMO_USERNAME) is None
    status = out.run(env, "--timeout", "10")
    assert status.returncode == 3 and "glowline login" in status.stderr
    out.assert_clean(DEMO_PASSWORD)
    assert_not_in_files(real_keyring.roots, real_keyring.store, DEMO_PASSWORD)


# -- the background refresher --------------------------------------------------------------------------------------


@pytest.mark.parametrize("cold", [True, False], ids=["cold", "stale"])
def test_background_refresher_gets_the_password_on_a_pipe(home: Path, emulator: Emulator, cold: bool) -> None:
    env = glowline_env(home, emulator)
    out = Outputs()
    if not cold:
        assert out.run(env, "--timeout", "30").returncode == 0
        age_cache(home, 3 * 3600)
        credentials_file = cache_dir(home) / "token.json"
        credentials_file.unlink()  # the refresher must log in, with the password it got on the pipe
    emulator.fault("hang", path="/readings")  # keeps the refresher alive so it can be inspected
    try:
        status = out.run(env, "-vv", "--timeout", "1", "--format", "tmux")
        assert status.returncode == 0
        assert wait_until(lambda: refresher(home) is not None and emulator.count("readings") >= 1, 10)
        found = refresher(home)
        assert found is not None
        pid, argv, environ = found
        assert b"--password-stdin" in argv.split(b"\0")  # it did get a password: on stdin
        assert DEMO_PASSWORD.encode() not in argv
        assert DEMO_PASSWORD.encode() not in environ and b"GLOWLINE_PASSWORD" not in environ
        assert os.readlink(f"/proc/{pid}/fd/0") != "/dev/null"  # the pipe
        assert assert_argv_clean(home, DEMO_PASSWORD) >= 1
        assert [r for r in emulator.requests if r.kind == "auth" and r.method == "POST"]  # it logged in
    finally:
        emulator.clear_faults()
    assert wait_until(lambda: refresher(home) is None, 15)
    out.assert_clean(DEMO_PASSWORD)
    assert_not_in_files([home], [], DEMO_PASSWORD)
    assert_token_only_in_token_file(home, None, out)
    assert_private_modes(home)


# -- every command and every error path, with debug logging --------------------------------------------------------


def test_no_leak_across_commands_and_error_paths(real_keyring: KeyringSetup, emulator: Emulator, home: Path) -> None:
    env = {**real_keyring.env, "GLOWLINE_API_URL": emulator.url}
    out = Outputs()
    login = ("-vv", "login", "--username", DEMO_USERNAME, "--password-stdin")
    # a wrong password first: refused, and the wrong password goes nowhere either
    proc = out.run(env, *login, input=WRONG_PASSWORD + "\n")
    assert proc.returncode == 3 and "login refused" in proc.stderr
    assert out.run(env, *login, input=DEMO_PASSWORD + "\n").returncode == 0
    commands: list[tuple[str, ...]] = [
        ("fetch",), ("fetch", "--days", "40"), (), ("--format", "json"), ("--format", "waybar"),
        ("report", "--days", "3"), ("tariff",), ("export", "--days", "2"),
        ("export", "--days", "2", "--format", "json", "-o", str(home / "out.json")),
    ]
    for args in commands:
        proc = out.run(env, "-vv", *args)
        assert proc.returncode == 0, (args, proc.stderr)
    # the error paths; each ends in one known exit code
    cases: list[tuple[Any, tuple[str, ...], int]] = [
        (lambda: emulator.fault("500"), ("fetch",), 5),
        (lambda: emulator.fault("badjson", path="/readings"), ("fetch",), 6),
        (lambda: emulator.fault("html"), ("fetch",), 5),
        (lambda: emulator.fault("drop"), ("report", "--days", "2"), 5),
        (lambda: emulator.expire_tokens(), ("fetch",), 0),  # renewed through the keyring
        (lambda: emulator.fault("expired"), ("fetch",), 3),  # refused even after renewing
        (lambda: emulator.fault("hang", delay=3), ("--timeout", "1"), 0),
        (lambda: None, ("export", "--days", "2", "--site", "nowhere"), 7),
    ]
    for arrange, args, code in cases:
        emulator.clear_faults()
        arrange()
        age_cache(home, 3600)
        proc = out.run(env, "-vv", *args)
        assert proc.returncode == code, (args, code, proc.stderr[-500:])
    emulator.clear_faults()
    assert wait_until(lambda: refresher(home) is None, 15)
    # no keyring at all, with a token that must be renewed
    emulator.expire_tokens()
    no_keyring = {**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    proc = out.run(no_keyring, "-vv", "fetch")
    assert proc.returncode == 4 and "keyring" in proc.stderr
    # the persistent watch process
    proc_w = subprocess.Popen([sys.executable, "-m", "glowline", "-vv", "watch", "--format", "i3blocks",
                               "--interval", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True)
    time.sleep(2.5)
    proc_w.send_signal(signal.SIGTERM)
    w_out, w_err = proc_w.communicate(timeout=10)
    out.texts += [w_out, w_err]
    assert w_out.strip()
    out.assert_clean(DEMO_PASSWORD, WRONG_PASSWORD)
    assert_not_in_files(real_keyring.roots, real_keyring.store, DEMO_PASSWORD, WRONG_PASSWORD)
    assert_token_only_in_token_file(home, real_keyring, out)
    assert_private_modes(home)


def test_forced_internal_error_shows_no_password(home: Path, emulator: Emulator) -> None:
    """A cache folder that is a file: saving fails with an OSError, a storage error (exit 11) naming the file,
    with the traceback under -vv."""
    env = glowline_env(home, emulator)
    cache_dir(home).parent.mkdir(parents=True, exist_ok=True)
    cache_dir(home).write_text("not a folder")
    proc = run(env, "-vv", "fetch")
    assert proc.returncode == 11 and "cannot use glowline's file" in proc.stderr
    assert "Traceback" in proc.stderr  # -vv shows it: still no password in it
    assert DEMO_PASSWORD not in proc.stdout + proc.stderr
    plain = run(env, "fetch")
    assert plain.returncode == 11 and plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    assert DEMO_PASSWORD not in plain.stderr


@pytest.mark.parametrize("fault", [None, "500", "html", "badjson", "drop", "slow"])
def test_exception_text_never_holds_the_password(emulator: Emulator, fault: str | None) -> None:
    if fault:
        emulator.fault(fault, delay=2 if fault == "slow" else None)
    client = GlowmarktClient(emulator.url, timeout=(1.0, 1.0))
    with pytest.raises(GlowlineError) as caught:
        client.authenticate(DEMO_USERNAME, WRONG_PASSWORD)
    client.close()
    text = exception_text(caught.value)
    assert WRONG_PASSWORD not in text
    assert "\n" not in str(caught.value)


def test_keyring_errors_never_hold_the_password(fail_keyring: KeyringSetup) -> None:
    with pytest.raises(GlowlineError) as caught:
        credentials.store_password(DEMO_USERNAME, WRONG_PASSWORD)
    assert WRONG_PASSWORD not in exception_text(caught.value)


# -- transport: TLS, plain http, redirects ------------------------------------------------------------------------


@pytest.mark.parametrize("transport", [StdlibTransport, RequestsTransport])
def test_every_transport_verifies_tls_and_honours_the_ca_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, transport: Any
) -> None:
    """Both transports refuse a certificate nobody vouches for, before any HTTP; REQUESTS_CA_BUNDLE vouches."""
    server, cert, url = https_recorder(tmp_path, b'{"valid":true}')
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(var, raising=False)
    try:
        client = GlowmarktClient(url, timeout=(2.0, 2.0), transport=transport())
        with pytest.raises(APIUnavailable, match="TLS certificate verification failed"):
            client.reachable()
        client.close()
        assert server.seen == []
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        client = GlowmarktClient(url, timeout=(2.0, 2.0), transport=transport())
        assert client.reachable() == 200 and server.seen
        client.close()
    finally:
        server.close()


class Recorder(http.server.ThreadingHTTPServer):
    """A loopback HTTP server that records (method, path, headers) and answers with ``answer``."""

    daemon_threads = True

    def __init__(self, answer: Any) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.answer = answer
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                server.seen.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                status, headers, body = server.answer(self)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _any

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    import ipaddress

    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def https_recorder(folder: Path, body: bytes) -> tuple[Recorder, Path, str]:
    """A Recorder behind TLS with a fresh self-signed certificate for 127.0.0.1: (server, certificate, API URL)."""
    cert, key = self_signed(folder)
    server = Recorder(lambda h: (200, {"Content-Type": "application/json"}, body))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server, cert, f"https://127.0.0.1:{server.port}/api/v0-1/"


def test_self_signed_https_is_refused_with_one_clear_line(home: Path, tmp_path: Path) -> None:
    server, cert, url = https_recorder(tmp_path, b'{"valid":true,"token":"t","exp":1}')
    try:
        client = GlowmarktClient(url, timeout=(2.0, 2.0))
        with pytest.raises(APIUnavailable) as caught:
            client.authenticate(DEMO_USERNAME, WRONG_PASSWORD)
        client.close()
        message = str(caught.value)
        assert "\n" not in message and "TLS certificate" in message
        assert WRONG_PASSWORD not in exception_text(caught.value)
        # the CLI: one line, exit 5, and the server never saw an HTTP request (the handshake failed first)
        env = env_with_password(home, url)
        for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
            env.pop(var, None)
        proc = run(env, "-vv", "fetch")
        assert proc.returncode == 5 and DEMO_PASSWORD not in proc.stderr
        assert run(env, "fetch").stderr.count("\n") == 1
        assert server.seen == []
        # the server itself is fine: trusting its certificate explicitly, the same request goes through
        import requests

        assert requests.get(url + "auth", verify=str(cert), timeout=5).status_code == 200 and server.seen
    finally:
        server.close()


def test_plain_http_is_refused_for_non_loopback_hosts(home: Path) -> None:
    env = env_with_password(home, "http://example.invalid/api/v0-1/")
    for args in (("fetch",), ("report",), ()):
        proc = run(env, *args)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "refusing plain http://" in proc.stderr
    proc = run(env, "login", "--username", DEMO_USERNAME, "--password-stdin", input=DEMO_PASSWORD + "\n")
    assert proc.returncode in (2, 4) and DEMO_PASSWORD not in proc.stderr
    # (refused before any name lookup or connection: this test sends nothing beyond loopback)


def test_a_redirect_never_carries_the_token_to_another_host(home: Path) -> None:
    target = Recorder(lambda h: (200, {"Content-Type": "application/json"}, b"[]"))
    source = Recorder(lambda h: (302, {"Location": f"http://localhost:{target.port}{h.path}"}, b""))
    url = f"http://127.0.0.1:{source.port}/api/v0-1/"
    token = "tok-LEAK-CANARY-b41d"
    try:
        client = GlowmarktClient(url, token=Token(token, int(time.time()) + 7 * 86400))
        with pytest.raises(APIUnavailable) as caught:
            client.sites()
        client.close()
        assert "redirected" in str(caught.value)
        # the CLI with that token cached
        env = env_with_password(home, url)
        credentials.save_token(DEMO_USERNAME, url, token, int(time.time()) + 7 * 86400)  # `home` is this process's
        proc = run(env, "-vv", "fetch")
        assert proc.returncode == 5 and "redirected" in proc.stderr and token not in proc.stderr
        assert any(h.get("token") == token for _m, _p, h in source.seen)  # the token went to A only
        assert all("token" not in h for _m, _p, h in target.seen)
        assert target.seen == []  # nothing followed the redirect at all
    finally:
        source.close()
        target.close()
