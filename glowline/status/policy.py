"""When the status line refreshes: the polite refresh clock, the record of the last failure that backs it off (and
heals), and which days it may use.

The decisions are pure functions of the cached data, the last failure, the context and the clock; the failure
record is the one small file here (os only).

The refresh clock (glowmarkt-api.md section 4, ``catchup``: ask "once on the change of the half hour, preferably
with a random delay of up to 2 minutes"; section 5: Glowmarkt has complained about aggressive polling): data
fetched at ``t`` is due again at the first half-hour boundary after ``t + max(0, max_age - 30 min)``, plus a delay
of 0 to 120 s taken from the fetch time's milliseconds. Every process of the user reads the same fetch time from
the same days file, so they share one schedule: at most one refresh per resource per half hour in steady state.
"""

import os

from glowline import paths
from glowline.files import read_text

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy treats this name as true
if TYPE_CHECKING:
    from glowline.status.days import Summary

#: complete days before the window that make the household's "typical day"; the refresh always fetches them, so
#: "typical" never depends on which commands ran before. 21 days: every weekday three times, and with the default
#: 10-day window exactly 31 days, one hourly readings request.
TYPICAL_DAYS = 21
HALF_HOUR = 1800
#: the most a refresh is delayed after the half-hour boundary, spreading users' requests (seconds)
JITTER = 120.0
#: the least time between two scheduled refreshes of the same data (seconds; Glowmarkt clients keep at least 5 min)
MIN_INTERVAL = 300.0
#: how far "in the future" a fetch time may be before the clock counts as set back: a refresh that finished while
#: a concurrent call was starting is a few seconds ahead of that call's clock
CLOCK_SLACK = 60.0
#: after a failed refresh, seconds before a status line tries again: an outage is not hammered every few
#: seconds by every bar, and a refusal that only the user can fix (login, keyring, config) waits longer, unless
#: the user changed something that can fix it (failure_context)
RETRY_AFTER = 60.0
RETRY_AFTER_USER_FIX = 900.0
USER_FIX_KINDS = ("auth", "nologin", "keyring", "config", "notfound", "usage", "account")


def is_stale(fetched_at: float, now: float, max_age_minutes: float) -> bool:
    """Older than --max-age, or stamped well in the future (the clock was wrong or has been set back): shown with
    its age."""
    return now - fetched_at > max_age_minutes * 60 or fetched_at - now > CLOCK_SLACK


def jitter(fetched_at: float) -> float:
    """0 to JITTER seconds, from the fetch time's milliseconds: spread across users, the same for every reader."""
    return (int(fetched_at * 1000) % int(JITTER * 1000)) / 1000.0


