"""Every snippet in docs/hosts.md and every file in examples/, run the way its host runs it, through
the real `glowline` command against the emulator: a real tmux server drawing status-right, i3bar's and i3blocks' streams
and clicks, Waybar and Polybar commands through `sh -c`, Starship's shell on stdin, bash and zsh prompt expansion,
an xbar plugin file, Conky's execpi command, and the MOTD stub under `env -i run-parts --lsbsysinit` with no HOME.
Machine formats are run with FORCE_COLOR=1 and must still carry no ANSI."""

from __future__ import annotations

import ast
import configparser
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from glowline.status.spawn import is_locked
from tests.helpers import age_cache, assert_balanced, cache_dir, glowline_env, wait_until
from tests.test_watch import I3barStream, Watch, click
from tests.tools import require as require_tool

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "hosts.md"  # the hosts doc ("Status bars and prompts")
EXAMPLES = ROOT / "examples"
MOTD_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
LOCK = "default--electricity.consumption.lock"
ANSI = "\x1b"

#: Each snippet of docs/hosts.md by a marker only it contains: (code-block language, marker).
SNIPPETS = {
    "tmux": ("tmux", "status-right"),
    "i3blocks": ("ini", "command=glowline --format i3blocks"),
    "i3blocks-persist": ("ini", "interval=persist"),
    "i3bar": ("text", "status_command"),
    "waybar": ("jsonc", '"interval"'),
    "waybar-continuous": ("jsonc", "glowline watch --format waybar"),
    "polybar": ("ini", "exec = glowline --format polybar"),
    "polybar-tail": ("ini", "tail = true"),
    "starship": ("toml", "[custom.glowline]"),
    "i3status-rs": ("toml", 'block = "custom"'),  # run by tests/test_templates.py
    "bash": ("bash", "PS1="),
    "zsh": ("zsh", "PROMPT="),
    "xbar": ("sh", "xbar/plugins"),
    "conky": ("lua", "execpi"),
    "py3status": ("py3status", "glowline_meter {"),
    "prometheus": ("sh", "textfile_collector"),
    "motd": ("sh", "update-motd.d"),
    "motd-output": ("text", "last 10 days"),
}


def hosts_section() -> str:
    """The host snippets of docs/hosts.md: the text between its hosts:begin and hosts:end markers."""
    text = DOC.read_text(encoding="utf-8")
    return text[text.index("<!-- hosts:begin") : text.index("<!-- hosts:end -->")]


def doc_blocks() -> list[tuple[str, str]]:
    return re.findall(r"```(\w+)\n(.*?)```", hosts_section(), re.S)


def snippet(name: str) -> str:
    kind, marker = SNIPPETS[name]
    found = [body for k, body in doc_blocks() if k == kind and marker in body]
    assert len(found) == 1, (name, found)
    return found[0]


def test_every_snippet_is_exercised() -> None:
    """Each code block of docs/hosts.md is one of SNIPPETS (each run by a test below), and each exists."""
    for kind, body in doc_blocks():
        names = [n for n, (k, marker) in SNIPPETS.items() if k == kind and marker in body]
        assert len(names) == 1, f"a snippet no test runs (or runs twice): {kind}: {body!r}"
    for name in SNIPPETS:
        snippet(name)


# ------------------------------------------------------------------------------------------------- set-up


def make_bin(folder: Path) -> Path:
    """A bin folder holding `glowline`: a link to the installed launcher."""
    folder.mkdir(parents=True, exist_ok=True)
    real = Path(sys.executable).parent / "glowline"
    if not real.exists():
        pytest.fail(f"the glowline console script is not installed next to {sys.executable} (pip install -e .)")
    target = folder / "glowline"
    target.symlink_to(real)
    return target


