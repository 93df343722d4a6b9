"""glowline for py3status: the status line drawn inside py3status itself (no subprocess, no interpreter start).

Copy this file to ~/.config/py3status/modules/glowline_meter.py (glowline must be installed for the Python that
runs py3status), then add `order += "glowline_meter"` and a `glowline_meter { ... }` block to the py3status config.
(Not `glowline.py`: py3status registers a module under its file name, which would hide the glowline package.)
It reads the same cache as every other glowline, starts at most one background refresh under the same lock, and
never blocks the bar on the network. Left click refreshes now; right click shows the next resource.

Configuration parameters:
    days: how many local days (default 10)
    resource: electricity, gas, electricity-cost, gas-cost or export (default electricity)
    site: site name or veId when the account has several (default the first)
    tz: the meter's time zone (default Europe/London)
    cache_timeout: seconds between redraws (default 60)

Test it with py3status's own harness: `python glowline_meter.py [--days 7 --resource "gas"]`.
"""

from __future__ import annotations

import time
from typing import Any


class Py3status:
    """A py3status module: one block, coloured by the day's level, with short_text for narrow bars."""

    days = 10
    resource = "electricity"
    site = ""
    tz = "Europe/London"
    cache_timeout = 60
    py3: Any  # the py3status helper, set by py3status

    def post_config_hook(self) -> None:
        self._resource = self.resource
        self._force = False

    def glowline(self) -> dict[str, Any]:
        from glowline import config
        from glowline.data.days import rebuild
        from glowline.status import argv as options
        from glowline.status import line as statusline
        from glowline.status import settings
        from glowline.status.formats import i3bar

        conf = settings.load_fast()
        values: dict[str, object] = dict(conf if conf is not None else config.load())
        values.update(days=int(self.days), resource=self._resource, tz=self.tz, format="i3bar")
        if self.site:
            values["site"] = self.site
        opts = options.Options(values)
        line, _code = statusline.line_for(opts, time.monotonic() + opts.timeout, force_refresh=self._force,
                                              rebuild=rebuild)
        self._force = False
        block = i3bar.block(line, statusline.render_options(opts))
        return {
            "full_text": block["full_text"],
            "short_text": block.get("short_text", block["full_text"]),
            "color": block.get("color"),
            "cached_until": self.py3.time_in(self.cache_timeout),
        }

    def on_click(self, event: dict[str, Any]) -> None:
        """Left: refresh now. Right: the next resource. (py3status redraws after every click.)"""
        from glowline.status.argv import RESOURCES

        if event.get("button") == 1:
            self._force = True
        elif event.get("button") == 3:
            names = list(RESOURCES)
            self._resource = names[(names.index(self._resource) + 1) % len(names)]


if __name__ == "__main__":
    from py3status.module_test import module_test

    module_test(Py3status)
