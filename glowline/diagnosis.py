"""doctor's checks: one OK/WARN/FAIL Check per thing glowline depends on (config, keyring, account, token, API,
sites, cache, history, files, broker, IHD, status-path weight), each with the fix and, for a FAIL, its exit code.

Each check is guarded, so one failing check never hides the others; secrets are cleaned from every line.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from glowline import paths
from glowline.catalog import MAX_SPAN
from glowline.data import account, credentials
from glowline.data.models import Site, Token
from glowline.data.source import Source, open_source
from glowline.data.store import default_store
from glowline.errors import (
    EXIT_INTERNAL,
    EXIT_KEYRING,
    EXIT_NOT_FOUND,
    EXIT_OK,
    ExitStatus,
    GlowlineError,
    NotLoggedIn,
    describe,
)
from glowline.status import days as days_file
from glowline.status import policy
from glowline.status.formats import age_text

OK, WARN, FAIL = "OK", "WARN", "FAIL"
#: seconds for each keyring call and each API request the doctor makes
DEFAULT_TIMEOUT = 5.0
#: modules the status line's fast path must never import (docs/performance.md)
HEAVY_MODULES = ("requests", "keyring", "rich")
KEEP_OUT_OF_ENV = "install and start a Secret Service (e.g. gnome-keyring) and run `glowline login`, to keep the " \
    "password out of the environment"
EXIT_WARN = ExitStatus.DOCTOR_WARN
log = logging.getLogger("glowline.diagnosis")


@dataclass
class Check:
    """One line: ``level`` OK/WARN/FAIL, what was checked (``text``), what to do (``fix``), the exit code of a FAIL."""

    name: str
    level: str
    text: str
    fix: str = ""
    exit_code: int = 0

    def line(self) -> str:
        fix = f" -- fix: {self.fix}" if self.fix else ""
        return f"{self.level:<4} {self.name:<8} {self.text}{fix}"

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level, "text": self.text, "fix": self.fix,
                "exit_code": self.exit_code}


@dataclass
class State:
    """What earlier checks found and later checks use."""

    timeout: float
    conf: dict[str, object] = field(default_factory=dict)
    backend: credentials.BackendInfo | None = None
    keyring_ok: bool = False
    username: str | None = None
    password: str | None = None  # kept in memory only, to renew the token; never printed
    api_url: str | None = None
    token: Token | None = None
    renewed: Token | None = None
    client: Source | None = None
    api_ok: bool = False
    secrets: list[str] = field(default_factory=list)
    live_probe: Any = None  # glowline.data.live.Probe, from the broker check for the IHD check


def exit_code(checks: list[Check]) -> int:
    """0 all OK, EXIT_WARN for warnings only, else the first FAIL's exit code."""
    for check in checks:
        if check.level == FAIL:
            return check.exit_code or EXIT_INTERNAL
    return EXIT_WARN if any(c.level == WARN for c in checks) else EXIT_OK


def diagnose(timeout: float = DEFAULT_TIMEOUT, launcher: bool = True) -> list[Check]:
    """Every check in display order; each is guarded, so one failing check never hides the others."""
    state = State(timeout)
    env_password = os.environ.get("GLOWLINE_PASSWORD")
    if env_password:
        state.secrets.append(env_password)
    steps = [
        ("config", check_config),
        ("keyring", check_keyring),
        ("account", check_account),
        ("token", check_token),
        ("api", check_api),
        ("sites", check_sites),
        ("cache", check_cache),
        ("history", check_history),
        ("files", check_files),
        ("broker", check_broker),
        ("ihd", check_ihd),
        ("meter", check_meter),
    ]
    if launcher:
        steps.append(("launcher", check_launcher))
    checks: list[Check] = []
    token_check: Check | None = None
    try:
        for name, step in steps:
            check: Check | None
            try:
                check = step(state)
            except GlowlineError as exc:
                check = Check(name, FAIL, str(exc), exit_code=exc.exit_code)
            except Exception as exc:  # a bug in a check: one line, never a traceback
                log.debug("check %s failed", name, exc_info=True)
                check = Check(name, FAIL, describe(exc)[0], exit_code=EXIT_INTERNAL)
            if check is None:  # a check that does not apply here (live power not configured)
                continue
            if name == "token":
                token_check = check
            if name == "api" and token_check is not None and state.renewed is not None:
                _note_renewal(token_check, state.renewed)
            checks.append(check)
    finally:
        if state.client is not None:
            state.client.close()
    for check in checks:
        check.text = _clean(check.text, state.secrets)
        check.fix = _clean(check.fix, state.secrets)
    return checks


