"""Refusals that only the user can fix, as the real service sends them (glowmarkt-api.md 8; issue 19 finding 5): a 403
(the account must accept new terms in the Bright app, jonandel#73) has its own line and exit code, re-authenticates
once, and is recorded like other failures (no retry storm); a ``first-time`` 404 is "no data yet", and sync goes on."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from glowline.errors import EXIT_CODES, ExitStatus
from glowline.status import policy
from tests.helpers import glowline_env, run

HOME = "DCC Sourced"


def test_403_has_its_own_line_and_exit_code(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("403", path="/resource/")
    emulator.reset_counts()
    proc = run(env, "fetch")
    assert proc.returncode == ExitStatus.ACCOUNT == 12, proc.stderr
    err = proc.stderr.strip()
    assert "Bright app" in err and "403" in err and len(err.splitlines()) == 1
    assert "unexpected HTTP" not in err and "Traceback" not in err
    assert 12 in {code for code, _ in EXIT_CODES}
    # re-authenticated once, then stopped: one readings request, one retry with the new token
    assert emulator.count("readings") + emulator.count("resource") <= 2
    assert emulator.count("auth") <= 2


def test_a_403_is_recorded_and_holds_the_line_back(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("403", path="/readings")
    assert run(env, "fetch").returncode == 12
    record = policy.read_failure("", "electricity.consumption", "Europe/London")
    assert record is not None and record.kind == "account" and record.exit_code == 12
    assert "Bright app" in record.message
    assert record.kind in policy.USER_FIX_KINDS  # the status line waits RETRY_AFTER_USER_FIX, not a minute
    assert policy.too_soon_after(record, record.at + policy.RETRY_AFTER + 1)
    emulator.reset_counts()
    for _ in range(3):  # status lines in the next minutes: the line (exit 12, as fetch), no new request
        line = run(env)
        assert line.returncode == 12 and "Bright app" in line.stderr and "Traceback" not in line.stderr
    bar = run(env, "--format", "i3blocks")  # a status format: exit 0, a degraded line with the reason
    assert bar.returncode == 0 and "see Bright app" in bar.stdout
    assert emulator.count("readings") == 0
    emulator.clear_faults()
    assert run(env, "fetch").returncode == 0  # once the user has fixed it, a fetch works and clears the record
    assert policy.read_failure("", "electricity.consumption", "Europe/London") is None


def test_a_403_on_login_is_not_a_wrong_password(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    emulator.fault("403", path="/auth")
    proc = run(env, "fetch")
    assert proc.returncode == 12 and "Bright app" in proc.stderr and "wrong username or password" not in proc.stderr


def test_first_time_404_is_no_data_yet_and_sync_goes_on(home: Path, emulator: Any) -> None:
    env = glowline_env(home, emulator)
    gas = emulator.resource_id(HOME, "gas.consumption")
    emulator.fault("404", path=f"/resource/{gas}/first-time")
    proc = run(env, "sync", "--since", "2026-11-20", "--resource", "electricity,gas", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "gas: no data yet" in proc.stderr and "not found" not in proc.stderr
    db = sqlite3.connect(home / ".local/share/glowline/history.sqlite")
    try:
        kinds = {row[0] for row in db.execute("SELECT DISTINCT resource FROM readings")}
    finally:
        db.close()
    assert "electricity.consumption" in kinds and "gas.consumption" not in kinds


def test_a_403_of_catchup_alone_leaves_the_readings_their_own_re_login(account: Any) -> None:
    """catchup never logs in again; a 403 it met must not keep the readings from trying a fresh login once (a cold
    refresh's catchup is always due: the jitter of its own clock has passed)."""
    from glowline.data.sync import refresh

    emulator = account
    emulator.fault("403", path="/catchup")
    emulator.fault("403", times=1, path="/readings")  # the readings' first answer only: a fresh login cures it
    entry = refresh("", "electricity.consumption", 3, "Europe/London")
    assert entry.series.values
    assert emulator.count("catchup") == 1 and emulator.count("readings") >= 2
