"""glowline's benchmark: the status line warm and cold (against a peer's whole job), HTTP requests per scenario,
the hung-API deadline, memory, how often `glowline watch` wakes up, and what the SQLite history saves a report.

    python benchmarks/bench.py            # builds build/bench-venv with `pip install .` (not editable) first

Not a test: it measures and prints, and its output goes into docs/performance.md. Every process is
real: the installed `glowline` launcher against the project's emulator on 127.0.0.1.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "build" / "bench-venv"
RUNS = 41
COLD_RUNS = 15
HISTORY_RUNS = 9
WATCH_SECONDS = 30


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> None:
    """Re-run this script inside a fresh non-editable install (an editable install's import hook costs ~7 ms)."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not venv_python().exists():
        print("building", VENV, "(pip install .)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(venv_python()), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(ROOT)], check=True
    )
    subprocess.run([str(venv_python()), "-m", "pip", "install", "-q", str(ROOT)], check=True)
    os.execv(str(venv_python()), [str(venv_python()), __file__, *sys.argv[1:]])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {system}, Python {platform.python_version()}"


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Wall time (s) of one process."""
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


# Peak memory: ru_maxrss of a child also counts the memory of the process that forked it, so each process reads
# its own VmHWM (peak RSS of its own address space) from /proc at the end of a run of the given script.
HWM = """
import runpy, sys
sys.argv = [sys.argv[1]]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
for line in open("/proc/self/status"):
    if line.startswith("VmHWM"):
        sys.stderr.write(line.split()[1])
"""


def spread(values: list[float], scale: float = 1.0, unit: str = "") -> str:
    """min / median / max of ``values``."""
    return " / ".join(f"{v * scale:.2f}{unit}" for v in (min(values), statistics.median(values), max(values)))


def wakeups_per_minute(argv: list[str], env: dict[str, str], seconds: float) -> float:
    """Voluntary context switches per minute of a running process (each return from a blocking wait is one),
    counted by the kernel (/proc/PID/status) over ``seconds`` after it settled."""

    def switches(pid: int) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches"):
                return int(line.split()[1])
        raise RuntimeError("no voluntary_ctxt_switches")

    read_end, write_end = os.pipe()  # a bar's stdin: open, silent
    proc = subprocess.Popen(argv, env=env, stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        before = switches(proc.pid)
        time.sleep(seconds)
        return (switches(proc.pid) - before) * 60 / seconds
    finally:
        proc.terminate()
        proc.wait(10)
        os.close(read_end)
        os.close(write_end)


def requests_per_day(home: Path, caller_every: float = 5.0, real_service: bool = False, days: int = 1
                     ) -> dict[str, int]:
    """A status bar asking every ``caller_every`` seconds for ``days`` days: the status line's own refresh decision
    (glowline.status.policy, on the real days file) and the real refresh (glowline.data.sync) against an emulator,
    both on one simulated clock. Returns the emulator's request counts by kind over the last day. ``real_service``:
    the emulator plays the service's habits (provisional zeros, late holes, a glitch, lastTs as the end)."""
    from glowline import paths
    from glowline.commands.demo import environment
    from glowline.data.sync import refresh
    from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME, Emulator, Habits
    from glowline.status import days as days_file
    from glowline.status import policy

    start = time.time() - (2 + days) * 86400
    clock = [start]
    habits = Habits(provisional_zeros=True, late_holes=True, glitch_at=int(start) // 1800 * 1800 + 3600,
                    last_ts_end=True) if real_service else None
    with Emulator(now=lambda: clock[0], habits=habits) as emu, environment(
        HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
        GLOWLINE_API_URL=emu.url, GLOWLINE_USERNAME=DEMO_USERNAME, GLOWLINE_PASSWORD=DEMO_PASSWORD,
    ):
        refresh("", "electricity.consumption", 10, "Europe/London", now=clock[0])
        emu.reset_counts()
        path = paths.days_path("", "electricity.consumption", "Europe/London")
        steps = int(days * 86400 / caller_every)
        for n in range(1, steps + 1):
            if n == steps - int(86400 / caller_every) + 1:
                emu.reset_counts()  # the last day: the steady state
            clock[0] = start + n * caller_every
            summ = days_file.read(path)
            if summ is None or policy.refresh_due(summ.fetched_at, clock[0], 30.0):
                refresh("", "electricity.consumption", 10, "Europe/London", now=clock[0] + 0.35)
        return {kind: emu.count(kind) for kind in ("readings", "last-time", "auth", "catchup")} | {"all": emu.count()}


def peak_kib(python: str, script: str, env: dict[str, str]) -> int:
    proc = subprocess.run([python, "-c", HWM, script], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, check=True)
    return int(proc.stderr.strip().splitlines()[-1])


def main() -> int:
    ensure_venv()
    sys.path.insert(0, str(ROOT))
    from glowline.emulator import Emulator
    from glowline.status.spawn import is_locked
    from tests.helpers import age_cache, glowline_env, wait_until

    python = sys.executable
    launcher = str(Path(python).parent / "glowline")
    lines = [f"machine: {machine()}", f"interpreter: {python}", ""]

    def refreshed(home: Path) -> bool:
        return not is_locked(str(home / ".cache/glowline/default--electricity.consumption.lock"))

    with tempfile.TemporaryDirectory() as tmp, Emulator() as emu:
        home = Path(tmp) / "home"
        env = glowline_env(home, emu)
        env.pop("PYTHONPATH", None)  # the installed package, not the source tree
        subprocess.run([launcher, "fetch", "--days", "31"], env=env, check=True)

        # 1. warm-cache wall time, interleaved with the bare interpreter
        bare, warm = [], []
        for _ in range(RUNS):
            bare.append(timed([python, "-c", "pass"], env))
            warm.append(timed([launcher], env))
        mb, mw = statistics.median(bare), statistics.median(warm)
        empty = Path(tmp) / "empty.py"
        empty.write_text("")
        rss_bare = [peak_kib(python, str(empty), env) for _ in range(5)]
        rss_warm = [peak_kib(python, launcher, env) for _ in range(5)]
        ratios = [w / b for w, b in zip(warm, bare, strict=True)]
        lines += [
            f"warm-cache `glowline` vs `python -c pass`, {RUNS} interleaved runs each (medians):",
            f"  python -c pass   {mb * 1000:6.1f} ms",
            f"  glowline         {mw * 1000:6.1f} ms",
            f"  ratio            {statistics.median(ratios):6.2f}x   (min / median / max {spread(ratios, unit='x')}; "
            "target <= 1.35x)",
            "",
            f"peak memory (VmHWM, median of 5): empty script {statistics.median(rss_bare) / 1024:.1f} MiB, "
            f"glowline warm {statistics.median(rss_warm) / 1024:.1f} MiB",
            "",
            "HTTP requests per scenario (counted by the emulator):",
        ]

        # 2. requests per scenario
        emu.reset_counts()
        subprocess.run([launcher, "--days", "31"], env=env, check=True, capture_output=True)
        lines.append(f"  fresh cache:                                   {emu.count():3d} requests  (target 0)")

        age_cache(home, 3600)
        emu.reset_counts()
        started = time.perf_counter()
        subprocess.run([launcher, "--days", "31"], env=env, check=True, capture_output=True)
        stale_ms = (time.perf_counter() - started) * 1000
        wait_until(lambda: emu.count() >= 1 and refreshed(home), 20)
        lines.append(
            f"  stale cache, valid token, 31 days:             {emu.count('readings'):3d} readings calls, "
            f"{emu.count():d} requests in all  (target: 1 readings + 1 last-time + at most 1 catchup); the stale line "
            "itself printed in "
            f"{stale_ms:.0f} ms "
            "while the refresh ran in the background"
        )

        age_cache(home, 3600)
        emu.reset_counts()
        emu.fault("slow", delay=0.5)
        procs = [subprocess.Popen([launcher, "--format", "tmux"], env=env, stdout=subprocess.DEVNULL)
                 for _ in range(16)]
        for p in procs:
            p.wait()
        wait_until(lambda: emu.count() >= 1 and refreshed(home), 20)
        emu.clear_faults()
        lines.append(f"  16 concurrent stale callers:                   {emu.count('readings'):3d} refresh in total "
                     "(target 1)")

        cold = Path(tmp) / "cold"
        cold_env = glowline_env(cold, emu)
        cold_env.pop("PYTHONPATH", None)
        emu.reset_counts()
        subprocess.run([launcher, "--days", "365", "--timeout", "60"], env=cold_env, check=True, capture_output=True)
        first = emu.count("readings")
        age_cache(cold, 3600)
        emu.reset_counts()
        subprocess.run([launcher, "--days", "365"], env=cold_env, check=True, capture_output=True)
        wait_until(lambda: emu.count() >= 1 and refreshed(cold), 20)
        lines.append(f"  cold 365-day history:                          {first:3d} readings calls "
                     f"(target <= 13: 365 + 21 days), then {emu.count('readings')} per refresh (target 1)")

        # 3. the cold line (empty cache, the credentials in the environment) against a peer's whole job
        from glowline.emulator import DEMO_PASSWORD, DEMO_USERNAME

        peer = [python, str(ROOT / "benchmarks" / "peer_flow.py"), emu.url, DEMO_USERNAME, DEMO_PASSWORD]
        cold_times, peer_times = [], []
        for n in range(COLD_RUNS):
            fresh_env = glowline_env(Path(tmp) / f"cold-{n}", emu)
            fresh_env.pop("PYTHONPATH", None)
            cold_times.append(timed([launcher, "--days", "10", "--timeout", "30"], fresh_env))
            peer_times.append(timed(peer, fresh_env))
        pairs = [c / p for c, p in zip(cold_times, peer_times, strict=True)]
        lines += [
            "",
            f"cold line (empty cache, credentials in the environment) vs a peer's whole job ({COLD_RUNS} pairs):",
            "  peer: python + requests: auth, virtual entities, resources, one readings request, print the sum",
            f"  peer flow        {spread(peer_times, 1000, ' ms')}   (min / median / max)",
            f"  glowline cold    {spread(cold_times, 1000, ' ms')}",
            f"  ratio            {spread(pairs, unit='x')}   (target: median <= 1.0x)",
        ]

        # 4. how often a persistent `watch` wakes up with nothing to do
        rate = wakeups_per_minute([launcher, "watch", "--format", "waybar", "--interval", "300"], env, WATCH_SECONDS)
        lines += ["", f"`glowline watch --format waybar --interval 300`, idle for {WATCH_SECONDS} s: "
                      f"{rate:.1f} wakeups per minute (voluntary context switches; a 1 s poll would be 60)"]

        # 5. the polite refresh clock: a status bar every 5 s for a simulated day
        counts = requests_per_day(Path(tmp) / "day")
        lines += ["", "a status bar every 5 s for a day (simulated clock, real refreshes against the emulator):",
                  f"  {counts['readings']} readings requests per resource per day (target <= 48: one per half hour), "
                  f"{counts['last-time']} last-time, {counts['catchup']} catchup (target <= 48), "
                  f"{counts['auth']} auth, {counts['all']} requests in all"]
        counts = requests_per_day(Path(tmp) / "real", real_service=True, days=3)
        lines += ["  the same against the real service's habits (provisional zeros, late holes, a glitch, lastTs as "
                  "the end; the third day, settling window and hole back-off included):",
                  f"  {counts['readings']} readings requests per resource per day (target <= 50: 48 + 2), "
                  f"{counts['last-time']} last-time, {counts['all']} requests in all"]

        # 6. the deadline while the API hangs (no cache at all: the worst case)
        lines += ["", "wall time while the API hangs (no cache; default --timeout 2):"]
        emu.fault("hang")
        for fmt in ("plain", "waybar"):
            hung = Path(tmp) / f"hung-{fmt}"
            hung_env = glowline_env(hung, emu)
            hung_env.pop("PYTHONPATH", None)
            started = time.perf_counter()
            subprocess.run([launcher, "--format", fmt], env=hung_env, capture_output=True)
            lines.append(f"  --format {fmt:7s} {time.perf_counter() - started:5.2f} s  (target <= 2.3 s)")
        emu.clear_faults()

        # 8. the history: a report of 30 days (81 days of each resource with its baseline) with no cache, in a home
        # that ran `glowline sync` and in one that did not, side by side
        synced = Path(tmp) / "synced"
        synced_env = glowline_env(synced, emu)
        synced_env.pop("PYTHONPATH", None)
        since = (date.today() - timedelta(days=100)).isoformat()
        subprocess.run([launcher, "sync", "--since", since], env=synced_env, check=True, capture_output=True)
        report = [launcher, "report", "--days", "30"]
        with_times, without_times, reads = [], [], {}
        for n in range(HISTORY_RUNS):
            shutil.rmtree(synced / ".cache", ignore_errors=True)  # the cache gone, the history kept
            emu.reset_counts()
            with_times.append(timed(report, synced_env))
            reads["with"] = (emu.count("readings"), sum(r.query.get("period") == "PT30M" for r in emu.requests))
            plain_env = glowline_env(Path(tmp) / f"plain-{n}", emu)
            plain_env.pop("PYTHONPATH", None)
            emu.reset_counts()
            without_times.append(timed(report, plain_env))
            reads["without"] = (emu.count("readings"), 0)
        ratios = [a / b for a, b in zip(with_times, without_times, strict=True)]
        lines += [
            "",
            f"`glowline report --days 30` with no cache, after `glowline sync --since <100 days ago>` vs without "
            f"({HISTORY_RUNS} pairs):",
            f"  without history  {spread(without_times, 1000, ' ms')}   {reads['without'][0]} readings requests",
            f"  with history     {spread(with_times, 1000, ' ms')}   {reads['with'][0]} readings requests "
            f"({reads['with'][1]} of them the newest hours in half-hours)",
            f"  ratio            {spread(ratios, unit='x')}",
        ]

    lines += live_section(python, launcher)
    lines += tail_section(python, launcher)
    lines += template_section(python, launcher)
    lines += export_section(python, launcher)
    print("\n".join(lines))
    return 0


# 7. live power: the status line with --live (the live file a `glowline live --daemon` keeps current) stays on the
# fast path; appended as its own section so the sections above keep their numbers.
def live_section(python: str, launcher: str) -> list[str]:
    """Warm `glowline --live --format waybar` against `python -c pass`, interleaved (target <= 1.4x)."""
    from glowline.emulator import Emulator
    from glowline.status import live as live_file
    from tests.helpers import glowline_env

    with tempfile.TemporaryDirectory() as tmp, Emulator() as emu:
        home = Path(tmp) / "home"
        env = glowline_env(home, emu)
        env.pop("PYTHONPATH", None)
        subprocess.run([launcher, "fetch"], env=env, check=True)
        bare, with_live = [], []
        for _ in range(RUNS):
            # what the daemon writes on every message (atomic replace), so each line reads a fresh value
            (home / ".cache" / "glowline" / "live.power").write_text(
                live_file.encode(425.0, time.time(), "mqtt", "BCDDC2C6A91C", time.time()))
            bare.append(timed([python, "-c", "pass"], env))
            with_live.append(timed([launcher, "--live", "--format", "waybar"], env))
        shown = subprocess.run([launcher, "--live"], env=env, capture_output=True, text=True).stdout.strip()
    ratios = [w / b for w, b in zip(with_live, bare, strict=True)]
    return [
        "",
        f"warm-cache `glowline --live --format waybar` vs `python -c pass`, {RUNS} interleaved runs (medians):",
        f"  python -c pass   {statistics.median(bare) * 1000:6.1f} ms",
        f"  glowline --live  {statistics.median(with_live) * 1000:6.1f} ms   ({shown})",
        f"  ratio            {statistics.median(ratios):6.2f}x   (min / median / max {spread(ratios, unit='x')}; "
        "target <= 1.4x)",
    ]


# 8. the tail from the meter (issue 22): the warm line that adds the register's tail (a days file naming the IHD, a
# register record of four days) beside the same line without one, interleaved in one run (target: within 5%).
def tail_section(python: str, launcher: str, runs: int = RUNS) -> list[str]:
    """Warm `glowline --format waybar` with the tail from the meter against the same line without it."""
    from glowline.emulator import Emulator
    from glowline.status import days as days_file
    from glowline.status import registers as record_file
    from tests.helpers import glowline_env

    mac = "BCDDC2C6A91C"
    with tempfile.TemporaryDirectory() as tmp, Emulator() as emu:
        envs = []
        for name in ("with", "without"):
            env = glowline_env(Path(tmp) / name, emu)
            env.pop("PYTHONPATH", None)
            subprocess.run([launcher, "fetch"], env=env, check=True)
            envs.append(env)
        cache = Path(tmp) / "with" / ".cache" / "glowline"
        path = str(cache / "default--electricity.consumption--Europe_London.days")
        summ = days_file.read(path)
        assert summ is not None and summ.delivered is not None
        summ.meter = mac  # as a refresh writes it once the IHD's register agrees with the DCC
        days_file.write(path, summ)
        now = int(time.time())
        boundaries = {b: 10000.0 + (b - now) / 7200 for b in range(now // 1800 * 1800 - 4 * 86400, now, 1800)}
        tracks = {c: record_file.Track(now, 10000.0, dict(boundaries)) for c in record_file.CLASSIFIERS}
        with_tail, without = [], []
        for _ in range(runs):
            tracks[record_file.CLASSIFIERS[0]].newest_at = float(int(time.time()))  # fresh, as the daemon keeps it
            (cache / "live.registers").write_text(record_file.encode({mac: tracks}))
            with_tail.append(timed([launcher, "--format", "waybar"], envs[0]))
            without.append(timed([launcher, "--format", "waybar"], envs[1]))
        shown = subprocess.run([launcher, "--format", "json"], env=envs[0], capture_output=True, text=True).stdout
    ratios = [a / b for a, b in zip(with_tail, without, strict=True)]
    return [
        "",
        f"warm-cache `glowline --format waybar` with the tail from the meter vs without, {runs} interleaved runs "
        "(medians):",
        f"  without the tail {statistics.median(without) * 1000:6.1f} ms",
        f"  with the tail    {statistics.median(with_tail) * 1000:6.1f} ms   (from_meter in the line: "
        f"{'from_meter' in shown})",
        f"  ratio            {statistics.median(ratios):6.2f}x   (min / median / max {spread(ratios, unit='x')}; "
        "target <= 1.05x)",
    ]


#: the templated line measured (issue 23): every kind of field, an icon, the cost of a second days file
TEMPLATE = "{icon} {today} today, {spark} {total} {age} {cost_today}"


def template_section(python: str, launcher: str) -> list[str]:
    """The templated warm line against `python -c pass` (target <= 1.4x), and a prompt's cost both ways: running
    `glowline --format prompt --cached-only` per prompt, or reading the pre-rendered line ([files] formats) with
    zsh's `$(<file)`, each inside one zsh -c, interleaved."""
    from glowline.emulator import Emulator
    from tests.helpers import glowline_env

    with tempfile.TemporaryDirectory() as tmp, Emulator() as emu:
        home = Path(tmp) / "home"
        env = glowline_env(home, emu)
        env.pop("PYTHONPATH", None)
        config = home / ".config" / "glowline" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'[templates]\nplain = "{TEMPLATE}"\n[icons]\nset = "emoji"\n[files]\nformats = ["prompt"]\n')
        subprocess.run([launcher, "fetch", "--resource", "electricity,electricity-cost"], env=env, check=True)
        shown = subprocess.run([launcher], env=env, capture_output=True, text=True).stdout.strip()
        plain_env = glowline_env(Path(tmp) / "plain", emu)  # the same data, no config: the line's own shape
        plain_env.pop("PYTHONPATH", None)
        subprocess.run([launcher, "fetch"], env=plain_env, check=True)
        bare, templated, untemplated = [], [], []
        for _ in range(RUNS):
            bare.append(timed([python, "-c", "pass"], env))
            templated.append(timed([launcher], env))
            untemplated.append(timed([launcher], plain_env))
        line_file = home / ".cache" / "glowline" / "default--electricity.consumption--prompt.line"
        by_process = ["zsh", "-fc", f"x=$({launcher} --format prompt --cached-only)"]
        by_file = ["zsh", "-fc", f"x=$(<{line_file})"]
        bare_zsh = ["zsh", "-fc", "x=1"]
        process_ms, file_ms, zsh_ms = [], [], []
        for _ in range(RUNS):
            zsh_ms.append(timed(bare_zsh, env))
            process_ms.append(timed(by_process, env))
            file_ms.append(timed(by_file, env))
    ratios = [t / b for t, b in zip(templated, bare, strict=True)]
    base = statistics.median(zsh_ms)
    return [
        "",
        f"warm-cache templated `glowline` ({TEMPLATE!r}) vs `python -c pass`, {RUNS} interleaved runs (medians):",
        f"  python -c pass   {statistics.median(bare) * 1000:6.1f} ms",
        f"  untemplated line {statistics.median(untemplated) * 1000:6.1f} ms   (no config)",
        f"  templated line   {statistics.median(templated) * 1000:6.1f} ms   ({shown}; [files] and [icons] set too)",
        f"  ratio            {statistics.median(ratios):6.2f}x   (min / median / max {spread(ratios, unit='x')}; "
        "target <= 1.4x)",
        "",
        f"a prompt's cost, inside `zsh -fc` ({RUNS} interleaved runs, medians; the shell alone {base * 1000:.1f} ms):",
        f"  $(glowline --format prompt --cached-only)   +{(statistics.median(process_ms) - base) * 1000:6.1f} ms",
        f"  $(<pre-rendered file)  ([files] formats)     +{(statistics.median(file_ms) - base) * 1000:6.1f} ms",
    ]


# 9. export streams: peak memory of `glowline export` over 1 and 11 years of history (glowline sync's file, written
# straight into SQLite here), side by side: the memory of a window, not of the range (target < 100 MiB).
PEAK_CHILD = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""


def export_section(python: str, launcher: str) -> list[str]:
    """Peak RSS of `glowline export --resource electricity,gas` over 1 and 11 years of stored half-hours."""
    from glowline.emulator import Emulator
    from tests.helpers import glowline_env, populate_history

    lines = ["", "`glowline export --resource electricity,gas -o FILE` from the history, peak RSS (target < 100 MiB):"]
    for years in (1, 11):
        with tempfile.TemporaryDirectory() as tmp, Emulator() as emu:
            home = Path(tmp) / "home"
            for sub in (".config", ".cache", ".local/share", "run"):
                (home / sub).mkdir(parents=True)
            env = glowline_env(home, emu)
            env.pop("PYTHONPATH", None)
            saved = dict(os.environ)
            os.environ.update(env)
            try:
                start = populate_history(emu, years)
            finally:
                os.environ.clear()
                os.environ.update(saved)
            first = time.strftime("%Y-%m-%d", time.gmtime(start + 86400))
            started = time.perf_counter()
            proc = subprocess.run([python, "-c", PEAK_CHILD, launcher, "export", "--from", first, "--resource",
                                   "electricity,gas", "-o", str(home / "out.csv")], env=env, capture_output=True,
                                  text=True, check=True)
            wall = time.perf_counter() - started
            rows = (home / "out.csv").read_text().count("\n") - 1
            lines.append(f"  {years:2d} years  {rows:7d} rows  {int(proc.stdout) / 1024:6.1f} MiB  {wall:5.1f} s")
    return lines


if __name__ == "__main__":
    sys.exit(main())
