"""The report as JSON: ``report --format json``'s documented shapes for days, a month and a year."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from glowline import catalog
from glowline.data.costs import ESTIMATED, PRICED, Band, estimate_note
from glowline.report.model import Report, ReportDay, ResourceReport


def as_json(report: Report) -> dict[str, Any]:
    """The documented ``report --format json`` shape: per resource its days (kWh, energy, standing and total GBP,
    complete, cost_source) and totals; GBP rounded to 1/100 p, kWh to the Wh."""

    def gbp(pence: float | None) -> float | None:
        pounds = catalog.pence_to_pounds(pence)
        return None if pounds is None else round(pounds, catalog.GBP_DECIMALS) + 0.0

    def kwh(value: float | None) -> float | None:
        return None if value is None else round(value, catalog.KWH_DECIMALS) + 0.0

    resources: dict[str, Any] = {}
    for r in report.resources:
        if r.tariffs is None:  # a cost resource or export: its own values in its own unit
            unit = catalog.display_unit(r.classifier)
            digits = catalog.GBP_DECIMALS if unit == "GBP" else catalog.KWH_DECIMALS
            resources[r.name] = {
                "unit": unit,
                "days": [{"date": d.date.isoformat(),
                          "value": None if d.value is None else round(d.value, digits) + 0.0,
                          "complete": d.complete, **_from_meter(d),
                          "same_day_last_week": last_week_json(d, "value", digits)} for d in r.days],
                "total": round(r.total(), digits) + 0.0,
            }
            continue
        days = []
        for d in r.days:
            c = d.costs
            assert c is not None
            day: dict[str, Any] = {
                "date": d.date.isoformat(), "kwh": kwh(_with_meter(d)), "energy_gbp": gbp(c.energy),
                "standing_gbp": gbp(c.standing), "total_gbp": gbp(c.total), "complete": d.complete,
                "cost_source": c.source,
                "effective_p_per_kwh": None if c.effective is None else round(c.effective, 4),
            }
            if c.source == ESTIMATED:
                day["estimated_from"] = estimate_note([c])
            day.update(_from_meter(d))
            day["same_day_last_week"] = last_week_json(d, "kwh", catalog.KWH_DECIMALS)
            day["baseload_w"] = watts(d.baseload_w)
            if r.compared:
                day["compare"] = None if d.compare is None else {
                    name: {"energy_gbp": gbp(p.energy), "standing_gbp": gbp(p.standing), "total_gbp": gbp(p.total)}
                    for name, p in d.compare.items()}
            days.append(day)
        kwh_values = [v for v in map(_with_meter, r.days) if v is not None]
        totals = [d.costs.total for d in r.days if d.costs is not None and d.costs.total is not None]
        total_kwh = math.fsum(kwh_values)
        energy = [d.costs.energy for d in r.days if d.costs is not None and d.costs.energy is not None]
        resources[r.name] = {
            "unit": "kWh",
            "days": days,
            "total_kwh": kwh(total_kwh),
            "total_gbp": gbp(math.fsum(totals)) if totals else None,
            "total_energy_gbp": gbp(math.fsum(energy)) if energy else None,
            "total_standing_gbp": gbp(math.fsum(d.costs.standing for d in r.days
                                                if d.costs is not None and d.costs.standing is not None)),
            "effective_p_per_kwh": None if r.effective() is None else round(r.effective() or 0.0, 4),
            "cost_source": PRICED if r.priced else ESTIMATED,
            "cost_note": r.cost_note(),
            "standing_source": r.tariffs.source,
            "bands": bands_json(r.bands),
            "baseload_w": watts(r.baseload_w()),
            "baseload_days": len(r.baseload_days()),
            "baseload_gbp_per_year": None if r.baseload_year() is None else round(r.baseload_year() or 0.0, 2),
            "baseload_rate_p_per_kwh": None if r.rate[0] is None else round(r.rate[0], 4),
            "baseload_rate_source": r.rate[1],
        }
        if r.compared:
            resources[r.name]["compare"] = compare_json(r, gbp)
    return {"tz": report.tz_name, "from": report.first.isoformat(), "to": report.last.isoformat(),
            "resources": resources, "site": report.site}


def watts(value: float | None) -> float | None:
    """Average watts to the microwatt: a half-hour's kWh (to 1e-9 at most) times 2000, without float noise."""
    return None if value is None else round(value, 6) + 0.0


