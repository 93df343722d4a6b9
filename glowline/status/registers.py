"""The register record: the meter's own cumulative registers at half-hour boundaries, as small text the status line
reads with os only (no json, no MQTT).

Written by whatever subscribes to the Glow IHD (glowline.data.registers, through glowline.files.atomic_write);
read here for the tail from the meter (glowline.status.tail), by the refresher that matches a device to a site and by
`doctor`'s meter/DCC cross-check. Registers are named by the classifier they measure: ``electricity.consumption``
(the import register), ``electricity.export`` and ``gas.consumption``; values are kWh, stamps the meter's own (UTC
epoch seconds). Format::

    glowline-registers 1
    n	BCDDC2C6A91C	electricity.consumption	1667812808	15254.827
    b	BCDDC2C6A91C	electricity.consumption	1667811600	15254.702
    end

``n``: the newest message seen (its stamp and value); ``b``: the register at a half-hour boundary (electricity:
interpolated between the messages either side of it; gas: the step at it). Anything that is not exactly this
format reads as an empty record: the tail is then left out, never an error.
"""

from glowline import paths
from glowline.files import read_text

MAGIC = "glowline-registers 1"
#: a few days of boundaries for three registers is about 30 KiB; anything larger is not ours
MAX_BYTES = 1 << 18
#: the registers glowline records, by the classifier of the DCC resource they measure
CLASSIFIERS = ("electricity.consumption", "electricity.export", "gas.consumption")
#: a days file's meter when the site is the account's only one with its resource: the one device in the record
ANY_DEVICE = "*"


def track_of(record: "Record", device: str, classifier: str) -> "Track | None":
    """``device``'s register of ``classifier`` (ANY_DEVICE: the only device that has one), or None."""
    if device == ANY_DEVICE:
        found = [tracks[classifier] for tracks in record.values() if classifier in tracks]
        return found[0] if len(found) == 1 else None
    return record.get(device, {}).get(classifier)


class Track:
    """One register of one device: the newest message (stamp, kWh) and the kWh at each half-hour boundary."""

    __slots__ = ("boundaries", "newest", "newest_at")

    def __init__(self, newest_at: float | None = None, newest: float | None = None,
                 boundaries: dict[int, float] | None = None) -> None:
        self.newest_at = newest_at
        self.newest = newest
        self.boundaries: dict[int, float] = boundaries if boundaries is not None else {}

    def __repr__(self) -> str:
        return f"Track(newest={self.newest!r} at {self.newest_at!r}, {len(self.boundaries)} boundaries)"


#: device MAC -> classifier -> its track
Record = dict[str, dict[str, Track]]


def encode(record: Record) -> str:
    """The record's text (the writer in glowline.data.registers calls this)."""
    out = [MAGIC]
    for device in sorted(record):
        clean = "".join(c for c in device if c.isalnum())[:32]
        for classifier in sorted(record[device]):
            track = record[device][classifier]
            if track.newest_at is not None and track.newest is not None:
                out.append(f"n\t{clean}\t{classifier}\t{int(track.newest_at)}\t{track.newest!r}")
            out.extend(f"b\t{clean}\t{classifier}\t{at}\t{value!r}" for at, value in sorted(track.boundaries.items()))
    out.append("end")
    return "\n".join(out) + "\n"


def read(classifier: str | None = None, path: str | None = None, at: set[str] | None = None) -> Record:
    """The record (only ``classifier``'s registers when given, and only the boundaries ``at`` those epochs, as
    text, when given: the status line needs a few); {} when there is none or it is not valid."""
    text = read_text(path or paths.registers_path(), MAX_BYTES)
    if text is None:
        return {}
    lines = text.split("\n")
    if lines[0] != MAGIC or lines[-2:] != ["end", ""]:
        return {}
    record: Record = {}
    wanted = f"\t{classifier}\t" if classifier is not None else "\t"
    try:
        for line in lines[1:-2]:
            if wanted not in line:  # another register's line: not even split (the status line's cost)
                continue
            tag, device, name, when_text, value = line.split("\t")
            if (classifier is not None and name != classifier) or (at is not None and tag == "b"
                                                                    and when_text not in at):
                continue
            kwh, when = float(value), int(when_text)
            if kwh - kwh != 0.0 or kwh < 0 or tag not in ("n", "b"):
                return {}
            track = record.setdefault(device, {}).setdefault(name, Track())
            if tag == "n":
                track.newest_at, track.newest = float(when), kwh
            else:
                track.boundaries[when] = kwh
    except ValueError:
        return {}
    return record