class Host:
    """The machine a host runs on: HOME, the glowline command on PATH, credentials for the emulator."""

    def __init__(self, home: Path, emu: Any, tmp_path: Path) -> None:
        self.home = home
        self.emu = emu
        self.glowline = make_bin(tmp_path / "bin")
        self.env = glowline_env(home, emu, FORCE_COLOR="1")
        self.env["PATH"] = f"{self.glowline.parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"
        self.env.pop("format", None)

    def sh(self, command: str, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
        """``/bin/sh -c COMMAND``, as tmux, i3blocks, Waybar, Polybar and Conky run commands."""
        return subprocess.run(["/bin/sh", "-c", command], env={**self.env, **extra}, input=stdin,
                              capture_output=True, text=True, timeout=60)

    def glowline_out(self, *args: str, **extra: str) -> str:
        proc = subprocess.run([str(self.glowline), *args], env={**self.env, **extra}, capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def warm(self) -> None:
        proc = subprocess.run([str(self.glowline), "fetch"], env=self.env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc
        self.emu.reset_counts()

    def refresh_done(self) -> bool:
        return not is_locked(str(cache_dir(self.home) / LOCK))


@pytest.fixture
def host(home: Path, emulator: Any, tmp_path: Path) -> Host:
    return Host(home, emulator, tmp_path)


@pytest.fixture
def warm_host(host: Host) -> Host:
    host.warm()
    return host


class ShellWatch(Watch):
    """A persistent host command started through `sh -c` (the pid is the shell's, which `exec` hands over)."""

    def __init__(self, env: dict[str, str], command: str) -> None:
        import queue
        import threading

        self.proc = subprocess.Popen(["/bin/sh", "-c", command], env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.assert_exec()

    def assert_exec(self) -> None:
        """The host's signals must reach glowline: the snippet's `exec` made the shell's pid glowline's."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cmdline = Path(f"/proc/{self.proc.pid}/cmdline").read_bytes().split(b"\0")
            is_python = "python" in os.path.basename(os.readlink(f"/proc/{self.proc.pid}/exe"))
            if is_python and (b"watch" in cmdline or any(b"glowline.commands.watch" in part for part in cmdline)):
                return
            time.sleep(0.05)
        pytest.fail(f"the shell did not exec glowline: {cmdline!r}")

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the session this test started, and only it
            self.proc.wait(timeout=10)
        super().close()


def strip_tmux(text: str) -> str:
    return re.sub(r"#\[[^\]]*\]", "", text).replace("##", "#")


# ------------------------------------------------------------------------------------------------- tmux


def test_tmux_status_right_from_the_doc(warm_host: Host, tmux_sockets: tuple[str, str], tmp_path: Path) -> None:
    """tmux, started with the doc's tmux.conf, runs #(glowline ...) itself; a real client draws the status line."""
    inner, outer = tmux_sockets
    conf = tmp_path / "tmux.conf"
    conf.write_text(snippet("tmux"), encoding="utf-8")
    command = re.search(r"#\((.*?)\)", snippet("tmux"))
    assert command is not None
    expected = strip_tmux(warm_host.sh(command.group(1)).stdout.rstrip("\n"))
    assert "kWh" in expected and "#[" not in expected
    # tmux runs #() with its global environment: the server's, given here (PATH with glowline, the account)
    subprocess.run(["tmux", "-S", inner, "-f", str(conf), "new-session", "-d", "-s", "main", "-x", "120", "-y", "10"],
                   env=warm_host.env, check=True, timeout=10)
    subprocess.run(["tmux", "-S", outer, "-f", "/dev/null", "new-session", "-d", "-s", "view", "-x", "120", "-y", "10",
                    f"env -u TMUX tmux -u -S {inner} attach -t main"], env=warm_host.env, check=True, timeout=10)
    status = ""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = subprocess.run(["tmux", "-S", outer, "capture-pane", "-p", "-t", "view"], capture_output=True,
                                text=True, timeout=10).stdout.rstrip("\n").split("\n")[-1]
        if expected in status:
            break
        time.sleep(0.2)
    assert expected in status, f"tmux drew {status!r}, expected {expected!r}"
    assert "#[" not in status and "not ready" not in status
    assert re.search(re.escape(expected) + r" \d\d:\d\d", status), status  # then the snippet's %H:%M


# ------------------------------------------------------------------------------------------------- i3blocks, i3bar


def ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"))
    parser.read_string(text)
    return parser


def test_i3blocks_block(warm_host: Host) -> None:
    block = ini(snippet("i3blocks"))["glowline"]
    assert int(block["interval"]) >= 60
    raw = warm_host.sh(block["command"])
    assert raw.returncode == 0 and ANSI not in raw.stdout
    full, short, colour, rest = raw.stdout.split("\n")
    assert "kWh" in full and "kWh" in short and len(short) < len(full) and re.fullmatch(r"#[0-9a-f]{6}", colour)
    assert rest == ""
    # i3blocks exports the block's properties: with format=json glowline prints one JSON object
    as_json = warm_host.sh(block["command"], format="json")
    assert as_json.returncode == 0 and as_json.stdout.count("\n") == 1
    assert json.loads(as_json.stdout) == {"full_text": full, "short_text": short, "color": colour}


def test_i3blocks_persist_block(warm_host: Host, watches: list[Watch]) -> None:
    block = ini(snippet("i3blocks-persist"))["glowline"]
    assert block["interval"] == "persist"
    full = warm_host.glowline_out("--format", "i3blocks", "--cached-only").split("\n")[0]
    watch = ShellWatch(warm_host.env, block["command"])
    watches.append(watch)
    assert watch.line() == full + "\n"
    watch.send("3\n")  # a right click, as i3blocks writes it to a persist block
    gas = watch.line()
    assert gas != full + "\n" and ANSI not in gas
    assert watch.stop() == (0, "")


def test_i3bar_status_command(warm_host: Host, watches: list[Watch]) -> None:
    found = re.search(r"status_command (.*)", snippet("i3bar"))
    assert found is not None and found.group(1).startswith("exec ")
    expected = json.loads(warm_host.glowline_out("--format", "i3bar", "--cached-only"))
    watch = ShellWatch({**warm_host.env, "FORCE_COLOR": "1"}, found.group(1))  # i3bar: sh -c "exec ..."
    watches.append(watch)
    stream = I3barStream(watch)
    assert stream.block() == expected
    watch.send("[\n" + click(3, first=True))
    assert stream.block()["instance"] == "gas"
    assert watch.stop() == (0, "")  # SIGTERM reaches glowline itself thanks to exec


# ------------------------------------------------------------------------------------------------- Waybar


def waybar_module(name: str) -> dict[str, Any]:
    config = json.loads(snippet(name))
    module: dict[str, Any] = config["custom/glowline"]
    assert module["return-type"] == "json"
    return module


def assert_waybar_line(text: str) -> dict[str, Any]:
    assert text.endswith("\n") and text.count("\n") == 1 and ANSI not in text
    doc: dict[str, Any] = json.loads(text)
    assert {"text", "tooltip", "class", "percentage"} <= set(doc)
    assert isinstance(doc["text"], str) and doc["text"] and isinstance(doc["tooltip"], str)
    assert isinstance(doc["class"], (str, list)) and isinstance(doc["percentage"], int)
    return doc


def test_waybar_interval_module(warm_host: Host) -> None:
    module = waybar_module("waybar")
    assert module["interval"] >= 60
    proc = warm_host.sh(module["exec"])  # Waybar runs exec through /bin/sh -c
    assert proc.returncode == 0 and proc.stderr == ""
    doc = assert_waybar_line(proc.stdout)
    assert "kWh" in doc["text"] and doc["alt"] == "electricity"


def test_waybar_continuous_module(warm_host: Host, watches: list[Watch]) -> None:
    module = waybar_module("waybar-continuous")
    assert "interval" not in module  # neither interval nor signal: Waybar treats exec as continuous
    one_shot = assert_waybar_line(warm_host.glowline_out("--format", "waybar", "--cached-only"))
    watch = ShellWatch(warm_host.env, module["exec"])
    watches.append(watch)
    assert assert_waybar_line(watch.line()) == one_shot
    assert watch.stop() == (0, "")


# ------------------------------------------------------------------------------------------------- Polybar


def test_polybar_interval_module(warm_host: Host) -> None:
    module = ini(snippet("polybar"))["module/glowline"]
    assert module["type"] == "custom/script" and int(module["interval"]) >= 60
    proc = warm_host.sh(module["exec"])
    assert proc.returncode == 0 and proc.stdout.count("\n") == 1 and ANSI not in proc.stdout
    assert_balanced(proc.stdout, r"%\{F#[0-9a-f]{6}\}", r"%\{F-\}")
    assert "kWh" in re.sub(r"%\{[^}]*\}", "", proc.stdout)


def test_polybar_tail_module_and_click(warm_host: Host, watches: list[Watch]) -> None:
    module = ini(snippet("polybar-tail"))["module/glowline"]
    assert module["tail"] == "true" and "%pid%" in module["click-left"]
    age_cache(warm_host.home, 600)  # old enough for a refresh on demand, not stale
    config = Path(warm_host.env["XDG_CONFIG_HOME"]) / "glowline" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("max_age = 90.0\n")  # not due by the polite clock within ten minutes, whatever the time
    watch = ShellWatch(warm_host.env, module["exec"])
    watches.append(watch)
    first = watch.line()
    assert_balanced(first, r"%\{F#[0-9a-f]{6}\}", r"%\{F-\}")
    assert warm_host.emu.count() == 0
    clicked = warm_host.sh(module["click-left"].replace("%pid%", str(watch.proc.pid)))
    assert clicked.returncode == 0, clicked.stderr
    assert wait_until(lambda: warm_host.emu.count("readings") == 1 and warm_host.refresh_done())
    assert watch.proc.poll() is None
    assert watch.stop() == (0, "")


# ------------------------------------------------------------------------------------------------- prompts


def test_starship_custom_module(warm_host: Host) -> None:
    module = tomllib.loads(snippet("starship"))["custom"]["glowline"]
    assert module["when"] is True and "$output" in module["format"]
    # Starship hands the command to the configured shell on stdin
    proc = subprocess.run(module["shell"], input=module["command"], env=warm_host.env, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0 and proc.stdout.count("\n") == 1 and ANSI not in proc.stdout
    assert proc.stdout == warm_host.glowline_out("--format", "prompt", "--cached-only", "--color", "never")
    assert warm_host.emu.count() == 0


def test_bash_prompt(warm_host: Host) -> None:
    script = "PS1='$ '\n" + snippet("bash") + 'printf %s "${PS1@P}"\n'  # expand it exactly as bash draws it
    proc = subprocess.run(["bash", "--norc", "-c", script], env=warm_host.env, capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr
    shown = proc.stdout
    escapes = re.findall(r"\x1b\[[0-9;]*m", shown)
    assert escapes and all(f"\x01{e}\x02" in shown for e in escapes)  # every escape wrapped for readline
    visible = re.sub(r"\x01[^\x02]*\x02", "", shown)
    coloured = warm_host.glowline_out("--format", "prompt", "--cached-only", "--color", "always").rstrip("\n")
    assert visible == re.sub(r"\x1b\[[0-9;]*m", "", coloured) + " $ " and "kWh" in visible


def test_zsh_prompt(warm_host: Host) -> None:
    require_tool("zsh")
    script = snippet("zsh") + 'print -rnP -- "$PROMPT"\n'  # zsh's own prompt expansion
    proc = subprocess.run(["zsh", "-f", "-c", script], env={**warm_host.env, "PROMPT": "%# "}, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    plain = warm_host.glowline_out("--format", "prompt", "--cached-only", "--color", "never").rstrip("\n")
    assert proc.stdout in (plain + " # ", plain + " % ") and ANSI not in proc.stdout


# ------------------------------------------------------------------------------------------------- xbar, Conky


def test_xbar_plugin_file(warm_host: Host, tmp_path: Path) -> None:
    plugin = tmp_path / "plugins" / "glowline.30m.sh"
    plugin.parent.mkdir()
    plugin.write_text(snippet("xbar"), encoding="utf-8")
    plugin.chmod(0o755)
    proc = subprocess.run([str(plugin)], env=warm_host.env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and ANSI not in proc.stdout
    lines = proc.stdout.rstrip("\n").split("\n")
    assert re.fullmatch(r".*kWh.* \| color=#[0-9a-f]{6} font=Menlo ansi=false", lines[0]), lines[0]
    assert lines[1] == "---" and lines[-1] == "Refresh | refresh=true"


def test_prometheus_textfile_script(warm_host: Host, tmp_path: Path) -> None:
    """The hosts doc's textfile-collector script, by sh: an atomic .prom file prometheus_client's parser reads, with
    the numbers of the JSON line (tests/test_prometheus.py checks the format itself)."""
    from prometheus_client.parser import text_string_to_metric_families

    script = tmp_path / "glowline-prom"
    script.write_text(snippet("prometheus"), encoding="utf-8")
    script.chmod(0o755)
    folder = tmp_path / "textfile"
    folder.mkdir()
    proc = subprocess.run([str(script)], env={**warm_host.env, "TEXTFILE_DIR": str(folder)}, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0 and proc.stderr == "", proc
    assert [p.name for p in folder.iterdir()] == ["glowline.prom"]
    families = {f.name: f for f in text_string_to_metric_families((folder / "glowline.prom").read_text())}
    assert families["glowline_up"].samples[0].value == 1
    doc = json.loads(warm_host.sh("glowline --format json --cached-only").stdout)
    window = families["glowline_window_kwh"].samples[0]
    assert window.value == pytest.approx(doc["total"], abs=1e-9) and window.labels["days"] == str(len(doc["days"]))


def test_conky_execpi(warm_host: Host) -> None:
    found = re.search(r"\$\{execpi (\d+) (.*?)\}\n", snippet("conky"))
    assert found is not None and int(found.group(1)) >= 30
    proc = warm_host.sh(found.group(2))  # Conky runs execpi commands through the shell
    assert proc.returncode == 0 and proc.stdout.count("\n") == 1 and ANSI not in proc.stdout
    assert_balanced(proc.stdout, r"\$\{color #[0-9a-f]{6}\}", r"\$\{color\}")


def test_py3status_module_in_py3status_own_harness(warm_host: Host) -> None:
    """The example module run by py3status's own module machinery (py3status.module_test), with docs/hosts.md's
    settings passed as py3status passes a config block; it draws from the warm cache, with no request."""
    pytest.importorskip("py3status", reason="py3status is a test dependency: pip install '.[test]'")
    settings = dict(re.findall(r"^\s+(\w+) = (.+)$", snippet("py3status"), re.M))
    assert settings == {"days": "10", "resource": '"electricity"', "cache_timeout": "60"}
    args = [arg for key, value in settings.items() for arg in (f"--{key}", value)]
    module = ROOT / "examples" / "py3status" / "glowline_meter.py"
    proc = subprocess.Popen([sys.executable, str(module), *args], env=warm_host.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the harness prints one output dict per second
    finally:
        proc.kill()
        proc.wait(timeout=10)
    block = ast.literal_eval(first)
    expected = warm_host.glowline_out("--days", "10", "--color", "never").strip()  # the env has FORCE_COLOR=1
    assert block["full_text"] == expected and block["color"].startswith("#")
    assert block["short_text"] and ANSI not in block["full_text"]
    assert warm_host.emu.count() == 0


# ------------------------------------------------------------------------------------------------- MOTD


def motd_dir(tmp_path: Path, stub: str, glowline: str) -> Path:
    """An update-motd.d folder with the stub, its /usr/local/bin/glowline replaced by ``glowline``."""
    folder = tmp_path / "update-motd.d"
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "60-glowline"
    script.write_text(stub.replace("/usr/local/bin/glowline", glowline), encoding="utf-8")
    script.chmod(0o755)
    listed = subprocess.run(["run-parts", "--test", "--lsbsysinit", str(folder)], capture_output=True, text=True,
                            check=True, timeout=10).stdout.split()
    assert listed == [str(script)]  # the name survives --lsbsysinit (no extension)
    return folder


def run_motd(folder: Path, *env: str) -> subprocess.CompletedProcess[str]:
    """As pam_motd does: env -i PATH=... run-parts --lsbsysinit /etc/update-motd.d (no HOME, no TERM, no LANG)."""
    return subprocess.run(["env", "-i", MOTD_PATH, *env, "run-parts", "--lsbsysinit", str(folder)],
                          capture_output=True, text=True, timeout=30)


def motd_pattern() -> re.Pattern[str]:
    """The doc's sample output, with its bars, total and time generalised."""
    sample = snippet("motd-output")
    assert sample.startswith("\n") and sample.count("\n") == 2
    text = re.escape(sample.strip("\n"))
    text = re.sub(r"[▁-█]+(?:…)?", "[▁-█ ]+…?", text.replace("\\…", "…"))
    text = text.replace("103\\.1", r"\d+\.\d").replace("06:00", r"(?:\d{4}-\d\d-\d\d )?\d\d:\d\d")
    return re.compile(text)


@pytest.mark.parametrize("source", ["doc", "examples"])
def test_motd_stub_under_env_i(warm_host: Host, tmp_path: Path, source: str) -> None:
    stub = snippet("motd") if source == "doc" else (EXAMPLES / "60-glowline").read_text(encoding="utf-8")
    assert stub == snippet("motd")  # examples/60-glowline is the documented stub
    folder = motd_dir(tmp_path, stub, str(warm_host.glowline))
    for extra in ([], ["FORCE_COLOR=1"]):
        proc = run_motd(folder, f"GLOWLINE_CACHE_DIR={cache_dir(warm_host.home)}", *extra)
        assert proc.returncode == 0 and proc.stderr == ""
        assert proc.stdout.startswith("\n") and proc.stdout.endswith("\n") and ANSI not in proc.stdout
        assert motd_pattern().fullmatch(proc.stdout.strip("\n")), proc.stdout
    assert warm_host.emu.count() == 0


def test_motd_without_cache_or_glowline_still_exits_0(host: Host, tmp_path: Path) -> None:
    folder = motd_dir(tmp_path, snippet("motd"), str(host.glowline))
    empty = tmp_path / "empty-cache"
    empty.mkdir()
    proc = run_motd(folder, f"GLOWLINE_CACHE_DIR={empty}")
    assert proc.returncode == 0 and proc.stderr == ""
    lines = proc.stdout.split("\n")
    assert lines[0] == "" and lines[2:] == [""] and 0 < len(lines[1]) < 60, proc.stdout
    assert host.emu.count() == 0
    # no GLOWLINE_CACHE_DIR at all: the stub's /var/cache/glowline, read only (never created by a login)
    if not os.path.exists("/var/cache/glowline"):
        proc = run_motd(folder)
        assert proc.returncode == 0 and proc.stderr == "" and proc.stdout.startswith("\n")
        assert not os.path.exists("/var/cache/glowline")
    # glowline not installed (yet): nothing, and still exit 0
    missing = motd_dir(tmp_path / "missing", snippet("motd"), str(tmp_path / "nowhere" / "glowline"))
    proc = run_motd(missing, f"GLOWLINE_CACHE_DIR={empty}")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


# ------------------------------------------------------------------------------------------------- errors


def one_shot_commands() -> dict[str, str]:
    """The command each interval-driven host runs, from the doc's snippets."""
    tmux = re.search(r"#\((.*?)\)", snippet("tmux"))
    conky = re.search(r"\$\{execpi \d+ (.*?)\}\n", snippet("conky"))
    assert tmux is not None and conky is not None
    return {
        "tmux": tmux.group(1),
        "i3blocks": ini(snippet("i3blocks"))["glowline"]["command"],
        "waybar": waybar_module("waybar")["exec"],
        "polybar": ini(snippet("polybar"))["module/glowline"]["exec"],
        "starship": tomllib.loads(snippet("starship"))["custom"]["glowline"]["command"],
        "conky": conky.group(1),
    }


#: What each host needs to see to hide the module (docs/hosts.md "Hide form").
HIDDEN = {"tmux": "\n", "i3blocks": "\n", "waybar": "\n", "polybar": "\n", "starship": "\n", "conky": "\n"}


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_api_down_without_cache_degraded_or_hidden(host: Host, name: str) -> None:
    """No cache and the API failing: exit 0 with a short degraded line, or the host's hide form with --on-error hide."""
    host.emu.fault("500")
    command = one_shot_commands()[name]
    shown = host.sh(command)
    assert shown.returncode == 0 and ANSI not in shown.stdout
    first = json.loads(shown.stdout)["text"] if name == "waybar" else shown.stdout.split("\n")[0]
    text = strip_tmux(re.sub(r"%\{[^}]*\}|\$\{color[^}]*\}", "", first))
    assert text.startswith("glowline: ") and len(text) < 40, shown.stdout
    hidden = host.sh(re.sub(r"(--format \w+)", r"\1 --on-error hide", command, count=1))
    assert (hidden.returncode, hidden.stdout) == (0, HIDDEN[name])


def test_hide_forms_of_the_script_hosts(host: Host, tmp_path: Path) -> None:
    """xbar and the MOTD hide by printing nothing at all; the i3blocks JSON form by an empty full_text."""
    host.emu.fault("500")
    plugin = tmp_path / "glowline.30m.sh"
    plugin.write_text(snippet("xbar").replace("--format xbar", "--format xbar --on-error hide"), encoding="utf-8")
    plugin.chmod(0o755)
    proc = subprocess.run([str(plugin)], env=host.env, capture_output=True, text=True, timeout=30)
    assert (proc.returncode, proc.stdout) == (0, "")
    stub = snippet("motd").replace("--format motd", "--format motd --on-error hide")
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_motd(motd_dir(tmp_path, stub, str(host.glowline)), f"GLOWLINE_CACHE_DIR={empty}")
    assert (proc.returncode, proc.stdout) == (0, "")
    command = one_shot_commands()["i3blocks"] + " --on-error hide"
    proc = host.sh(command, format="json")
    assert proc.returncode == 0 and json.loads(proc.stdout) == {"full_text": ""}


# ------------------------------------------------------------------------------------------------- examples/


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def test_systemd_units_keys() -> None:
    service = unit(EXAMPLES / "glowline-fetch.service")
    timer = unit(EXAMPLES / "glowline-fetch.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].split()[1:] == ["fetch"]
    assert service["Service"]["ExecStart"].split()[0].endswith("/glowline")
    assert timer["Timer"]["OnCalendar"] == "*:0/15"
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["RandomizedDelaySec"]
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert set(service) == {"DEFAULT", "Unit", "Service"} and set(timer) == {"DEFAULT", "Unit", "Timer", "Install"}


def test_systemd_units_verify(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here; test_systemd_units_keys checked the keys")
    glowline = Path(sys.executable).parent / "glowline"
    (tmp_path / "glowline-fetch.service").write_text(
        (EXAMPLES / "glowline-fetch.service").read_text().replace("%h/.local/bin/glowline", str(glowline))
    )
    shutil.copy(EXAMPLES / "glowline-fetch.timer", tmp_path / "glowline-fetch.timer")
    proc = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "glowline-fetch.timer"),
                           str(tmp_path / "glowline-fetch.service")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == "", proc
    calendar = subprocess.run(["systemd-analyze", "calendar", "--iterations", "2", "*:0/15"], capture_output=True,
                              text=True, timeout=30)
    assert calendar.returncode == 0 and "*-*-* *:00/15:00" in calendar.stdout


def test_crontab_line_fills_the_cache(host: Host, tmp_path: Path) -> None:
    lines = [line for line in (EXAMPLES / "crontab").read_text().split("\n") if line and not line.startswith("#")]
    assert len(lines) == 1
    minute, hour, day, month, weekday, command = lines[0].split(None, 5)
    minutes = [int(m) for m in minute.split(",")]
    assert len(minutes) == 4 and all(b - a == 15 for a, b in itertools.pairwise(minutes))
    assert (hour, day, month, weekday) == ("*", "*", "*", "*") and "%" not in command
    # cron runs the command with sh and HOME set: put glowline where the line expects it
    cron_home = host.home
    (cron_home / ".local" / "bin").mkdir(parents=True, exist_ok=True)
    (cron_home / ".local" / "bin" / "glowline").symlink_to(host.glowline)
    proc = host.sh(command, HOME=str(cron_home))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert host.emu.count("readings") >= 1 and list(cache_dir(host.home).glob("*.days"))