def last_week_json(d: ReportDay, key: str, digits: int) -> dict[str, Any] | None:
    """The same weekday a week before: its date, value (kWh for consumption), whether whole, and the change."""
    before = d.last_week
    if before is None:
        return None
    value = before.total.value if key == "kwh" else before.value
    change = d.change_on_last_week()
    return {"date": before.date.isoformat(), key: None if value is None else round(value, digits) + 0.0,
            "complete": before.complete, "change": None if change is None else round(change, 4) + 0.0}


def compare_json(r: ResourceReport, gbp: Callable[[float | None], float | None]) -> dict[str, Any]:
    """Per other tariff, over the days priced under it: the real cost, its cost and the difference (positive:
    the other tariff would have cost more)."""
    out: dict[str, Any] = {}
    for tariff in r.compared:
        real, energy, standing, total = r.compare_total(tariff.name)
        out[tariff.name] = {"days": len(r.compare_days()), "actual_gbp": gbp(real),
                            "actual_cost_source": PRICED if r.priced else ESTIMATED, "energy_gbp": gbp(energy),
                            "standing_gbp": gbp(standing), "total_gbp": gbp(total),
                            "difference_gbp": gbp(total - real), "tariff": tariff.describe()}
    return out


def bands_json(bands: list[Band]) -> list[dict[str, Any]]:
    kwh = math.fsum(b.kwh for b in bands)
    pence = math.fsum(b.pence for b in bands)
    return [{"name": b.name, "p_per_kwh": b.price, "kwh": round(b.kwh, catalog.KWH_DECIMALS),
             "gbp": round(b.pence / catalog.PENCE_PER_POUND, catalog.GBP_DECIMALS),
             "kwh_share": round(b.kwh / kwh, 4) if kwh else None,
             "cost_share": round(b.pence / pence, 4) if pence else None} for b in bands]


def month_json(rep: Report) -> dict[str, Any]:
    doc = as_json(rep)
    doc["month"] = f"{rep.first:%Y-%m}"
    doc["projection"] = {
        p.name: {"method": "complete days' average x days in month", "days_in_month": p.days_in_month,
                 "complete_days": p.complete_days, "value": p.value, "unit": p.unit,
                 "total_gbp": None if p.cost is None else round(p.cost, 4)}
        for p in rep.projections}
    return doc


def year_json(rep: Report) -> dict[str, Any]:
    doc: dict[str, Any] = {"tz": rep.tz_name, "year": int(rep.period), "resources": {}}
    for r in rep.resources:
        doc["resources"][r.name] = {"unit": r.unit, "months": [
            {"month": f"{row.month.first:%Y-%m}", "value": _r(row.month.value), "total_gbp": _r(row.month.cost),
             "complete": row.month.complete, "last_year": _r(row.before.value),
             "change": None if row.change() is None else round(row.change() or 0.0, 4)}
            for row in rep.rows[r.name]]}
    return doc


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _with_meter(d: ReportDay) -> float | None:
    """The day's kWh: the DCC's half-hours and what the meter's register added after them."""
    return d.total.value + d.from_meter if d.total.value is not None else d.from_meter or None


def _from_meter(d: ReportDay) -> dict[str, float]:
    """ "from_meter" (kWh) on a day the meter's register completed, as in the line's --format json; else nothing."""
    return {"from_meter": round(d.from_meter, catalog.KWH_DECIMALS)} if d.from_meter else {}
