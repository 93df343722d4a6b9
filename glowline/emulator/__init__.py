"""A Glowmarkt-compatible HTTP server with a deterministic synthetic household, for tests, the demo and development.

Shares no code with glowline's client and imports only the standard library.

    from glowline.emulator import Emulator, DEMO_USERNAME, DEMO_PASSWORD, APPLICATION_ID
    with Emulator(now=clock) as emu:          # now: Callable[[], float] | None (default time.time)
    Emulator(habits=Habits(provisional_zeros=True, late_holes=True, glitch_at=t, last_ts_end=True))
                                              # the real service's habits over time (household.Habits cites each)
        emu.url                               # "http://127.0.0.1:PORT/api/v0-1/"
        emu.fault("hang", times=1, path="/readings")
        emu.count("readings"); emu.requests; emu.reset_counts()
        emu.expire_tokens(); emu.clear_faults(); emu.set_tariff(resource_id, "strings")
        emu.half_hours(rid, start, end)       # the true half-hour values; emu.delivered(...) what the API hands out
        emu.set_tariff_list(resource_id, "empty"); emu.price_change; emu.standing_pence(rid, day_start)
        emu.play_current("no-units"); emu.play_tariff_dates("epoch"); emu.play_standing_in_days()

The real service's other shapes (glowmarkt-api.md 8), each off by default and each from its source:
- ``play_current``: /current with no ``units`` key (Hildebrand staff, unlobito/ha-hildebrandglow#19), with
  ``units: "kWh"`` (ColinRobbins/ha-hildebrandglow-dcc#7), in kW, as a 400 (pyglowmarkt#14), or the meter's
  "no reading" value -8388.608 kW (glow-mqtt.md).
- ``play_tariff_dates``: tariff-list dates as epoch seconds or ISO with ``Z`` (the forms other clients handle,
  NJWILKS/hildebrand-glow-ha), instead of the Swagger's local ``"YYYY-MM-DD HH:MM:SS"``.
- ``play_standing_in_days``: cost P1D/P1W/P1M buckets include the standing charge, PT30M/PT1H do not (NJWILKS live
  contract, 2026).
- the "403" fault: the account must accept new terms in the Bright app (jonandel#73, Feb 2026).

Fault kinds: "hang" (no answer until ``delay``, clear_faults() or stop(); then answered, or dropped when stopping),
"slow" (answered after ``delay`` seconds, default 1), "500", "drop" (connection closed, no response), "html" (502
text/html page), "badjson" (200 with truncated JSON), "expired" (401 Access denied), "403" (403 Forbidden: the
account must accept new terms in the Bright app, jonandel#73), "404" (404 Not found: ``first-time`` of a meter with
no reading yet, Swagger and NJWILKS).
Request kinds for count(): auth, virtualentity, resources (virtualentity/{id}/resources), resource (GET resource and
resource/{id}), readings, tariff, tariff-list, first-time, last-time, catchup, current, other.
"""

from __future__ import annotations

from glowline.emulator.household import Habits
from glowline.emulator.routes import DEMO_PASSWORD, DEMO_USERNAME
from glowline.emulator.server import Emulator, RequestRecord
from glowline.emulator.shapes import APPLICATION_ID

__all__ = ["APPLICATION_ID", "DEMO_PASSWORD", "DEMO_USERNAME", "Emulator", "Habits", "RequestRecord"]