def due_at(fetched_at: float, max_age_minutes: float) -> float:
    """When data fetched at ``fetched_at`` should be fetched again (see the module's docstring), and never sooner
    than MIN_INTERVAL after it (a fetch just before a boundary is not repeated a moment later)."""
    base = fetched_at + max(0.0, max_age_minutes * 60 - HALF_HOUR)
    return max((int(base) // HALF_HOUR + 1) * HALF_HOUR + jitter(fetched_at), fetched_at + MIN_INTERVAL)


def refresh_due(fetched_at: float, now: float, max_age_minutes: float) -> bool:
    """True when new half-hours may have been delivered since the fetch, or the fetch is stamped well in the future
    (a clock set back: a refresh that finished while this call began is a few seconds "ahead", and is fine)."""
    return now < fetched_at - CLOCK_SLACK or now >= due_at(fetched_at, max_age_minutes)


def too_soon_after(failure: "Failure | None", now: float) -> bool:
    """True while the last failure of this request, one that still applies (nothing that can fix it has changed:
    failure_context), holds refreshes back: until its back-off or the API's Retry-After passes."""
    if failure is None:
        return False
    wait = RETRY_AFTER_USER_FIX if failure.kind in USER_FIX_KINDS else RETRY_AFTER
    return failure.at <= now < max(failure.at + wait, failure.retry_at)


def covers_typical(summary: "Summary", days: int, now: float) -> bool:
    """True when the days file reaches TYPICAL_DAYS days before a window of ``days`` days ending today: what a
    refresh for that window stores (days the meter never delivered included, as days without a value), so "typical"
    is judged on the same days whatever filled the cache before."""
    return summary.index_of(now) >= days - 1 + TYPICAL_DAYS


def usable(summary: "Summary | None", days: int, now: float) -> "Summary | None":
    """The summary if it reaches today and holds ``days`` days up to it, else None."""
    if summary is None:
        return None
    return summary if summary.index_of(now) >= days - 1 else None


# ------------------------------------------------------------------------------------------- the failure record
# The failure record: why the last refresh of one exact request (site, resource, zone) failed, when, and what
# would fix it, for the next status line. Written by glowline.data.sync, read on the fast path (tab-separated text).
#
# A record heals: it stores the ``context`` that a user changes to fix a failure (the account and config files,
# credentials in the environment, the API URL). When the context differs, the record no longer holds the line back
# (glowline.status.policy) and doctor no longer reports it.

FAILURE_MAGIC = "glowline-failure 3"


class Failure:
    """One failed refresh: the error's kind and exit code, when (epoch seconds), its one-line message, the request
    it belongs to, the context it happened in, and the earliest time to try again that the API asked for."""

    __slots__ = ("at", "classifier", "context", "exit_code", "kind", "message", "retry_at", "site", "tz")

    def __init__(
        self, kind: str, exit_code: int, at: float, message: str, site: str = "", classifier: str = "",
        tz: str = "", context: str = "", retry_at: float = 0.0,
    ) -> None:
        self.kind = kind
        self.exit_code = exit_code
        self.at = at
        self.message = message
        self.site = site  # as asked for (--site), "" for the default
        self.classifier = classifier
        self.tz = tz
        self.context = context  # see failure_context()
        self.retry_at = retry_at  # epoch seconds from a Retry-After, else 0

    def __repr__(self) -> str:
        return f"Failure({self.kind!r}, {self.exit_code}, {self.at!r}, {self.message!r})"


def failure_context(password_given: bool = False) -> str:
    """What a user changes to fix a failure: the account and config files (mtime and size), whether credentials
    are in the environment (presence only: never the password), and the API URL. ``password_given``: the password
    came on a pipe (the background refresher), which counts as GLOWLINE_PASSWORD being set."""
    parts = []
    for path in (paths.account_file(), paths.config_file()):
        try:
            st = os.stat(path)
            parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append("-")
    username = os.environ.get("GLOWLINE_USERNAME", "")
    password = password_given or bool(os.environ.get("GLOWLINE_PASSWORD"))
    parts += [_clean(username), "password" if password else "-", _clean(os.environ.get("GLOWLINE_API_URL", ""))]
    return "|".join(parts)


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def write_failure(failure: Failure) -> None:
    """Remember why the last refresh failed, for the next status line to show."""
    from glowline.files import atomic_write

    fields = (FAILURE_MAGIC, failure.kind, str(failure.exit_code), repr(failure.at), repr(failure.retry_at),
              _clean(failure.site), _clean(failure.classifier), _clean(failure.tz), _clean(failure.context),
              _clean(failure.message))
    atomic_write(paths.error_path(failure.site, failure.classifier, failure.tz), "\t".join(fields) + "\n")


def read_failure_file(path: str) -> Failure | None:
    """The record at ``path``, or None when there is none or it is not exactly our format."""
    text = read_text(path, 8192)
    if text is None:
        return None
    try:
        fields = text.rstrip("\n").split("\t", 9)
        magic, kind, code, at, retry_at, site, classifier, tz, ctx, message = fields
        if magic != FAILURE_MAGIC:
            return None
        return Failure(kind, int(code), float(at), message, site, classifier, tz, ctx, float(retry_at))
    except ValueError:
        return None


def read_failure(site: str, classifier: str, tz: str) -> Failure | None:
    """The last failed refresh of this exact request, or None."""
    return read_failure_file(paths.error_path(site, classifier, tz))


def clear_failure(site: str, classifier: str, tz: str) -> None:
    from glowline.files import remove_file

    try:
        remove_file(paths.error_path(site, classifier, tz))
    except OSError:
        pass


def every_failure() -> list[Failure]:
    """Every recorded failure in the cache folder (for doctor)."""
    found = (read_failure_file(path) for path in paths.files_ending(paths.ERROR_SUFFIX))
    return [f for f in found if f is not None]
