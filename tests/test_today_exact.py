"""Issue 22's finding, as it was reported: with `glowline live --daemon` running and the IHD's registers three hours
ahead of the DCC, `glowline --format json` showed today's electricity as 1.283 kWh where the meter's register said
1.989, and gas 0.060 where it said 0.979. The inputs are the cache's own files as the refresher and the daemon
write them (a days file naming the site's IHD and the DCC's delivery horizon, and the register record), built here
as text, so that the test runs the status line's own route, and every format keeps its shape.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.helpers import cache_dir, env_for, run

LONDON = ZoneInfo("Europe/London")
MAC = "BCDDC2C6A91C"
SITE = "Holiday Cottage"
FORMATS = ("json", "waybar", "xbar", "prometheus", "plain", "tmux", "i3bar", "polybar", "motd")
#: resource -> (classifier, the DCC's today, the meter's today)
CASES = {"electricity": ("electricity.consumption", 1.283, 1.989), "gas": ("gas.consumption", 0.060, 0.979)}


def days_file(classifier: str, today: int, dcc: float, now: float, horizon: int, since: str) -> str:
    """The refresher's days file: yesterday delivered, today delivered up to ``horizon``, the site's IHD named."""
    def date(epoch: int) -> str:
        return datetime.fromtimestamp(epoch + 43200, LONDON).date().isoformat()

    tomorrow = int(datetime.combine(datetime.fromtimestamp(today, LONDON).date() + timedelta(days=1),
                                    datetime.min.time(), LONDON).timestamp())
    yesterday = int(datetime.combine(datetime.fromtimestamp(today, LONDON).date() - timedelta(days=1),
                                     datetime.min.time(), LONDON).timestamp())
    return (f"glowline-days 3\nresource\t{classifier}\nunit\tkWh\ntz\tEurope/London\nsite\t{SITE}\n"
            f"fetched_at\t{now!r}\t{MAC}\t{horizon}\t{since}\n"
            f"day\t{date(yesterday)}\t{yesterday}\t{today}\t8.0\t1\n"
            f"day\t{date(today)}\t{today}\t{tomorrow}\t{dcc!r}\t0\nend\n")


def test_today_is_the_meters_1_989_not_the_dccs_1_283(home: Path) -> None:
    now = time.time()
    today = int(datetime.combine(datetime.fromtimestamp(now, LONDON).date(), datetime.min.time(),
                                 LONDON).timestamp())
    horizon = max(today, int(now) // 1800 * 1800 - 3 * 3600)  # the registers three hours ahead of the DCC
    since = datetime.fromtimestamp(horizon, LONDON).strftime("%H:%M")
    cache = cache_dir(home)
    cache.mkdir(parents=True, mode=0o700)
    for classifier, dcc, _meter in CASES.values():
        name = f"Holiday_Cottage--{classifier}--Europe_London.days"
        (cache / name).write_text(days_file(classifier, today, dcc, now, horizon, since))
    env = env_for(home)

    def outputs() -> dict[tuple[str, str], str]:
        out = {}
        for resource in CASES:
            for fmt in FORMATS:
                args = ["--format", fmt, "--resource", resource, "--site", SITE, "--days", "2", "--cached-only"]
                proc = run(env, *args, *(["--ascii"] if fmt == "plain" else []), timeout=30)
                assert proc.returncode == 0, proc.stderr
                out[(resource, fmt)] = proc.stdout
        return out

    before = outputs()  # no register record: the DCC's half-hours alone, no error
    # the daemon's register record: each register at the DCC's horizon, and the newest message (fresh)
    lines = ["glowline-registers 1"]
    for classifier, dcc, meter in CASES.values():
        lines += [f"n\t{MAC}\t{classifier}\t{int(now) - 2}\t{20000.0 + meter - dcc!r}",
                  f"b\t{MAC}\t{classifier}\t{horizon}\t20000.0"]
    (cache / "live.registers").write_text("\n".join([*lines, "end"]) + "\n")
    after = outputs()
    for resource, (_classifier, dcc, meter) in CASES.items():
        old, new = json.loads(before[(resource, "json")]), json.loads(after[(resource, "json")])
        assert old["days"][1]["value"] == dcc and "from_meter" not in old["days"][1] and old["error"] is None
        assert new["days"][1]["value"] == meter, (resource, new["days"][1])  # the meter's today, not the DCC's
        assert new["days"][1]["from_meter"] == round(meter - dcc, 3)
        assert new["days"][1]["complete"] is False and new["days"][0] == old["days"][0]
        assert list(new) == list(old)  # the same keys; a day gains only "from_meter"
        assert f"today from the meter since {since}" in json.loads(after[(resource, "waybar")])["tooltip"]
        assert f"today from the meter since {since}" in after[(resource, "xbar")]
        assert 'source="dcc+meter"' in after[(resource, "prometheus")]
        assert "glowline_today_from_meter_kwh{" in after[(resource, "prometheus")]
        for fmt in ("plain", "tmux", "i3bar", "polybar", "motd"):  # the same shape, the meter's numbers
            assert after[(resource, fmt)].count("\n") == before[(resource, fmt)].count("\n"), fmt
            assert after[(resource, fmt)] != before[(resource, fmt)], fmt


def test_pre_rendered_lines_follow_the_meter(home: Path) -> None:
    """[files] formats: a prompt's pre-rendered line shows the meter's today too, rewritten when the register moves
    the total as shown (not only when new data is fetched)."""
    now = time.time()
    today = int(datetime.combine(datetime.fromtimestamp(now, LONDON).date(), datetime.min.time(),
                                 LONDON).timestamp())
    horizon = max(today, int(now) // 1800 * 1800 - 3 * 3600)
    cache = cache_dir(home)
    cache.mkdir(parents=True, mode=0o700)
    (cache / "Holiday_Cottage--electricity.consumption--Europe_London.days").write_text(
        days_file("electricity.consumption", today, 1.283, now, horizon, "07:30"))
    config = home / ".config" / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'site = "{SITE}"\ndays = 2\n[files]\nformats = ["plain"]\n')
    env = env_for(home)
    pre = cache / "Holiday_Cottage--electricity.consumption--plain.line"
    for _ in range(2):  # the first run compiles the config for the fast route, the second keeps the files
        assert run(env, "--format", "i3blocks", "--cached-only").returncode == 0  # a bar that runs anyway
    assert "9.3 kWh" in pre.read_text(encoding="utf-8")  # the DCC's 8.0 + 1.283
    (cache / "live.registers").write_text(f"glowline-registers 1\nn\t{MAC}\telectricity.consumption\t{int(now) - 2}\t"
                                          f"20000.706\nb\t{MAC}\telectricity.consumption\t{horizon}\t20000.0\nend\n")
    assert run(env, "--format", "i3blocks", "--cached-only").returncode == 0
    assert "10.0 kWh" in pre.read_text(encoding="utf-8")  # the meter's 1.989 today
    assert pre.read_text(encoding="utf-8") == run(env, "--format", "plain", "--cached-only").stdout
