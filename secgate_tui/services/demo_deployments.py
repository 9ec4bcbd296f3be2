"""The demo's CSV of installations: which IPC version each hospital runs since when.

Dated relative to today like the sandbox's releases (2.0 released 400 days ago,
2.1 120 days ago), so the review shows the time from a fix shipped to its
deployment: three hospitals moved to 2.1 after 10, 25 and 60 days; one still
runs 2.0, so its fix has not reached it.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

#: (version, installation, days before today)
_ROWS = (
    ("2.0", "St. Elisabeth Hospital, ward 3", 390),
    ("2.0", "City Clinic Nord, ICU", 380),
    ("2.0", "Riverside Medical Center", 370),
    ("2.0", "Home-care pool West", 360),
    ("2.1", "St. Elisabeth Hospital, ward 3", 110),
    ("2.1", "City Clinic Nord, ICU", 95),
    ("2.1", "Riverside Medical Center", 60),
)


def write_demo_deployments(path: Path, today: date | None = None) -> dict[str, Any]:
    """Write the file and return the product's ``review.deployments`` settings."""
    today = today or date.today()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("version", "installation", "deployed_at"))
        for version, installation, days in _ROWS:
            writer.writerow((version, installation, (today - timedelta(days=days)).isoformat()))
    return {"csv": str(path)}