def _clean(text: str, secrets: list[str]) -> str:
    from glowline import redact

    return " ".join(redact.mask(text, secrets).split())


def _split_fix(message: str) -> tuple[str, str]:
    """Split one of credentials' messages ("what: what to do") into text and fix where the hint is known."""
    for hint in (credentials.INSTALL_HINT, credentials.ENV_HINT):
        if message.endswith(hint) and len(message) > len(hint):
            head = message[: -len(hint)].rstrip(" :;,")
            if head.endswith(", or") or head.endswith(" or"):
                head = head[: head.rindex(" or")].rstrip(" :;,")
                if ": " in head:
                    what, todo = head.split(": ", 1)
                    return what, f"{todo}, or {hint}"
                return head, hint
            return head, hint
    return message, ""


def check_config(state: State) -> Check:
    from glowline import config

    path = paths.config_file()
    if not os.path.exists(path):
        return Check("config", OK, f"no config file at {path}: using the defaults")
    try:
        state.conf = config.load()
    except GlowlineError as exc:
        return Check("config", FAIL, str(exc), f"correct or remove that setting in {path}", exc.exit_code)
    return Check("config", OK, f"{path}: valid ({len(state.conf)} settings)")


def password_file_in_use() -> str | None:
    """The password file when the saved account's password is there (`glowline login --insecure-storage`)."""
    saved = credentials.load_account()
    if saved is None or os.environ.get("GLOWLINE_USERNAME", saved["username"]) != saved["username"]:
        return None
    return paths.password_file() if credentials.file_password(saved["username"]) else None


def check_keyring(state: State) -> Check:
    env = credentials.env_credentials()
    info = credentials.backend_info(state.timeout)
    state.backend = info
    using_env = "; GLOWLINE_USERNAME/GLOWLINE_PASSWORD from the environment are used instead" if env else ""
    in_file = None if env else password_file_in_use()
    if info.kind in ("none", "disabled"):
        text, fix = _split_fix(info.message)
        if info.kind == "disabled" and not fix:
            fix = credentials.ENV_HINT
        if info.kind == "none" and not fix:
            fix = credentials.INSTALL_HINT
        if env:
            return Check("keyring", WARN, text + using_env, KEEP_OUT_OF_ENV)
        if in_file:  # `login --insecure-storage`: the store in use is the file
            return Check("keyring", WARN, f"no keyring; the password store in use is {in_file} "
                         "(--insecure-storage: not encrypted, readable only by you)", credentials.INSTALL_HINT)
        return Check("keyring", FAIL, text, fix, EXIT_KEYRING)
    try:
        credentials.check_keyring(state.timeout)  # a harmless lookup: proves it answers and is unlocked
    except GlowlineError as exc:
        text, fix = _split_fix(str(exc))
        if env:
            return Check("keyring", WARN, text + using_env, KEEP_OUT_OF_ENV)
        return Check("keyring", FAIL, text, fix, exc.exit_code)
    state.keyring_ok = True
    if info.kind == "plaintext":
        where = f" in {info.file}" if info.file else ""
        return Check("keyring", WARN, f"{info.label} ({info.name}) keeps the password UNENCRYPTED{where}",
                     credentials.INSTALL_HINT)
    return Check("keyring", OK, f"{info.label} ({info.name}): secure, unlocked and answering")


