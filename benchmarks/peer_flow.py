"""A peer's whole job, for comparison: what pyglowmarkt-style clients do with plain requests, nothing cached.

    python benchmarks/peer_flow.py URL USERNAME PASSWORD [DAYS]

auth, the virtual entities, the first one's resources, one readings request (PT1H over the last DAYS days, at most
31: one request) for its electricity consumption, and the sum printed. benchmarks/bench.py runs it beside a cold
``glowline`` (empty cache, the same credentials) and reports the ratio.
"""

from __future__ import annotations

import sys
import time

import requests

APPLICATION_ID = "b0f1b774-a586-4f72-9edd-27ead8aa7a8d"


def main(url: str, username: str, password: str, days: int = 10) -> int:
    session = requests.Session()
    session.headers.update({"applicationId": APPLICATION_ID, "Content-Type": "application/json"})
    auth = session.post(url + "auth", json={"username": username, "password": password}, timeout=30).json()
    session.headers["token"] = auth["token"]
    entities = session.get(url + "virtualentity", timeout=30).json()
    resources = session.get(url + f"virtualentity/{entities[0]['veId']}/resources", timeout=30).json()["resources"]
    resource = next(r for r in resources if r["classifier"] == "electricity.consumption")
    end = int(time.time()) // 3600 * 3600 + 3600
    start = end - days * 86400
    params = {
        "from": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start)),
        "to": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(end - 1)),
        "period": "PT1H", "offset": "0", "function": "sum", "nulls": "1",
    }
    doc = session.get(url + f"resource/{resource['resourceId']}/readings", params=params, timeout=30).json()
    total = sum(value for _, value in doc["data"] if value is not None)
    print(f"{total:.1f} kWh")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], *(int(a) for a in sys.argv[4:5])))
