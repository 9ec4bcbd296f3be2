"""The shortcuts a sync's mapping takes per issue give exactly what the general code gives.

Issue 18 made mapping 20,000 issues cheaper by deciding the common case
(a printable ASCII key, a URL without userinfo, a time already in UTC, a label
no scoped prefix starts) without the general work. A user relies on the result
being the same: the same key refused, the same credentials taken out of a URL,
the same instant, the same classification, hence the same canonical JSON and
digests. Each shortcut is checked against the general code it skips.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.gitlab.anomaly import paragraph
from connectors.gitlab.mapping import IssueMapper, description_justification
from connectors.gitlab.settings import GitLabSettings
from secgate_tui.domain.model import utc
from secgate_tui.domain.text import _escape, is_unsafe, unsafe_characters, without_userinfo

# deadline=None: these run thousands of cheap examples; a loaded shared machine
# must not turn Hypothesis's 200 ms per-example deadline into a failure.
FAST = settings(max_examples=500, deadline=None)


def _general_unsafe(text: str) -> list[str]:
    return [_escape(c) for c in text if is_unsafe(c)]


def _general_without_userinfo(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


@FAST
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_unsafe_characters_matches_the_per_character_check(text: str) -> None:
    assert unsafe_characters(text) == _general_unsafe(text)


URL_PARTS = st.sampled_from(
    ["https://", "http://", "//", "https:", "", "user:pw@", "@", "tok@", "[", "]", "::1"]
) | st.text(alphabet="ab:/@?#[]%.-\t\n ", max_size=6)


@FAST
@given(st.lists(URL_PARTS, max_size=6).map("".join) | st.text())
def test_without_userinfo_matches_the_parsed_form(url: str) -> None:
    assert without_userinfo(url) == _general_without_userinfo(url)


def test_credentials_are_still_taken_out() -> None:
    assert without_userinfo("https://bot:s3cret@gitlab.example/g/p/-/issues/1") == (
        "https://gitlab.example/g/p/-/issues/1"
    )
    assert without_userinfo("https://gitlab.example/g/p/-/issues/1") == (
        "https://gitlab.example/g/p/-/issues/1"
    )


ZONES = st.sampled_from(
    [UTC, timezone(timedelta(0)), timezone(timedelta(hours=1)), None]
) | st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)).map(timezone)


@FAST
@given(st.datetimes(timezones=ZONES))
def test_utc_is_astimezone_for_aware_times_and_refuses_naive_ones(value: datetime) -> None:
    if value.tzinfo is None:
        try:
            utc(value)
        except ValueError:
            return
        raise AssertionError("a naive time was accepted")
    converted = utc(value)
    expected = value.astimezone(UTC)
    assert converted == expected
    assert converted.tzinfo is UTC
    assert converted.isoformat() == expected.isoformat()


LABELS = st.lists(
    st.sampled_from(
        ["severity::high", "priority::p1", "component::ui", "affects::1.2", "security", "sev"]
    )
    | st.text(alphabet="acefioprstuy:", max_size=12),
    max_size=6,
)
PREFIXES = st.sampled_from(["severity::", "priority::", "component::", "affects::", "", "s"])


@FAST
@given(LABELS, PREFIXES, PREFIXES, PREFIXES, PREFIXES)
def test_scoped_labels_match_the_per_prefix_scan(
    labels: list[str], severity: str, priority: str, component: str, affects: str
) -> None:
    mapper = IssueMapper(
        "gl",
        GitLabSettings(
            kind="gitlab",
            severity_prefix=severity,
            priority_prefix=priority,
            component_prefix=component,
            affects_prefix=affects,
        ),
    )
    prefixes = [p for p in (severity, priority, component, affects) if p]
    expected: dict[str, list[str]] = {p: [] for p in prefixes}
    for label in labels:
        for prefix in prefixes:
            if label.startswith(prefix):
                expected[prefix].append(label[len(prefix) :])
    assert mapper.scoped(labels) == expected


def _general_paragraph(description: str, prefix: str) -> str | None:
    if not prefix:
        return None
    lines = description.splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith(prefix):
            taken = [line.strip()[len(prefix) :]]
            for more in lines[index + 1 :]:
                if not more.strip():
                    break
                taken.append(more)
            text = "\n".join(taken).strip()
            return text or None
    return None


def _general_description_justification(description: str, prefix: str) -> str | None:
    lines = description.splitlines()
    for index, line in enumerate(lines):
        if prefix and line.strip().startswith(prefix):
            return "\n".join(lines[index:]).strip() or None
    return None


DESCRIPTION_PREFIXES = st.sampled_from(["Compensating controls:", "Risk acceptance:", "C", ""])
DESCRIPTIONS = st.lists(
    st.sampled_from(["", "  ", "Compensating controls: a watchdog", "Risk acceptance: ok", "x"])
    | st.text(max_size=30),
    max_size=6,
).map("\n".join)


@FAST
@given(DESCRIPTIONS, DESCRIPTION_PREFIXES)
def test_description_lines_match_the_line_by_line_scan(description: str, prefix: str) -> None:
    assert paragraph(description, prefix) == _general_paragraph(description, prefix)
    assert description_justification(description, prefix) == _general_description_justification(
        description, prefix
    )
