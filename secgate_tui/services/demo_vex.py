"""The demo's SBOM and VEX for each IPC release, written next to its sandbox.

Real open-source components with real CVE identifiers, as a scanner (grype,
CycloneDX 1.6) and a product security team (OpenVEX) would write them. Dated
two days before today, so the assessment is always current in the demo:

- 2.2 is blocked by one untriaged vulnerability (urllib3's CVE-2023-45803 was
  found by the scanner and nobody has assessed it yet);
- every other release passes: each finding is ``not_affected`` with a
  justification, ``fixed``, or ``affected`` with an action and a linked risk
  acceptance.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

_PRODUCT = "pkg:generic/acme/infusion-pump-controller"
_COMPONENTS = {
    "openssl": ("3.0.7", "pkg:generic/openssl@3.0.7"),
    "zlib": ("1.2.12", "pkg:generic/zlib@1.2.12"),
    "busybox": ("1.35.0", "pkg:generic/busybox@1.35.0"),
    "jinja2": ("3.1.2", "pkg:pypi/jinja2@3.1.2"),
    "urllib3": ("2.0.5", "pkg:pypi/urllib3@2.0.5"),
}
# (CVE, component, OpenVEX status, justification or action); None: not assessed.
_FINDINGS: list[tuple[str, str, str | None, str]] = [
    ("CVE-2023-0286", "openssl", "not_affected", "vulnerable_code_not_in_execute_path"),
    ("CVE-2022-37434", "zlib", "not_affected", "vulnerable_code_not_in_execute_path"),
    ("CVE-2022-48174", "busybox", "not_affected", "vulnerable_code_not_present"),
    ("CVE-2024-22195", "jinja2", "not_affected", "vulnerable_code_not_in_execute_path"),
    (
        "CVE-2023-43804",
        "urllib3",
        "affected",
        "Cookie headers are never set on redirected requests; upgrade to urllib3 2.0.7 "
        "in 2.3, risk accepted in IPC-2.",
    ),
]
_UNTRIAGED = ("CVE-2023-45803", "urllib3")
RELEASES = ("2.0", "2.1", "2.2", "2.2.1", "3.0")


def write_demo_vex(directory: Path, today: date | None = None) -> dict[str, Any]:
    """Write the files and return the product's ``vulnerability_assessment`` settings."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.combine((today or date.today()) - timedelta(days=2), time(), UTC)
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    for release in RELEASES:
        findings = [(cve, name) for cve, name, _, _ in _FINDINGS]
        if release == "2.2":
            findings.append(_UNTRIAGED)
        _write(directory / f"ipc-{release}.cdx.json", _sbom(release, findings, when))
        _write(directory / f"ipc-{release}.openvex.json", _openvex(release, when))
    return {
        "sbom": str(directory / "ipc-{release}.cdx.json"),
        "vex": [str(directory / "ipc-{release}.openvex.json")],
        "max_age_days": 30,
    }


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _sbom(release: str, findings: list[tuple[str, str]], when: str) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "timestamp": when,
            "component": {
                "type": "firmware",
                "bom-ref": "ipc",
                "name": "infusion-pump-controller",
                "version": release,
                "purl": f"{_PRODUCT}@{release}",
            },
        },
        "components": [
            {"type": "library", "bom-ref": purl, "name": name, "version": version, "purl": purl}
            for name, (version, purl) in _COMPONENTS.items()
        ],
        "vulnerabilities": [
            {
                "bom-ref": f"{cve}:{name}",
                "id": cve,
                "source": {"name": "NVD", "url": f"https://nvd.nist.gov/vuln/detail/{cve}"},
                "affects": [{"ref": _COMPONENTS[name][1]}],
            }
            for cve, name in findings
        ],
    }


def _openvex(release: str, when: str) -> dict[str, Any]:
    statements = []
    for cve, name, status, text in _FINDINGS:
        statement: dict[str, Any] = {
            "vulnerability": {"name": cve},
            "products": [
                {"@id": f"{_PRODUCT}@{release}", "subcomponents": [{"@id": _COMPONENTS[name][1]}]}
            ],
            "status": status,
        }
        statement["justification" if status == "not_affected" else "action_statement"] = text
        statements.append(statement)
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": f"https://example.com/acme/vex/ipc-{release}",
        "author": "ACME Product Security",
        "timestamp": when,
        "version": 1,
        "statements": statements,
    }