def check_account(state: State) -> Check:
    env = credentials.env_credentials()
    if env is not None:
        state.username, state.password = env
        return Check("account", OK, f"{env[0]} from GLOWLINE_USERNAME and GLOWLINE_PASSWORD (environment)")
    saved = credentials.load_account()
    username = os.environ.get("GLOWLINE_USERNAME") or (saved["username"] if saved else "")
    if not username:
        return Check("account", FAIL, "not logged in (no saved account, no GLOWLINE_USERNAME)",
                     "run `glowline login`, or set GLOWLINE_USERNAME and GLOWLINE_PASSWORD", NotLoggedIn.exit_code)
    state.username = username
    origin = "GLOWLINE_USERNAME" if os.environ.get("GLOWLINE_USERNAME") else "saved by `glowline login`"
    in_file = password_file_in_use()
    if in_file and (not state.keyring_ok or (saved or {}).get("store") == credentials.STORE_FILE):
        from_file = credentials.file_password(username)
        if from_file:
            state.password = from_file
            state.secrets.append(from_file)
            mode = os.stat(in_file).st_mode & 0o777
            if mode & 0o077:
                return Check("account", WARN, f"{username} ({origin}); password in {in_file}, which others can read "
                             f"(mode {mode:o})", f"chmod 600 {in_file}")
            return Check("account", OK, f"{username} ({origin}); password in {in_file} (--insecure-storage: not "
                         "encrypted, mode 600)")
    if not state.keyring_ok:
        label = state.backend.label if state.backend else "the keyring"
        return Check("account", FAIL, f"{username} ({origin}), but its password cannot be read: {label} is not usable",
                     "fix the keyring (see above), or set GLOWLINE_PASSWORD", EXIT_KEYRING)
    password = credentials.fetch_password(username, state.timeout)
    if not password:
        return Check("account", FAIL, f"{username} ({origin}), but the keyring holds no password for it",
                     "run `glowline login` again", NotLoggedIn.exit_code)
    state.password = password
    state.secrets.append(password)
    label = state.backend.label if state.backend else "the keyring"
    return Check("account", OK, f"{username} ({origin}); password in {label}")


def _days_left(exp: int) -> float:
    return (exp - time.time()) / 86400


def check_token(state: State) -> Check:
    state.api_url = account.api_url(state.conf)  # a refused URL (plain http to a remote host) fails here and in api
    if state.username is None:
        return Check("token", WARN, "not checked: no account", "run `glowline login`")
    cached = credentials.load_token(state.username, state.api_url)
    if cached is None:
        return Check("token", WARN, f"no cached token for {state.username} at {state.api_url}: one will be issued "
                     "at the next refresh", "none needed (or run `glowline fetch` now)")
    state.token = Token(*cached)
    mode = _mode(paths.token_file())
    if mode is not None and mode & 0o077:
        return Check("token", WARN, f"{paths.token_file()} is mode {mode:04o}: others can read the token",
                     f"chmod 600 {paths.token_file()}")
    left = _days_left(cached[1])
    if left <= 0:
        return Check("token", WARN, f"expired {-left:.1f} days ago: it will renew at the next refresh", "none needed")
    if not state.token.usable():
        return Check("token", WARN, f"{left * 24:.1f} hours left: it will renew at the next refresh", "none needed")
    return Check("token", OK, f"valid for {left:.1f} more days (file mode {mode or 0:04o})")


def _note_renewal(check: Check, token: Token) -> None:
    if check.level == WARN and ("renew" in check.text or "no cached token" in check.text):
        check.level, check.fix = OK, ""
        check.text += f"; renewed by this check: valid for {_days_left(token.exp):.1f} days"


