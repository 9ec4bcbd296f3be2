"""Seeded demo data: two medical-device products with releases in every state.

Deterministic (fixed random seed) and relative to the seeding time, so the demo
tells the same story on every machine:

- IPC (Infusion Pump Controller)
  - 2.0: released, with a risk-accepted and a deferred item, both justified, and
    four defects found later (fixed in 2.2) deferred to 2.2 for it (PASS)
  - 2.1: released, with a risk-accepted and a deferred item, both justified, but
    blocked by unresolved anomalies: IPC-98 (High, open, affects 2.1) has no
    disposition, and IPC-99's risk acceptance has expired
  - 2.2: blocked by open items in four categories, a risk acceptance without a
    justification, an unrecognised resolution, an unclassified issue and a
    Critical "not a defect" without a rationale; its penetration test and
    vulnerability scan are 2.1's, not 2.2's
  - 2.2.1: a documentation patch with no system-test findings at all: BLOCKED
    until the empty category is acknowledged as not applicable
  - 3.0: in development, "live": engineers close items as time passes
- DMS (Dialysis Monitoring Suite): 5.4 passes (an open vulnerability affecting it
  is under a justified risk acceptance that expires), 5.5 is blocked.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from connectors.sandbox.tracker import Data, due_slots, empty_data, now_iso, slot_time

LABELS = {
    "system-test-findings": ("sec-test-finding", "Test Finding"),
    "requirements": ("sec-requirement", "Story"),
    "security-by-design": ("sec-design", "Task"),
    "implementation": ("sec-implementation", "Bug"),
    "verification-validation": ("sec-verification", "Task"),
    "defect-management": ("sec-defect", "Vulnerability"),
}

TITLES = {
    "system-test-findings": [
        "Pen test: session token not invalidated after logout on pump web console",
        "Fuzzing of BLE pairing crashes the communication module",
        "Drug library upload accepts unsigned files in service mode",
        "Default service password accepted on a factory-reset device",
        "TLS 1.0 still negotiable on the hospital gateway interface",
        "Verbose stack traces returned by the dose-history REST endpoint",
        "Rate limiting missing on the clinician PIN prompt",
        "Firmware update can be downgraded to a vulnerable build",
        "Audit log entries can be flooded until rotation drops alarms",
    ],
    "requirements": [
        "Define authentication requirements for the service technician role",
        "Specify encryption at rest for stored infusion history",
        "Requirement: signed drug libraries with key rotation",
        "Security requirement: lockout after repeated PIN failures",
        "Define audit events required by the hospital SIEM integration",
        "Specify secure decommissioning (data wipe) of returned pumps",
        "Requirement: SBOM delivered with every release to customers",
        "Document security context of use for home-care deployment",
    ],
    "security-by-design": [
        "Threat model update for the new Wi-Fi module",
        "Design review: separation of therapy and communication processors",
        "Architecture: move certificate storage into the secure element",
        "Design least-privilege service accounts for the gateway",
        "Secure boot chain design review for the main controller",
        "Design of the remote logging channel (mutual TLS)",
        "Attack surface review of the USB maintenance port",
    ],
    "implementation": [
        "Replace strcpy in alarm message formatting",
        "Input validation for dose limits received over HL7",
        "Harden XML parser against entity expansion in drug library import",
        "Zeroize key material after use in the crypto wrapper",
        "Constant-time comparison for the clinician PIN check",
        "Remove hard-coded test certificate from release build",
        "Enable stack protector and FORTIFY_SOURCE in firmware build",
        "Bound the size of HL7 messages read from the gateway socket",
    ],
    "verification-validation": [
        "Static analysis findings triage for release build",
        "Security regression test suite for the gateway API",
        "Verify secure boot rejects a tampered image",
        "Fuzz test campaign for the HL7 parser (24 h)",
        "Validate account lockout behaviour on the bedside UI",
        "Verify TLS configuration against the hospital profile",
        "Penetration test retest of fixed findings",
    ],
    "defect-management": [
        "CVE-2024-3094 assessment for the build toolchain (xz)",
        "OpenSSL advisory: assess impact on the gateway firmware",
        "Vulnerability in the BLE stack vendor library (CVSS 7.5)",
        "Customer report: pump accepts replayed configuration packets",
        "zlib CVE triage for the drug library decompressor",
        "Outdated BusyBox in maintenance image flagged by SBOM scan",
        "Coordinated disclosure: researcher report on web console XSS",
        "Linux kernel CVE assessment for the communication module",
    ],
}

PEOPLE = ["a.kowalski", "m.chen", "s.okafor", "j.mueller", "r.patel", "l.garcia"]
SEVERITIES = ["Critical", "High", "Medium", "Low"]
OPEN_STATUSES = ["To Do", "In Progress", "In Review"]
ACCEPTED = ["Fixed", "Fixed", "Fixed", "Done", "Duplicate", "Not a Bug"]
RATIONALES = {
    "Duplicate": "Same root cause as an issue fixed in this release; verified by its retest.",
    "Not a Bug": "Behaviour matches the security requirement; analysis attached by the triage "
    "board.",
}


class _Builder:
    def __init__(self, data: Data, now: datetime) -> None:
        self.data = data
        self.now = now
        self.rng = random.Random(81001)

    def project(self, key: str, name: str, versions: list[tuple[str, bool, int]]) -> None:
        self.data["projects"][key] = {
            "name": name,
            "next_id": 0,
            "versions": [
                {
                    "name": version,
                    "released": released,
                    "release_date": (self.now + timedelta(days=days)).date().isoformat(),
                }
                for version, released, days in versions
            ],
        }

    def issue(self, project: str, title: str, **fields: Any) -> str:
        proj = self.data["projects"][project]
        proj["next_id"] += 1
        key = f"{project}-{proj['next_id']}"
        created = self.now - timedelta(days=fields.pop("age_days", 60))
        closed = fields.get("closed", False)
        closed_at = fields.pop("closed_at", None)
        if closed and closed_at is None:
            closed_at = created + timedelta(days=self.rng.randint(2, 40))
            closed_at = min(closed_at, self.now - timedelta(hours=1))
        issue = {
            "key": key,
            "project": project,
            "title": title,
            "type": "Task",
            "status": "Done" if closed else self.rng.choice(OPEN_STATUSES),
            "closed": closed,
            "resolution": None,
            "labels": [],
            "components": [],
            "fix_versions": [],
            "affects_versions": [],
            "priority": self.rng.choice(["P1", "P2", "P3", "P4"]),
            "severity": self.rng.choice(SEVERITIES),
            "created": now_iso(created),
            "updated": now_iso(closed_at or created + timedelta(days=1)),
            "closed_at": now_iso(closed_at) if closed_at else None,
            "assignee": self.rng.choice(PEOPLE),
            "justification": None,
            "comments": [],
        }
        issue.update(fields)
        self.data["issues"][key] = issue
        return key

    def security(
        self,
        project: str,
        version: str,
        category: str,
        *,
        closed: bool,
        resolution: str | None = None,
        age_days: int = 90,
        **fields: Any,
    ) -> str:
        label, issue_type = LABELS[category]
        title = self.rng.choice(TITLES[category])
        resolution = resolution if resolution or not closed else self.rng.choice(ACCEPTED)
        if "justification" not in fields and resolution in RATIONALES:
            # Closing as no defect states why (the gate asks for it on Critical and High).
            fields["justification"] = RATIONALES[resolution]
        return self.issue(
            project,
            title,
            type=issue_type,
            labels=["security", label],
            fix_versions=[version],
            closed=closed,
            resolution=resolution,
            age_days=age_days,
            **fields,
        )

    def release(
        self, project: str, version: str, per_category: int, age_days: int, skip: str = ""
    ) -> None:
        """Every category with ``per_category`` closed, accepted items."""
        for category in LABELS:
            if category == skip:
                continue
            for _ in range(per_category):
                self.security(project, version, category, closed=True, age_days=age_days)


def seed_demo(now: datetime) -> Data:
    data = empty_data(now)
    b = _Builder(data, now)
    b.project(
        "IPC",
        "Infusion Pump Controller",
        [
            ("2.0", True, -400),
            ("2.1", True, -120),
            ("2.2", False, 30),
            ("2.2.1", False, 45),
            ("3.0", False, 200),
        ],
    )
    b.project("DMS", "Dialysis Monitoring Suite", [("5.4", True, -60), ("5.5", False, 60)])

    # Records of the required activities (5.8.6) and the review issues: IPC-1..6, DMS-1..5.
    for project, names in (
        (
            "IPC",
            [
                "Threat model",
                "Security risk assessment",
                "Penetration test report",
                "Vulnerability scan",
                "Software bill of materials (SBOM)",
            ],
        ),
        (
            "DMS",
            [
                "Threat model",
                "Security risk assessment",
                "Penetration test report",
                "Software bill of materials (SBOM)",
            ],
        ),
    ):
        for offset, name in enumerate(names):
            b.issue(
                project,
                f"{name} for the current release line",
                type="Task",
                labels=["security-activity"],
                closed=True,
                resolution="Done",
                age_days=80,
                closed_at=now - timedelta(days=10 + offset),
            )
        b.issue(
            project,
            "Security management review (IEC 81001-5-1 4.1.8)",
            type="Task",
            labels=["security-review"],
            age_days=400,
        )

    # The penetration tests and the scan are tied to releases (activity scope "release" in
    # the demo config): IPC 2.2 and 3.0 show evidence from earlier releases (issue 13).
    for key, covered in (("IPC-3", ["2.0", "2.1", "2.2.1"]), ("IPC-4", ["2.0", "2.1", "2.2.1"])):
        data["issues"][key]["fix_versions"] = covered
    data["issues"]["DMS-3"]["fix_versions"] = ["5.4"]

    # IPC 2.0 and 2.1: released, passing.
    b.release("IPC", "2.0", 5, age_days=500)
    b.release("IPC", "2.1", 5, age_days=200)
    accepted = b.security(
        "IPC",
        "2.1",
        "defect-management",
        closed=True,
        resolution="Risk Accepted",
        age_days=180,
        justification="Exploitable only with physical access to the "
        "sealed maintenance port; residual risk accepted by the risk board (RB-2025-14).",
    )
    # Who closed it as risk accepted, and when: the record's "accepted by" / "accepted on".
    data["issues"][accepted]["resolved_by"] = "s.okafor"
    data["issues"][accepted]["resolved_on"] = data["issues"][accepted]["closed_at"]
    risk = b.security(
        "IPC", "2.1", "system-test-findings", closed=True, resolution="Deferred", age_days=170
    )
    data["issues"][risk]["comments"].append(
        {
            "id": "0",
            "author": "r.patel",
            "created": now_iso(now - timedelta(days=150)),
            "body": "Risk acceptance: verbose error only reachable from the service network; "
            "fix deferred to 2.2 (tracked in the 2.2 backlog), risk rated low.",
        }
    )

    # IPC 2.2: blocked, for several different reasons.
    b.release("IPC", "2.2", 4, age_days=70)
    for category, count in (
        ("system-test-findings", 2),
        ("implementation", 3),
        ("defect-management", 2),
        ("verification-validation", 1),
    ):
        for _ in range(count):
            b.security("IPC", "2.2", category, closed=False, age_days=b.rng.randint(5, 60))
    # Two findings were closed and reopened (the review counts reopens, 4.1.8).
    reopened = [
        i
        for i in data["issues"].values()
        if i["fix_versions"] == ["2.2"] and not i["closed"] and "sec-implementation" in i["labels"]
    ][:2]
    for issue in reopened:
        created = datetime.fromisoformat(issue["created"])
        issue["history"] = [
            {"at": now_iso(created + timedelta(days=2)), "state": "closed"},
            {"at": now_iso(created + timedelta(days=3)), "state": "opened"},
        ]
    # Defects found in shipped software (IEC 81001-5-1 4.1.6): the open ones affect
    # the released 2.1, the ones fixed in 2.2 affected 2.0.
    for issue in data["issues"].values():
        if issue["fix_versions"] == ["2.2"] and "sec-defect" in issue["labels"]:
            issue["affects_versions"] = ["2.0"] if issue["closed"] else ["2.1"]
    _unresolved_anomalies(data, now)
    b.security(
        "IPC", "2.2", "security-by-design", closed=True, resolution="Risk Accepted", age_days=40
    )  # no justification: blocks
    b.security(
        "IPC", "2.2", "requirements", closed=True, resolution="Works as Designed", age_days=50
    )  # a resolution secgate does not know: blocks
    b.issue(
        "IPC",
        "Review cipher suites offered by the gateway",
        labels=["security"],
        fix_versions=["2.2"],
        closed=False,
        age_days=12,
    )  # matches no rule: unclassified
    for n in range(10):  # not security-related: outside the gate
        b.issue(
            "IPC",
            f"UI polish: alarm screen layout tweak #{n + 1}",
            type="Story",
            labels=["ux"],
            fix_versions=["2.2"],
            closed=n % 2 == 0,
            resolution="Fixed" if n % 2 == 0 else None,
        )

    # IPC 2.2.1: documentation patch, no system-test findings.
    b.release("IPC", "2.2.1", 2, age_days=20, skip="system-test-findings")

    # IPC 3.0: in development; the live demo keeps changing it (live_steps).
    for category in LABELS:
        for n in range(5):
            b.security("IPC", "3.0", category, closed=n < 2, age_days=b.rng.randint(3, 30))
    data["live"] = {"project": "IPC", "version": "3.0", "interval_seconds": 20, "next_slot": 1}

    # DMS
    b.release("DMS", "5.4", 3, age_days=150)
    b.release("DMS", "5.5", 2, age_days=30)
    for category in ("implementation", "defect-management", "system-test-findings"):
        b.security("DMS", "5.5", category, closed=False, age_days=b.rng.randint(3, 20))

    # Added last, so every key and random choice above stays what it was.
    b.security(
        "IPC",
        "2.2",
        "defect-management",
        closed=True,
        resolution="Not a Bug",
        severity="Critical",
        justification=None,
        age_days=15,
    )  # a Critical "not a defect" without a rationale: blocks
    # IPC 2.0's residual items: it passes with them (2.1 no longer does, see above).
    b.security(
        "IPC",
        "2.0",
        "defect-management",
        closed=True,
        resolution="Risk Accepted",
        age_days=420,
        assignee="r.patel",
        severity="Medium",
        justification="Needs physical access to the sealed maintenance port; residual risk "
        "accepted by the risk board (RB-2025-03).",
    )
    b.security(
        "IPC",
        "2.0",
        "system-test-findings",
        closed=True,
        resolution="Deferred",
        age_days=410,
        severity="Low",
        justification="Verbose error page only reachable from the service network; fix "
        "deferred to 2.1, risk rated low.",
    )
    accepted = b.issue(
        "DMS",
        "Dialysate pump service API accepts a weak TLS cipher suite",
        type="Vulnerability",
        labels=["security", "sec-defect"],
        affects_versions=["5.4"],
        closed=False,
        severity="Medium",
        age_days=40,
    )
    data["issues"][accepted].update(
        cwe=["CWE-327"],
        compensating_controls="Service API reachable only from the hospital's isolated "
        "device VLAN; the installation guide requires it.",
        acceptances=[
            _acceptance(
                now,
                "risk-accepted",
                "5.4",
                "Exploitation needs a machine on the isolated device VLAN; residual risk "
                "rated low by the risk board (RB-2026-31).",
                accepted_days_ago=20,
                expires_in_days=160,
            )
        ],
    )  # affects the released 5.4, which still passes: its acceptance holds until it expires
    # Found in the field after 2.0 shipped, fixed in 2.1 (deferred to 2.1 for 2.0): the
    # review's deployed defect whose fix shipped, so the time from the fix shipped to its
    # deployment at the demo's installations shows (issue 15).
    shipped = b.issue(
        "IPC",
        "Dose-history endpoint answers unauthenticated clients on the service port",
        type="Vulnerability",
        labels=[
            "security",
            "sec-defect",
            "root-cause:access-control",
            "field-action:update-to-2.1",
            "disclosure:customer-security-notice",
        ],
        affects_versions=["2.0"],
        fix_versions=["2.1"],
        closed=True,
        resolution="Fixed",
        severity="High",
        age_days=170,
        closed_at=now - timedelta(days=130),
    )
    data["issues"][shipped]["acceptances"] = [
        _acceptance(
            now,
            "deferred",
            "2.0",
            "Found after 2.0 shipped; fixed in 2.1, which every installation is to deploy.",
            accepted_days_ago=135,
            target_version="2.1",
        )
    ]
    return data


def _acceptance(
    now: datetime,
    disposition: str,
    release: str,
    justification: str,
    *,
    accepted_days_ago: int,
    expires_in_days: int | None = None,
    target_version: str | None = None,
) -> dict[str, Any]:
    return {
        "disposition": disposition,
        "release": release,
        "justification": justification,
        "target_version": target_version,
        "accepted_by": "r.patel",
        "accepted_on": now_iso(now - timedelta(days=accepted_days_ago)),
        "expires": (
            None
            if expires_in_days is None
            else (now + timedelta(days=expires_in_days)).date().isoformat()
        ),
    }


def _unresolved_anomalies(data: Data, now: datetime) -> None:
    """Dispositions of the defects found in shipped software, for the releases they affect.

    The defects fixed in 2.2 affected 2.0: each was deferred to 2.2 for 2.0 (2.0 passes).
    The open ones affect 2.1: the first (IPC-98, High) has no disposition at all, and the
    second's risk acceptance has expired; both block 2.1.
    """
    defects = [
        issue
        for issue in data["issues"].values()
        if issue["fix_versions"] == ["2.2"] and "sec-defect" in issue["labels"]
    ]
    for issue in defects:
        if issue["closed"]:
            issue["acceptances"] = [
                _acceptance(
                    now,
                    "deferred",
                    "2.0",
                    "Found after 2.0 shipped; the fix ships in 2.2. Until then the field "
                    "notice FN-2026-07 tells hospitals to keep the pumps on the device VLAN.",
                    accepted_days_ago=45,
                    target_version="2.2",
                )
            ]
            issue["compensating_controls"] = "Field notice FN-2026-07: device VLAN only."
    still_open = [issue for issue in defects if not issue["closed"]]
    if len(still_open) > 1:
        still_open[1]["cwe"] = ["CWE-79"]
        still_open[1]["acceptances"] = [
            _acceptance(
                now,
                "risk-accepted",
                "2.1",
                "Console reachable only by authenticated service staff; accepted until the "
                "2.2 fix ships.",
                accepted_days_ago=200,
                expires_in_days=-20,
            )
        ]


def live_steps(data: Data, now: datetime) -> bool:
    """Engineers at work in the live release: three closures, then a new finding.

    Deterministic per time slot, so every demo tells the same story.
    """
    slots = due_slots(data, now)
    live = data.get("live")
    if not slots or not live:
        return bool(slots)
    for slot in slots:
        at = slot_time(data, slot)
        rng = random.Random(slot)
        in_release = [
            issue
            for issue in data["issues"].values()
            if issue["project"] == live["project"]
            and live["version"] in issue.get("fix_versions", ())
            and "security" in issue.get("labels", ())
        ]
        still_open = sorted(
            (i for i in in_release if not i["closed"]), key=lambda i: (i["created"], i["key"])
        )
        if slot % 4 == 3 or not still_open:
            category = rng.choice(list(LABELS))
            label, issue_type = LABELS[category]
            builder = _Builder(data, at)
            builder.rng = rng
            key = builder.issue(
                live["project"],
                rng.choice(TITLES[category]),
                type=issue_type,
                labels=["security", label],
                fix_versions=[live["version"]],
                closed=False,
                age_days=0,
            )
            data["issues"][key]["updated"] = now_iso(at)
        else:
            issue = still_open[0]
            issue.update(
                status="Done",
                closed=True,
                resolution="Fixed",
                closed_at=now_iso(at),
                updated=now_iso(at),
            )
            issue.setdefault("history", []).append({"at": now_iso(at), "state": "closed"})
    return True
