"""The embedded demo: a configuration over the seeded sandbox tracker.

Its review dates are relative to today, so the demo always shows one product
due soon and one overdue until a review is recorded.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from secgate_tui.config import Config, config_from_data
from secgate_tui.services.demo_vex import write_demo_vex

CATEGORY_LABELS = {
    "system-test-findings": {"labels": ["sec-test-finding"], "types": ["Test Finding"]},
    "requirements": {"labels": ["sec-requirement"]},
    "security-by-design": {"labels": ["sec-design"]},
    "implementation": {"labels": ["sec-implementation"]},
    "verification-validation": {"labels": ["sec-verification"]},
    "defect-management": {"labels": ["sec-defect"], "types": ["Vulnerability"]},
}


#: The sandbox's own account (its ``whoami``): the demo's reviewer.
DEMO_REVIEWER = "release.manager"


def demo_data(data_dir: Path, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()

    def activities(project: str, names: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
        return [
            {
                "id": activity_id,
                "name": name,
                "evidence": {"tracker": "sandbox", "key": f"{project}-{n}"},
                "max_age_days": max_age,
            }
            for n, (activity_id, name, max_age) in enumerate(names, start=1)
        ]

    return {
        "policy": {"max_snapshot_age_seconds": 300},
        "trackers": {
            "sandbox": {
                "kind": "sandbox",
                "path": str(data_dir / "sandbox.json"),
                "seed": "demo",
                "live": True,
                "refresh_seconds": 5,
            }
        },
        "products": {
            "ipc": {
                "name": "Infusion Pump Controller",
                "review_interval_days": 365,
                "last_review": today - timedelta(days=345),
                "review_issue": {"tracker": "sandbox", "key": "IPC-6"},
                "reviewers": {"sandbox": [DEMO_REVIEWER]},
                "security_labels": ["security"],
                "sources": [{"tracker": "sandbox", "project": "IPC"}],
                "categories": CATEGORY_LABELS,
                "activities": activities(
                    "IPC",
                    [
                        ("threat-model", "Threat model", 0),
                        ("risk-assessment", "Security risk assessment", 0),
                        ("pentest", "Penetration test", 0),
                        ("vulnerability-scan", "Vulnerability scan", 90),
                        ("sbom", "Software bill of materials", 0),
                    ],
                ),
            },
            "dms": {
                "name": "Dialysis Monitoring Suite",
                "review_interval_days": 365,
                "last_review": today - timedelta(days=400),
                "review_issue": {"tracker": "sandbox", "key": "DMS-5"},
                "reviewers": {"sandbox": [DEMO_REVIEWER]},
                "security_labels": ["security"],
                "sources": [{"tracker": "sandbox", "project": "DMS"}],
                "categories": CATEGORY_LABELS,
                "activities": activities(
                    "DMS",
                    [
                        ("threat-model", "Threat model", 0),
                        ("risk-assessment", "Security risk assessment", 0),
                        ("pentest", "Penetration test", 0),
                        ("sbom", "Software bill of materials", 0),
                    ],
                ),
            },
        },
    }


def demo_config(data_dir: Path) -> Config:
    data = demo_data(data_dir)
    # The seventh check in the demo: files written beside the sandbox, dated
    # relative to today like the review dates (see services.demo_vex).
    data["products"]["ipc"]["vulnerability_assessment"] = write_demo_vex(data_dir / "vex")
    return config_from_data(data, None)