def check_api(state: State) -> Check:
    from glowline.errors import APIUnavailable

    if state.api_url is None:
        state.api_url = account.api_url(state.conf)
    url = state.api_url
    limit = (state.timeout, state.timeout)
    password = state.password

    def reauth() -> Token:
        if password is None or state.username is None:
            raise NotLoggedIn("the token must be renewed but there is no password: run `glowline login`")
        login = open_source(url, timeout=limit)
        try:
            token = login.authenticate(state.username, password)
        finally:
            login.close()
        credentials.save_token(state.username, url, token.token, token.exp)
        state.renewed = token
        return token

    client = open_source(url, token=state.token, reauth=reauth, timeout=limit)
    state.client = client
    started = time.monotonic()
    try:
        if state.token is None and password is None:  # no way to log in: is the API there at all?
            status = client.reachable()
            ms = (time.monotonic() - started) * 1000
            if status >= 500:
                return Check("api", FAIL, f"{url} answered HTTP {status} in {ms:.0f} ms",
                             "try again later; the status line shows cached data meanwhile",
                             APIUnavailable.exit_code)
            return Check("api", OK, f"{url} reachable in {ms:.0f} ms (HTTP {status}; not logged in)")
        valid = client.token_valid()
    except GlowlineError as exc:
        ms = (time.monotonic() - started) * 1000
        fix = {
            "offline": "check the network and the API URL, or try again later; the status line shows cached data "
                       "meanwhile",
            "auth": "run `glowline login` again",
            "nologin": "run `glowline login`",
            "malformed": "check GLOWLINE_API_URL / api_url points at the Glowmarkt API",
            "notfound": "check GLOWLINE_API_URL / api_url points at the Glowmarkt API",
            "usage": "use an https:// API URL",
        }.get(exc.kind, "")
        return Check("api", FAIL, f"{url}: {exc} (after {ms:.0f} ms)", fix, exc.exit_code)
    ms = (time.monotonic() - started) * 1000
    state.api_ok = True
    if not valid:
        return Check("api", WARN, f"{url} answered in {ms:.0f} ms, but not with a token check",
                     "check GLOWLINE_API_URL / api_url points at the Glowmarkt API")
    how = " (token renewed)" if state.renewed is not None else ""
    level, fix = OK, ""
    if ms > 2000:
        level, fix = WARN, "a slow API: raise --timeout for cold status lines, or use `glowline fetch` from cron"
    return Check("api", level, f"{url} answered in {ms:.0f} ms{how}", fix)


def check_sites(state: State) -> Check:
    classifier, wanted = _wanted(state.conf)
    sites: list[Site] | None = None
    source = "from the API"
    if state.api_ok and state.client is not None:
        sites = state.client.sites()
    elif state.api_url and state.username:
        sites = default_store().load_sites({"api_url": state.api_url, "username": state.username})
        source = "from the cache (the API check failed)"
    if sites is None:
        if not state.username:
            return Check("sites", WARN, "not checked: no account", "run `glowline login`")
        return Check("sites", WARN, "not checked: the API check failed and nothing is cached",
                     "fix the API check above")
    if not sites:
        return Check("sites", FAIL, f"the account has no sites ({source})",
                     "check the account in the Bright app", EXIT_NOT_FOUND)
    parts = []
    for site in sites:
        counts: dict[str, int] = {}
        for r in site.resources:
            counts[r.classifier] = counts.get(r.classifier, 0) + 1
        names = ", ".join(c if n == 1 else f"{c} x{n} (the DCC one is used)" for c, n in counts.items())
        parts.append(f"{site.name!r} ({names or 'no resources'})")
    text = f"{len(sites)} site{'s' if len(sites) != 1 else ''} {source}: " + "; ".join(parts)
    try:
        account.pick_site(sites, wanted, classifier).resource(classifier)
    except GlowlineError as exc:
        return Check("sites", FAIL, f"{text}; {exc}",
                     "choose another --resource/--site (or resource/site in the config)", exc.exit_code)
    return Check("sites", OK, text)


def _wanted(conf: dict[str, object]) -> tuple[str, str]:
    from glowline.catalog import RESOURCES
    from glowline.status.argv import DEFAULTS

    resource = str(conf.get("resource") or DEFAULTS["resource"])
    return RESOURCES.get(resource, RESOURCES["electricity"]), str(conf.get("site") or "")


#: a recorded failure is reported while nothing that can fix it has changed, and for this long (seconds): a typo
#: in one command line is not a warning for ever
FAILURE_SHOWN_FOR = 3600.0


#: what fixes a recorded failure, by its kind
FAILURE_FIXES = {
    "offline": "the API could not be reached; glowline retries by itself (check the network)",
    "auth": "run `glowline login` again",
    "nologin": "run `glowline login` (or set GLOWLINE_USERNAME and GLOWLINE_PASSWORD)",
    "keyring": "unlock the keyring, or run `glowline login` again",
    "malformed": "the API sent an answer glowline refuses; it retries by itself",
    "notfound": "check --site/--resource against the sites line above",
    "config": "correct the config file",
    "usage": "correct the setting the message names (GLOWLINE_API_URL or api_url, --site)",
}


def _request(failure: policy.Failure) -> str:
    """Which request failed: ``electricity.consumption (site 'x', Europe/London)``."""
    site = f"site {failure.site!r}, " if failure.site else ""
    return f"{failure.classifier} ({site}{failure.tz})"


