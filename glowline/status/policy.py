"""When the status line refreshes: the freshness and back-off rules, and which cached days it may draw from.

Pure functions of the cached data, the last failure and the clock; no I/O, no imports.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs an import on the status-line path; mypy treats this name as true
if TYPE_CHECKING:
    from glowline.status.days import Summary
    from glowline.status.failures import Failure

#: complete days before the window that make the household's "typical day"
TYPICAL_DAYS = 28
#: after a failed refresh, seconds before a status line tries again: an outage is not hammered every few
#: seconds by every bar, and a refusal that only the user can fix (login, keyring, config) waits longer
RETRY_AFTER = 60.0
RETRY_AFTER_USER_FIX = 900.0
USER_FIX_KINDS = ("auth", "keyring", "config", "notfound", "usage")


def is_stale(fetched_at: float, now: float, max_age_minutes: float) -> bool:
    """Older than --max-age, or stamped in the future (the clock was wrong or has been set back)."""
    return abs(now - fetched_at) > max_age_minutes * 60


def too_soon_after(failure: Failure | None, now: float) -> bool:
    """True while the last refresh failure is too recent to try again."""
    if failure is None:
        return False
    wait = RETRY_AFTER_USER_FIX if failure.kind in USER_FIX_KINDS else RETRY_AFTER
    return 0 <= now - failure.at < wait


def usable(summary: Summary | None, days: int, now: float) -> Summary | None:
    """The summary if it reaches today and holds ``days`` days up to it, else None."""
    if summary is None:
        return None
    return summary if summary.index_of(now) >= days - 1 else None
