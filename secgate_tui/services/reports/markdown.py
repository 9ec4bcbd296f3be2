"""The verdict as Markdown, for ``$GITHUB_STEP_SUMMARY`` or a merge request comment.

Tracker and configuration text (titles, statuses, reasons, names) is untrusted:
it is made one safe line by :func:`printable`, then every character that would
change how GitHub or GitLab renders it (emphasis, code, links, HTML, table
cells, entities, mentions and issue references) is backslash-escaped, so a title
shows as the characters it holds and nothing else. Links are only ever http(s)
URLs, percent-encoded where Markdown would end or nest them.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from secgate_tui.domain import Finding
from secgate_tui.domain.text import printable
from secgate_tui.services.authorization_state import describe
from secgate_tui.services.reports.checks import Check, build_checks
from secgate_tui.services.reports.model import GateReport, attachments_note, when

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones
# that start or end markup in a table cell or a list item (`&` starts entities,
# `@` mentions, `#` issue references, `!` images, `:` emoji shortcodes).
_MARKUP = re.compile(r"([\\`*_{}\[\]()<>#!|~&@:$])")
_URL_SAFE = ":/?#@!$&'*+,;=%-._~"


def md_text(text: str, limit: int | None = None) -> str:
    """Untrusted text as literal Markdown inline text."""
    return _MARKUP.sub(r"\\\1", printable(text, limit))


def md_link(label: str, url: str) -> str:
    """A link when ``url`` is http(s); else the label alone (never a javascript: link)."""
    text = md_text(label)
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return text
    if scheme not in ("http", "https"):
        return text
    return f"[{text}]({quote(url, safe=_URL_SAFE)})"


_MARK = {True: "✅ pass", False: "❌ **blocks**"}


def _check_row(check: Check) -> str:
    detail = "; ".join(check.reasons) if check.reasons else check.summary
    return f"| {check.group} | {md_text(check.name)} | {_MARK[check.passed]} | {md_text(detail)} |"


def _item(report: GateReport, check: Check, finding: Finding) -> str:
    key = md_link(finding.key, report.link(finding.source, finding.key))
    return (
        f"- {key} ({md_text(check.name)}, {md_text(finding.status)}): "
        f"{md_text(finding.title, 200)}: {md_text(finding.reason)}"
    )


def render_markdown(report: GateReport) -> str:
    verdict = report.verdict
    checks = build_checks(verdict)
    lines = [
        f"## secgate: {md_text(report.product_name)} ({md_text(report.product)}) release "
        f"{md_text(report.release)}: **{verdict.outcome.value}**",
        "",
        f"Snapshot `sha256:{verdict.snapshot_digest}`; data synced {when(verdict.synced_at)}; "
        f"evaluated {when(verdict.evaluated_at)}.",
        "",
        *(
            [f"Authorization: {md_text(describe(dict(report.authorization)))}", ""]
            if report.authorization is not None
            else []
        ),
        *([note, ""] if (note := attachments_note(report, md_text)) else []),
        "| Check | Name | Result | Detail |",
        "| --- | --- | --- | --- |",
        *(_check_row(check) for check in checks),
    ]
    items = [_item(report, c, f) for c in checks if not c.passed for f in c.items]
    if items:
        lines += ["", f"### Blocking items ({len(items)})", "", *items]
    if verdict.reasons:
        lines += ["", "### Blocked because", ""]
        lines += [f"- {md_text(reason)}" for reason in verdict.reasons]
    return "\n".join(lines) + "\n"