def check_cache(state: State) -> Check:
    from glowline.status.argv import DEFAULTS, MIN_MAX_AGE

    folder = paths.cache_dir()
    if not os.path.isdir(folder):
        return Check("cache", WARN, f"{folder} does not exist yet: nothing fetched", "run `glowline fetch`")
    max_age = max(float(str(state.conf.get("max_age", DEFAULTS["max_age"]))), MIN_MAX_AGE) * 60
    now = time.time()
    parts, stale = [], []
    for summ in days_file.every():
        age = now - summ.fetched_at
        label = f"{summ.resource} ({summ.site}, {summ.tz}) {age_text(age, compact=False)} old"
        if age > max_age:
            label += " STALE"
            stale.append(summ.resource)
        parts.append(label)
    context = policy.failure_context()
    applying = [f for f in policy.every_failure() if f.context == context and 0 <= now - f.at < FAILURE_SHOWN_FOR]
    failed = [f"{_request(f)}: last refresh failed {age_text(now - f.at, compact=False)} ago: {f.message}"
              for f in applying]
    if not parts and not failed:
        return Check("cache", WARN, f"{folder}: nothing cached yet", "run `glowline fetch`")
    text = f"{folder}: " + (", ".join(parts) or "nothing cached yet")
    if failed:
        fixes = dict.fromkeys(FAILURE_FIXES.get(f.kind, "run `glowline fetch -v` to see it again") for f in applying)
        return Check("cache", WARN, text + "; " + "; ".join(failed), "; ".join(fixes))
    if stale:
        return Check("cache", WARN, text + f" (older than {max_age / 60:g} min)",
                     "run `glowline fetch` (a status line also refreshes it in the background)")
    return Check("cache", OK, text)


#: a history further behind than this is not joined by a refresh (one PT30M request): `glowline sync` fills it
HISTORY_GAP = MAX_SPAN["PT30M"]


def check_history(state: State) -> Check:
    """The SQLite history, read-only: what it holds per resource, and whether refreshes still keep it current."""
    from datetime import datetime

    from glowline.data.store.sqlite import overview

    path = paths.history_file()
    verdict, ranges = overview(path)
    if verdict == "missing":
        return Check("history", OK, f"no {path} yet: refreshes start it, `glowline sync` backfills every half-hour")
    if verdict == "newer":
        return Check("history", WARN, f"{path} is from a newer glowline: left untouched, not fed",
                     "upgrade glowline")
    if verdict == "notafile":
        return Check("history", WARN, f"{path} is not a file (a directory or a device is in its place)",
                     "move it out of the way; `glowline sync` then starts the history there")
    if verdict in ("corrupt", "foreign", "unreadable", "damaged"):
        what = {"corrupt": "not a SQLite database", "foreign": "someone else's database",
                "unreadable": "not readable now",
                "damaged": "glowline's, but a table or column of its schema is missing"}[verdict]
        return Check("history", WARN, f"{path} is {what}", "run `glowline sync`: a bad file is moved aside and "
                     "rebuilt, nothing of it is lost")
    if not ranges:
        return Check("history", OK, f"{path}: empty so far")

    def when(epoch: int) -> str:
        return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")

    now = time.time()
    parts = [f"{r.resource} {when(r.synced_from)} to {when(r.synced_to)} ({r.count} half-hours)" for r in ranges]
    behind = [r.resource for r in ranges if now - r.synced_to > HISTORY_GAP]
    text = f"{path}: " + ", ".join(parts) + _changes_text(now)
    bad = sum(r.bad for r in ranges)
    if bad:  # values edited into the file (text, blobs, absurd numbers): never read back, never shown
        text += f"; {bad} stored value{'s' if bad > 1 else ''} fail the plausibility check and are skipped"
    if behind:
        return Check("history", WARN, text + f"; {', '.join(behind)} more than 10 days behind now",
                     "run `glowline sync` (a refresh joins a gap of up to 10 days; a meter that stopped delivering "
                     "stays behind)")
    return Check("history", OK, text)


