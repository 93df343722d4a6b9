"""Never trapped: state that heals itself, numbers that depend only on the data and the options, and a polite
refresh clock. One test per finding of the issue, each over real HTTP against the emulator; the clock cases inject
one clock into both the emulator and the refresh (or run the real processes under faketime)."""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from glowline import paths
from glowline.catalog import STATUS_FORMATS
from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator
from glowline.status import days as days_file
from glowline.status import policy
from tests.fixtures_keyring import KeyringSetup
from tests.helpers import Clock, cache_dir, env_for, glowline_env, run, run_json, wait_until
from tests.tools import require

LONDON = ZoneInfo("Europe/London")
ELECTRICITY = "electricity.consumption"


def no_login_env(home: Path, emu: Emulator) -> dict[str, str]:
    """An API URL and no credentials at all (no keyring either): a new user before `glowline login`."""
    return env_for(home, GLOWLINE_API_URL=emu.url, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")


def error_files(home: Path) -> list[Path]:
    return sorted(cache_dir(home).glob("*.error"))


# -- 1. a fix is seen at once ----------------------------------------------------------------------------------------


def test_login_clears_an_earlier_failure_at_once(real_keyring: KeyringSetup, emulator: Emulator) -> None:
    env = {**real_keyring.env, "GLOWLINE_API_URL": emulator.url}
    before = run(env, "--timeout", "10")
    assert before.returncode == 3 and "not logged in" in before.stderr
    assert run(env, "--format", "waybar", "--timeout", "10").stdout.startswith('{"text":"glowline: not logged in"')
    login = run(env, "login", "--username", DEMO_USERNAME, "--password-stdin", input=DEMO_PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    after = run(env, "--timeout", "10")
    assert after.returncode == 0 and "kWh" in after.stdout, after.stderr
    assert "not logged in" not in run(env, "--format", "waybar").stdout


def test_credentials_appearing_in_the_environment_clear_an_earlier_failure(home: Path, emulator: Emulator) -> None:
    env = no_login_env(home, emulator)
    assert run(env, "--timeout", "10").returncode == 3
    assert error_files(home)  # the refresher recorded why
    env.update(GLOWLINE_USERNAME=DEMO_USERNAME, GLOWLINE_PASSWORD=DEMO_PASSWORD)
    after = run(env, "--timeout", "10")
    assert after.returncode == 0 and "kWh" in after.stdout, after.stderr
    assert error_files(home) == []


def test_a_new_config_file_clears_an_earlier_failure(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("500", path="/readings")
    assert run(env, "--timeout", "10").returncode == 5
    emulator.clear_faults()
    assert run(env, "--cached-only").returncode == 5  # within the back-off, nothing changed: the record holds
    config = Path(env["XDG_CONFIG_HOME"]) / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("days = 10\n")
    after = run(env, "--timeout", "10")
    assert after.returncode == 0 and "kWh" in after.stdout, after.stderr


# -- 2. a typo answers at once and poisons nothing ---------------------------------------------------------------------


@pytest.mark.parametrize("typo", [["--tz", "utc"], ["--tz", "Bogus/Zone"], ["--site", "nosuch"]])
def test_a_typo_in_one_bar_never_stalls_another(home: Path, emulator: Emulator, typo: list[str]) -> None:
    env = glowline_env(home, emulator)
    assert run(env, "fetch").returncode == 0
    bad = run(env, *typo, "--format", "waybar", "--timeout", "10")
    assert bad.returncode == 0 and json.loads(bad.stdout)["class"][-1] == "error"
    if typo[0] == "--tz":
        assert run(env, *typo).returncode == 2  # a usage error: answered at once ...
        assert error_files(home) == []  # ... and never recorded
    good = json.loads(run(env, "--format", "waybar").stdout)
    assert "kWh" in good["text"] and "error" not in good["class"] and "Error" not in good["tooltip"]
    assert run(env, "fetch").returncode == 0
    doctor = run(env, "doctor", "--no-launcher")
    cache_line = next(line for line in doctor.stdout.splitlines() if " cache " in line)
    assert "time zone" not in cache_line and "API check" not in cache_line
    if "nosuch" in cache_line:  # an unknown site is recorded for its own request only, with the fix that helps
        assert "check --site/--resource" in cache_line


# -- 3. typical depends on the data and the options only ---------------------------------------------------------------


def test_typical_does_not_depend_on_what_ran_before(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    first = run_json(env, "--timeout", "30")
    waybar = json.loads(run(env, "--format", "waybar").stdout)
    for other in (["--days", "14"], ["--days", "40"], ["--resource", "gas"], ["--days", "3"]):
        assert run(env, *other, "--timeout", "30").returncode == 0
        again = run_json(env)
        assert again["typical"] == first["typical"] and again["level"] == first["level"], other
        assert [d["level"] for d in again["days"]] == [d["level"] for d in first["days"]], other
        assert json.loads(run(env, "--format", "waybar").stdout)["percentage"] == waybar["percentage"], other
    assert first["typical"] is not None


# -- 4. --short draws 5 days and their total -------------------------------------------------------------------------


def test_short_shows_the_total_of_the_days_it_draws(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    doc = run_json(env, "--timeout", "30")
    text = run(env, "--short").stdout.strip()
    match = re.fullmatch(r"(\S+) (\d+) kWh", text)
    assert match, text
    assert len(match.group(1).rstrip("…")) == 5
    shown = sum(d["value"] for d in doc["days"][-5:] if d["value"] is not None)
    assert int(match.group(2)) == round(shown)
    assert round(shown) != round(doc["total"])  # the 10-day total is a different number


# -- 5. fetch several resources, and hints that name the command that helps ------------------------------------------


def test_fetch_refreshes_several_resources_and_all(home: Path, emulator: Emulator) -> None:
    env = glowline_env(home, emulator)
    empty = run(env, "--resource", "gas", "--cached-only")
    assert empty.returncode == 9 and "glowline fetch --resource gas" in empty.stderr
    assert run(env, "fetch", "--resource", "electricity,gas").returncode == 0
    for name in ("electricity", "gas"):
        assert run_json(env, "--resource", name, "--cached-only")["days"][-2]["value"] is not None
    assert run(env, "--resource", "export", "--cached-only").returncode == 9
    assert run(env, "fetch", "--resource", "all").returncode == 0
    for name in ("export", "electricity-cost", "gas-cost"):
        assert run(env, "--resource", name, "--cached-only").returncode == 0, name
    refused = run(env, "fetch", "--resource", "electricity,nosuch")
    assert refused.returncode == 2 and "nosuch" in refused.stderr


# -- 6 and 8. no request the API refuses, at any second, in any zone, after the clock moved back -----------------------


def local(day: date, hms: str, tz: ZoneInfo) -> float:
    h, m, s = (float(x) for x in hms.split(":"))
    midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
    return midnight.timestamp() + h * 3600 + m * 60 + s


def readings_from(emu: Emulator) -> list[float]:
    """The ``from`` of every readings request, as epochs (the emulator reads them as UTC)."""
    out = []
    for record in emu.requests:
        if record.kind == "readings":
            out.append(datetime.strptime(record.query["from"], "%Y-%m-%dT%H:%M:%S").replace(
                tzinfo=ZoneInfo("UTC")).timestamp())
    return out


@pytest.mark.parametrize("tz_name", ["Europe/London", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe"])
@pytest.mark.parametrize("hms", ["23:59:59.5", "00:00:00", "23:29:59.9", "00:59:59.99"])
@pytest.mark.parametrize("days", [10, 31])
def test_no_request_starts_in_the_future(clocked: tuple[Emulator, Clock], tz_name: str, hms: str, days: int) -> None:
    from glowline.data.sync import refresh

    emu, clock = clocked
    tz = ZoneInfo(tz_name)
    day = datetime.fromtimestamp(clock.now, tz).date()
    clock.now = local(day, hms, tz)
    entry = refresh("", ELECTRICITY, days, tz_name, now=clock.now)
    assert entry.series.values and all(start <= clock.now for start in readings_from(emu))


def test_a_clock_set_back_past_the_cached_span_is_trimmed_not_fatal(clocked: tuple[Emulator, Clock]) -> None:
    from glowline.data.sync import refresh

    emu, clock = clocked
    refresh("", ELECTRICITY, 10, "Europe/London", now=clock.now)
    clock.now -= 3 * 86400  # set back three days
    emu.reset_counts()
    entry = refresh("", ELECTRICITY, 10, "Europe/London", now=clock.now)
    assert entry.series.end <= clock.now + 3600
    assert emu.count("readings") >= 1 and all(start <= clock.now for start in readings_from(emu))
    summ = days_file.read(paths.days_path("", ELECTRICITY, "Europe/London"))
    assert summ is not None and summ.index_of(clock.now) >= 0


# -- 7. complete from delivery; a delivered zero is a zero -------------------------------------------------------------


def test_yesterday_is_complete_as_soon_as_its_last_half_hour_is_delivered(clocked: tuple[Emulator, Clock]) -> None:
    from glowline.data.sync import refresh

    emu, clock = clocked
    today = datetime.fromtimestamp(clock.now, LONDON).date()
    rid = emu.resource_id("DCC Sourced", ELECTRICITY)
    # electricity lags 2 half-hours: at 01:00:30 the last delivered half-hour is yesterday's 23:30-24:00
    clock.now = local(today, "01:00:30", LONDON)
    refresh("", ELECTRICITY, 10, "Europe/London", now=clock.now)
    summ = days_file.read(paths.days_path("", ELECTRICITY, "Europe/London"))
    assert summ is not None
    yesterday = summ.days[summ.index_of(clock.now) - 1]
    assert yesterday.complete, "all 48 half-hours are delivered"
    truth = sum(v for _, v in emu.half_hours(rid, yesterday.start, yesterday.end) if v is not None)
    assert yesterday.value == pytest.approx(truth, abs=1e-9)


def test_delivered_zero_half_hours_are_zeros_not_lag(clocked: tuple[Emulator, Clock]) -> None:
    """Export is zero all night; those delivered zeros make a complete day, not a pending one."""
    from glowline.data.sync import refresh

    emu, clock = clocked
    rid = emu.resource_id("DCC Sourced", "electricity.export")
    today = datetime.fromtimestamp(clock.now, LONDON).date()
    clock.now = local(today, "06:00:10", LONDON)  # export lags a day: delivered up to yesterday 06:00, night zeros
    refresh("", "electricity.export", 10, "Europe/London", now=clock.now)
    summ = days_file.read(paths.days_path("", "electricity.export", "Europe/London"))
    assert summ is not None
    before = summ.days[summ.index_of(clock.now) - 2]  # the day before yesterday ends in a night of zeros
    half_hours = emu.half_hours(rid, before.start, before.end)
    assert half_hours[-1][1] == 0.0  # the last half-hour of that day really is a zero
    assert before.complete
    assert before.value == pytest.approx(sum(v for _, v in half_hours if v is not None), abs=1e-9)


# -- 9. a short-lived token is renewed once per refresh ---------------------------------------------------------------


def test_a_short_lived_token_is_renewed_once(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from glowline.data.sync import refresh

    emu = Emulator(token_lifetime=3 * 3600)  # under a day: "renew soon" from the start
    emu.start()
    try:
        monkeypatch.setenv("GLOWLINE_API_URL", emu.url)
        monkeypatch.setenv("GLOWLINE_USERNAME", DEMO_USERNAME)
        monkeypatch.setenv("GLOWLINE_PASSWORD", DEMO_PASSWORD)
        refresh("", ELECTRICITY, 400, "Europe/London")
        assert emu.count("readings") >= 13 and emu.count("auth") == 1
    finally:
        emu.stop()


# -- 10. cost columns say what they hold -----------------------------------------------------------------------------


def test_cost_columns_say_whether_the_standing_charge_is_in(
    account: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    from glowline.commands import report
    from tests.test_tariff import parse_args

    args = parse_args("report", "--resource", "electricity,electricity-cost", "--days", "3", "--width", "120")
    assert report.run(args, {}) == 0
    text = capsys.readouterr().out
    header = text.split("daily")[1].split("\n")[1]
    assert header.count("GBP") == 2, header  # electricity's "GBP+SC" and electricity-cost's own GBP, not a copy
    assert "GBP+SC" in header
    assert "standing charge" in text and "energy only" in text


# -- 11. status formats turn every usage error into their degraded line ----------------------------------------------


@pytest.mark.parametrize("fmt", STATUS_FORMATS)
def test_status_formats_answer_a_bad_option_with_their_degraded_line(home: Path, emulator: Emulator, fmt: str) -> None:
    env = glowline_env(home, emulator)
    for bad in (["--days", "0"], ["--width", "x"], ["--tz", "Bogus/Zone"], ["--resource", "water"]):
        proc = run(env, "--format", fmt, *bad)
        assert proc.returncode == 0, (bad, proc.stderr)
        assert "Traceback" not in proc.stdout + proc.stderr
        assert "usage" in proc.stdout or proc.stdout.strip() == "", (bad, proc.stdout)  # each host's own form
    assert run(env, "--format", "plain", "--days", "0").returncode == 2  # plain keeps the usage exit code


# -- the polite refresh clock ----------------------------------------------------------------------------------------


def test_refresh_is_due_after_the_next_half_hour_not_after_max_age() -> None:
    fetched = 1_764_669_605.25  # 10:00:05.25 UTC on a day
    assert not policy.refresh_due(fetched, fetched + 600, 5)  # --max-age 5: ten minutes later, no new half-hour
    due = policy.due_at(fetched, 30)
    assert fetched + 1795 <= due <= fetched + 1795 + policy.JITTER
    assert policy.refresh_due(fetched, due, 30) and not policy.refresh_due(fetched, due - 1, 30)
    assert policy.refresh_due(fetched, fetched - 600, 30)  # stamped in the future: the clock went back
    assert not policy.refresh_due(fetched, fetched - 5, 30)  # a refresh that finished as this call began
    assert policy.due_at(fetched, 90) >= fetched + 3600  # a longer --max-age waits longer, still on the grid
    spread = {policy.jitter(fetched + n * 0.137) for n in range(50)}
    assert len(spread) > 40 and all(0 <= j < policy.JITTER for j in spread)


def test_bars_share_one_refresh_per_half_hour_under_a_real_clock(home: Path, emulator: Emulator) -> None:
    """Real processes under faketime: a fetch at 10:05, status lines at 10:20 (max-age 5 passed, no new half-hour:
    no request) and 10:33 (after the 10:30 boundary and its jitter: one refresh)."""
    require("faketime")
    day = date.today() - timedelta(days=1)
    env = glowline_env(home, emulator)

    def at(hms: str, *args: str) -> subprocess.CompletedProcess[str]:
        fake = {**env, "FAKETIME_DONT_RESET": "1"}
        return subprocess.run(["faketime", f"{day.isoformat()} {hms}", sys.executable, "-m", "glowline", *args],
                              env=fake, capture_output=True, text=True, timeout=60)

    assert at("10:05:00", "fetch").returncode == 0
    emulator.reset_counts()
    assert at("10:20:00", "--max-age", "5", "--format", "tmux").returncode == 0
    time.sleep(1.0)
    assert emulator.count("readings") == 0
    assert at("10:33:00", "--max-age", "5", "--format", "tmux").returncode == 0
    assert wait_until(lambda: emulator.count("readings") == 1, 15)


class SlowDown(http.server.ThreadingHTTPServer):
    """Forwards to the emulator, but answers readings with 429 and a Retry-After."""

    daemon_threads = True

    def __init__(self, upstream: str, retry_after: str) -> None:
        import urllib.request

        self.readings = 0
        server = self
        base = upstream.split("/api/v0-1/")[0]

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if "/readings" in self.path:
                    server.readings += 1
                    self.send_response(429)
                    self.send_header("Retry-After", retry_after)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                keep = {k: v for k, v in self.headers.items() if k.lower() in ("token", "applicationid",
                                                                                "content-type")}
                req = urllib.request.Request(base + self.path, data=body, headers=keep, method=self.command)
                with urllib.request.urlopen(req, timeout=10) as resp:
                    data = resp.read()
                    self.send_response(resp.status)
                    self.send_header("Content-Type", resp.headers.get("Content-Type", ""))
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            do_GET = do_POST = _any

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/api/v0-1/"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_retry_after_is_honoured(home: Path, emulator: Emulator) -> None:
    server = SlowDown(emulator.url, "900")
    try:
        env = {**glowline_env(home, emulator), "GLOWLINE_API_URL": server.url}
        proc = run(env, "fetch")
        assert proc.returncode == 5 and "busy" in proc.stderr and "900 s" in proc.stderr
        record = policy.read_failure_file(str(error_files(home)[0]))
        assert record is not None and record.retry_at >= record.at + 899
        # past the usual 60 s back-off, the API's 15 minutes still hold every bar back
        shifted = error_files(home)[0].read_text().replace(repr(record.at), repr(record.at - 120), 1)
        error_files(home)[0].write_text(shifted)
        for _ in range(3):
            run(env, "--format", "tmux", "--timeout", "1")
        assert server.readings == 1
    finally:
        server.shutdown()
        server.server_close()


# -- zones whose offset is not a whole hour ----------------------------------------------------------------------------


@pytest.mark.parametrize("tz_name", ["Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe"])
def test_a_bucket_belongs_to_the_local_day_it_starts_in(home: Path, emulator: Emulator, tz_name: str) -> None:
    env = glowline_env(home, emulator)
    doc = run_json(env, "--tz", tz_name, "--days", "5", "--timeout", "30")
    rid = emulator.resource_id("DCC Sourced", ELECTRICITY)
    tz = ZoneInfo(tz_name)
    checked = 0
    for day in doc["days"]:
        if not day["complete"]:
            continue
        start = local(date.fromisoformat(day["date"]), "00:00:00", tz)
        end = local(date.fromisoformat(day["date"]) + timedelta(days=1), "00:00:00", tz)
        first = int(start) // 1800 * 1800 + (1800 if int(start) % 1800 else 0)  # the first half-hour starting in it
        truth = sum(v for _, v in emulator.half_hours(rid, first, end) if v is not None)
        assert day["value"] == pytest.approx(truth, abs=1e-3), day
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("tz_name", ["Asia/Kolkata", "Asia/Kathmandu"])
def test_export_hour_rows_are_local_hours(account: Emulator, tz_name: str) -> None:
    from tests.test_export import run_export, table

    _, rows = table(run_export("--days", "2", "--period", "hour", "--tz", tz_name))
    assert len(rows) >= 24
    for row in rows:
        stamp = datetime.fromisoformat(row["timestamp"])
        assert stamp.minute == 0 and stamp.second == 0, row["timestamp"]
