"""The human part's section on the vulnerability assessment (SBOM/VEX, issue 14).

Nothing for a record without one, so older records render as they did. Names,
states and justifications come from the SBOM/VEX files and are escaped like
tracker text; the shorter forms shorten (then leave out) the justifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.domain.render.dialect import Dialect

if TYPE_CHECKING:
    from secgate_tui.domain.render.record import Form

NAME_LIMIT = 120


def vulnerability_lines(record: AuthorizationRecord, d: Dialect, form: Form) -> list[str]:
    """SBOM digest, component count, counts by state and every open vulnerability."""
    section = record.vulnerabilities
    if section is None:
        return []
    lines = ["", d.heading(d.text("Vulnerability assessment (SBOM/VEX)"))]
    if section.sbom is None:
        lines.append(d.bullet(d.text("SBOM: none (the policy does not require one)")))
    else:
        lines.append(
            d.bullet(
                d.text("SBOM")
                + " "
                + d.text(section.sbom.name, NAME_LIMIT)
                + d.text(f": sha256:{section.sbom.sha256} ({section.components} components)")
            )
        )
    for document in section.documents:
        lines.append(
            d.bullet(
                d.text("VEX")
                + " "
                + d.text(f"{document.name} ({document.format})", NAME_LIMIT)
                + d.text(f": sha256:{document.sha256}")
            )
        )
    counts = ", ".join(f"{state} {n}" for state, n in section.counts.items())
    lines.append(d.bullet(d.text(f"Vulnerabilities by state: {counts or 'none found'}", 400)))
    if not section.open:
        lines.append(
            d.paragraph(
                d.text("Open: none (every one is resolved, not_affected or false_positive).")
            )
        )
    for item in section.open:
        head = f"{item.vulnerability} in {item.component}: {item.state}"
        linked = f"; linked issue {item.linked_issue}" if item.linked_issue else ""
        lines.append(d.bullet(d.text(head + linked, 300)))
        said = "; ".join(
            part
            for part in (
                f"justification {item.justification}" if item.justification else "",
                f"response {item.response}" if item.response else "",
            )
            if part
        )
        if said and form.justification_limit:
            lines.append(d.bullet(d.text(said, form.justification_limit), level=2))
    return lines