def _changes_text(now: float) -> str:
    """What the service changed after it was first stored, in the last 7 days (glowline.data.settling), and the
    values the plausibility gate left out: "" when nothing."""
    from datetime import datetime

    from glowline.data.store.sqlite import changes

    counts, glitches = changes(now - 7 * 86400)
    late = [f"{counts[kind]} {label}" for kind, label in (("revised", "revised"), ("filled", "filled late"),
                                                          ("removed", "removed")) if counts.get(kind)]
    text = f"; last 7 days: {', '.join(late)} half-hours after they were first read" if late else ""
    if glitches:
        shown = ", ".join(f"{resource} {datetime.fromtimestamp(start).strftime('%Y-%m-%d %H:%M')} {value:g}"
                          for _, resource, start, value in glitches[:3])
        more = f" and {len(glitches) - 3} more" if len(glitches) > 3 else ""
        text += f"; {len(glitches)} implausible half-hour{'s' if len(glitches) > 1 else ''} left out ({shown}{more})"
    return text


def _mode(path: str) -> int | None:
    import stat

    try:
        return stat.S_IMODE(os.lstat(path).st_mode)
    except OSError:
        return None


def check_files(state: State) -> Check:
    """The config, cache and data folders are 0700 and every file in them 0600 (tokens, the account and the
    history live there)."""
    if sys.platform == "win32":  # pragma: no cover
        return Check("files", OK, "permissions not checked on Windows")
    loose: list[str] = []
    for root in dict.fromkeys((paths.config_dir(), paths.cache_dir(), paths.data_dir())):
        if not os.path.isdir(root):
            continue
        for folder, _dirs, names in os.walk(root):
            mode = _mode(folder)
            if mode is not None and mode & 0o077:
                loose.append(f"{folder}/ {mode:04o}")
            for name in names:
                path = os.path.join(folder, name)
                if name == "config.toml":  # the user's own file: readable by others is their choice
                    continue
                mode = _mode(path)
                if mode is not None and mode & 0o077:
                    loose.append(f"{path} {mode:04o}")
    if loose:
        return Check("files", WARN, "readable by others: " + ", ".join(loose[:5]) + (" ..." if len(loose) > 5 else ""),
                     "chmod 700 the folders and 600 the files")
    return Check("files", OK, f"{paths.config_dir()}, {paths.cache_dir()} and {paths.data_dir()}: folders 0700, "
                 "files 0600")


def check_launcher(state: State) -> Check:
    """Run the status line once (--cached-only: no network) under ``-X importtime`` and look for heavy imports."""
    import subprocess

    launcher = os.path.join(os.path.dirname(sys.executable), "glowline")
    target = [launcher] if os.path.isfile(launcher) else ["-m", "glowline"]
    argv = [sys.executable, "-X", "importtime", *target, "--cached-only", "--format", "tmux"]
    started = time.monotonic()
    try:
        from glowline.redact import child_environment

        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
                              env=child_environment())  # --cached-only: no password needed, none passed
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("launcher", WARN, f"could not time the status line: {type(exc).__name__}", "")
    ms = (time.monotonic() - started) * 1000
    imported = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            imported.append(line.rsplit("|", 1)[1].strip())
    heavy = sorted({m.split(".")[0] for m in imported if m.split(".")[0] in HEAVY_MODULES})
    where = launcher if target == [launcher] else "python -m glowline"
    if heavy:
        return Check("launcher", WARN, f"{where}: the cached status line imports {', '.join(heavy)} ({ms:.0f} ms)",
                     "report it: the status line should not load them")
    return Check("launcher", OK, f"{where}: the cached status line ran in {ms:.0f} ms, importing {len(imported)} "
                 f"modules, none of {', '.join(HEAVY_MODULES)}")


