"""The embedded demo: a configuration over the seeded sandbox tracker.

Its review dates are relative to today, so the demo always shows one product
due soon and one overdue until a review is recorded.

Signing: :func:`demo_config` installs the two demo signing keys (release
manager, security officer; DEMO KEYS ONLY) under the data directory and signs
with the release manager's key unless ``SECGATE_SIGNING__KEY`` names another.
IPC needs one release-manager signature (the default policy), so
``authorize`` on it is AUTHORIZED at once; DMS needs both roles, so
``authorize`` leaves it PENDING until the security officer runs ``approve``.
:func:`demo_data` stays unsigned: the tests build their configurations on it.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from secgate_tui.config import Config, config_from_data
from secgate_tui.services.demo_deployments import write_demo_deployments
from secgate_tui.services.demo_vex import write_demo_vex
from secgate_tui.services.signing.demo import DEMO_APPROVAL, RELEASE_MANAGER, install_demo_signing

CATEGORY_LABELS = {
    "system-test-findings": {"labels": ["sec-test-finding"], "types": ["Test Finding"]},
    "requirements": {"labels": ["sec-requirement"]},
    "security-by-design": {"labels": ["sec-design"]},
    "implementation": {"labels": ["sec-implementation"]},
    "verification-validation": {"labels": ["sec-verification"]},
    "defect-management": {"labels": ["sec-defect"], "types": ["Vulnerability"]},
}


#: The demo's activities whose evidence must be for the release (activity scope).
RELEASE_SCOPED = frozenset({"pentest", "vulnerability-scan"})

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
                # A penetration test or scan of one release is no evidence for another.
                **({"scope": "release"} if activity_id in RELEASE_SCOPED else {}),
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


#: The demo product whose authorizations need two signatures.
TWO_SIGNATURE_PRODUCT = "dms"


def demo_signing(data_dir: Path, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the demo's ``[signing]`` table and DMS's two-signature policies
    (authorization and review)."""
    installed = install_demo_signing(data_dir)
    signing: dict[str, Any] = dict(installed.settings)
    if not os.environ.get("SECGATE_SIGNING__KEY"):
        # The environment names another signer's key (the security officer's for approve).
        signing["key"] = str(installed.keys[RELEASE_MANAGER])
    products = data["products"]
    products[TWO_SIGNATURE_PRODUCT]["approval"] = DEMO_APPROVAL
    return {**data, "signing": signing, "products": products}


def demo_config(data_dir: Path, *, signing: bool = True) -> Config:
    """The demo's configuration; ``signing=False`` leaves out its ``[signing]`` table."""
    data = demo_data(data_dir)
    # The seventh check in the demo: files written beside the sandbox, dated
    # relative to today like the review dates (see services.demo_vex).
    data["products"]["ipc"]["vulnerability_assessment"] = write_demo_vex(data_dir / "vex")
    # IPC's installations (the review's time from fix shipped to deployment); DMS has
    # none, so its review says no deployment source is configured.
    review = data["products"]["ipc"].setdefault("review", {})
    review["deployments"] = write_demo_deployments(data_dir / "installations.csv")
    return config_from_data(demo_signing(data_dir, data) if signing else data, None)
