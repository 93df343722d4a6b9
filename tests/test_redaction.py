"""Issue 20, item 2 (and 7's `config show` findings): one redaction rule (glowline.redact). URLs lose their userinfo
before any parsing that can fail, `config show` never prints a broker password and shows what is in effect (the
environment over the file, [live] defaults), the refresher's environment carries no password variable, and doctor
masks whole values, never substrings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from glowline import redact
from glowline.emulator import Emulator
from tests.helpers import age_cache, env_for, glowline_env, run, wait_until
from tests.test_leaks import refresher

SECRET = "PASSWORD-canary-91c"


# -- the rule ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "shown"), [
    (f"mqtt://alice:{SECRET}@[::1:1883", "mqtt://[::1:1883"),
    (f"mqtt://alice:{SECRET}@host:99999/x", "mqtt://host:99999/x"),
    (f"see https://u:{SECRET}@h/p?q=1 and mqtts://a@b:{SECRET}@c", "see https://h/p?q=1 and mqtts://c"),
    (f"mqtt://alice:{SECRET}@", "mqtt://"),
    ("mqtt://host:1883", "mqtt://host:1883"),
    ("no url here: a@b", "no url here: a@b"),
])
def test_urls_lose_their_userinfo_without_parsing(text: str, shown: str) -> None:
    assert redact.url(text) == shown


def test_masking_replaces_whole_values_never_substrings() -> None:
    """2.4 a short password masked by substring showed where it occurs: 'referee@***.org'."""
    assert redact.mask("account referee@example.org; password example", ["example"]) == \
        "account referee@example.org; password ***"
    assert redact.mask("password='example', again=example.", ["example"]) == "password='***', again=example."
    assert redact.mask("example", ["example"]) == "***"
    assert redact.mask("examples exampl", ["example", ""]) == "examples exampl"


def test_child_environment_has_no_password_variable() -> None:
    env = {"GLOWLINE_PASSWORD": "a", "GLOWLINE_MQTT_PASSWORD": "b", "HOME": "/h"}
    assert redact.child_environment(env) == {"HOME": "/h"}


# -- through the commands ---------------------------------------------------------------------------------------------

BAD_URLS = [f"mqtt://alice:{SECRET}@[::1:1883", f"mqtt://alice:{SECRET}@host:99999", f"mqtts://alice:{SECRET}@",
            f"mqtt://alice:{SECRET}@host/path", f"http://alice:{SECRET}@host"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_broker_url_with_a_password_is_never_echoed(home: Path, url: str) -> None:
    """2.1 `GLOWLINE_MQTT_URL='mqtt://alice:PASSWORD@[::1:1883'` printed the password (urlsplit failed first)."""
    env = env_for(home, GLOWLINE_MQTT_URL=url)
    for args in (("live", "--timeout", "1"), ("config", "show"), ("doctor", "--timeout", "1"),
                 ("login", "--mqtt", "--password-stdin")):
        proc = run(env, *args, input="x\n", timeout=60)
        assert SECRET not in proc.stdout + proc.stderr, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
    live = run(env, "live", "--timeout", "1")
    assert live.returncode == 2 and live.stderr.count("\n") == 1, live.stderr


def test_config_show_never_prints_a_broker_password_and_shows_what_is_in_effect(home: Path) -> None:
    """2.2 `config show` printed a [live] mqtt URL's password; 7.3 it listed the file's URL while GLOWLINE_MQTT_URL
    was in effect, and no live.* defaults."""
    folder = home / ".config" / "glowline"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text(f'[live]\nmqtt = "mqtt://alice:{SECRET}@broker.lan:1883"\n')
    shown = run(env_for(home), "config", "show")
    assert SECRET not in shown.stdout + shown.stderr
    assert "live.mqtt" in shown.stdout and "broker.lan" in shown.stdout and shown.returncode == 8
    (folder / "config.toml").write_text('[live]\nmqtt = "mqtt://file.lan:1883"\n')
    env = env_for(home, GLOWLINE_MQTT_URL="mqtt://env.lan:1884")
    rows = {line.split(" = ")[0]: line for line in run(env, "config", "show").stdout.splitlines() if " = " in line}
    assert "env.lan" in rows["live.mqtt"] and "environment GLOWLINE_MQTT_URL" in rows["live.mqtt"]
    assert "file.lan" not in rows["live.mqtt"]
    for key, value in (("live.topic_prefix", '"glow"'), ("live.device", '"+"'), ("live.max_age", "60.0"),
                       ("live.show", "false"), ("live.stale", '"hide"')):
        assert key in rows and value in rows[key] and rows[key].endswith("# default"), rows.get(key)


def test_the_refresher_gets_no_broker_password(home: Path, emulator: Emulator) -> None:
    """2.3 the refresher's environment kept GLOWLINE_MQTT_PASSWORD (the account password was already scrubbed)."""
    env = glowline_env(home, emulator, GLOWLINE_MQTT_PASSWORD=SECRET, GLOWLINE_MQTT_URL="mqtt://alice@127.0.0.1:9")
    assert run(env, "--timeout", "30").returncode == 0
    age_cache(home, 3 * 3600)
    emulator.fault("hang", path="/readings")  # keeps the refresher alive so it can be inspected
    try:
        assert run(env, "--timeout", "1", "--format", "tmux").returncode == 0
        assert wait_until(lambda: refresher(home) is not None, 10)
        found = refresher(home)
        assert found is not None
        _pid, argv, environ = found
        assert SECRET.encode() not in environ + argv and b"GLOWLINE_MQTT_PASSWORD" not in environ
    finally:
        emulator.clear_faults()
    assert wait_until(lambda: refresher(home) is None, 15)


def test_doctor_masks_whole_values_not_substrings(home: Path, emulator: Emulator) -> None:
    """2.4 doctor masked a short password inside other text: 'referee@***.org'."""
    env = env_for(home, GLOWLINE_API_URL=emulator.url, GLOWLINE_USERNAME="referee@example.org",
                  GLOWLINE_PASSWORD="example")
    proc = run(env, "doctor", "--format", "json", "--timeout", "5", timeout=60)
    text = json.dumps(json.loads(proc.stdout))
    assert "referee@example.org" in text and "***.org" not in text, text