def check_broker(state: State) -> Check | None:
    """The MQTT broker: reachable, the login accepted, subscribed, the age of the last electricity message and the
    device's MAC; also how old the status line's live file is (is a subscriber running?)."""
    from glowline.data import live

    settings = live.settings(state.conf)
    if settings is None:  # not configured: no line (`glowline live` asks the API's /current instead)
        return None
    password = live.broker_password(settings, state.timeout) if settings.username else None
    if password:
        state.secrets.append(password)
    result = state.live_probe = live.probe(settings, password, state.timeout)
    if result.error is not None:
        fix = "`glowline login --mqtt` saves the broker password" if result.error.kind == "auth" else \
            "check [live] mqtt (host, port, mqtts:// for TLS) and that the broker runs"
        return Check("broker", FAIL, str(result.error), fix, result.error.exit_code)
    text = f"{settings.where}: reachable, subscribed to {settings.topics()[0].rsplit('/', 2)[0]}/..."
    message = result.electricity
    if message is None:
        left_out = f" ({result.left_out_text()} left out)" if result.left_out else ""
        return Check("broker", WARN, f"{text}; no electricity message with power within {state.timeout:g} s{left_out}",
                     "is the IHD publishing to this broker? (Hildebrand support enables local MQTT; check the "
                     "topic prefix and [live] device)", EXIT_WARN)
    assert message.power_w is not None and result.received_at is not None
    from glowline.status.live import power_text

    age = max(0.0, result.received_at - message.at)
    text += (f"; last electricity message {power_text(message.power_w)} from device {message.device}, read "
             f"{age_text(age, compact=False)} before it arrived")
    file_note = _live_file_note(live.max_age(state.conf))
    if age > settings.max_age:
        return Check("broker", WARN, text + file_note, "the device's clock or its meter link lags: check the IHD",
                     EXIT_WARN)
    from glowline.status.live import unusable

    if unusable():
        return Check("broker", WARN, text + file_note, "remove what is in the live file's place", EXIT_WARN)
    return Check("broker", OK, text + file_note)


def _live_file_note(max_age: float) -> str:
    from glowline.status import live as live_file

    problem = live_file.unusable()
    if problem:
        return f"; the live file {problem}"
    reading = live_file.read()
    if reading is None:
        return "; no live file yet (run `glowline live --daemon` or a `watch` for `glowline --live`)"
    age = max(0.0, time.time() - reading.at)
    state = "current" if age <= max_age else "STALE: is `glowline live --daemon` running?"
    return f"; live file {age_text(age, compact=False)} old ({state})"


def check_meter(state: State) -> Check | None:
    """The meter's registers (recorded from the IHD) beside the DCC's half-hours of the same half-hours: "meter and
    DCC agree on 94 half-hours, worst 1 Wh", or which disagree (a wrong device, a second meter). No line without a
    register record."""
    from glowline.data.registers import cross_check

    verdicts = cross_check()
    if not verdicts:
        return None
    names = {site.ve_id: site.name for site in _cached_sites()}
    parts = [f"{v.device} {v.classifier} ({names.get(v.site_id, v.site_id)}): {v.agreement.text()}" for v in verdicts]
    if all(v.agreement.agrees for v in verdicts):
        return Check("meter", OK, "; ".join(parts))
    return Check("meter", WARN, "; ".join(parts), "the register and the DCC disagree: is [live] device this site's "
                 "meter (a second meter, another home's IHD)? The tail from the meter is left out until they agree",
                 EXIT_WARN)


def _cached_sites() -> list[Site]:
    """The account's sites as discovered and cached, for their names ([] when none is cached)."""
    try:
        return default_store().load_sites(account.identity()) or []
    except Exception:
        return []


def check_ihd(state: State) -> Check | None:
    """The device's STATE message: MAC, hardware, software, HAN status, RSSI and LQI."""
    result = state.live_probe
    if result is None:
        return None
    if result.error is not None or not result.subscribed:
        return Check("ihd", WARN, "no broker to ask (see the broker line)", exit_code=EXIT_WARN)
    device = result.state
    if device is None:
        return Check("ihd", WARN, f"no STATE message within {state.timeout:g} s",
                     "the device sends it periodically: try `glowline doctor --timeout 30`", EXIT_WARN)
    text = (f"device {device.device}: hardware {device.hardware or '?'}, software {device.software or '?'}, "
            f"HAN {device.han_status or '?'}, RSSI {device.rssi if device.rssi is not None else '?'} dBm, "
            f"LQI {device.lqi if device.lqi is not None else '?'}")
    if device.han_status != "joined":
        return Check("ihd", WARN, text, "the IHD is not joined to the meter's HAN: re-pair it (Hildebrand support)",
                     EXIT_WARN)
    return Check("ihd", OK, text)
