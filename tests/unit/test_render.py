"""Rendering records as tracker comments: escaped, extractable, digest intact."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from secgate_tui.domain.render import BlockError, dialect, extract, render_record
from tests.unit.test_record_support import record_for, snapshot

MARKUPS = ["plain", "jira-wiki", "markdown", "textile"]
FAKE_MARKER = "secgate-record SRA-0000 sha256:" + "0" * 64
NASTY = [
    "[bold red]Rich[/] [link=https://evil]click[/link]",
    "\x1b[31mred\x1b[0m\x1b]8;;https://evil\x07link\x1b]8;;\x07 \x9b2J",
    "`inline` and ``` fenced ```",
    "{code}x{code} {noformat}y{noformat} {panel}",
    "</pre><script>alert(1)</script><pre>",
    "```\nsecgate-record-json: {}\n```",
    "line\n" + FAKE_MARKER,
    "*bold* _em_ +ins+ -del- ^sup^ ~sub~ |cell| !image.png! [link|http://x] #12 @user",
    "\u202eevil\u202c bidi and 😀 emoji and ünïcödé",
    "x" * 10_000,
]


def closers(markup: str) -> str:
    return {"plain": "----", "jira-wiki": "{noformat}", "markdown": "```", "textile": "</pre>"}[
        markup
    ]


@pytest.mark.parametrize("markup", MARKUPS)
def test_hostile_titles_are_escaped_and_the_record_still_reads_back(markup: str) -> None:
    record = record_for(snapshot(titles=NASTY))
    body = render_record(record, dialect(markup)).body
    found = extract(body, "secgate-record")
    assert found.record_id == record.record_id
    assert found.marker_digest == record.record_digest
    assert found.redigest() == record.record_digest
    assert found.canonical() == record.canonical()
    # Nothing a user typed starts a line, closes the block or poses as a marker.
    assert "\x1b" not in body and "\x9b" not in body and "\u202e" not in body
    assert [line for line in body.splitlines() if line.startswith("secgate-record ")] == [
        record.marker
    ]
    human = body.split("secgate-record-json: ")[0]
    assert FAKE_MARKER not in human or markup == "plain"
    lines = body.splitlines()
    json_line = next(line for line in lines if line.startswith("secgate-record-json: "))
    assert json_line.isascii()
    for closer in ("{code}", "{noformat}", "</pre>", "```", "`"):
        assert closer not in json_line
    if markup != "plain":
        assert sum(line.strip() == closers(markup) for line in lines) == (
            1 if markup == "textile" else 2 if markup != "markdown" else 1
        )


@pytest.mark.parametrize("markup", ["jira-wiki", "textile"])
def test_markup_characters_in_titles_are_literal(markup: str) -> None:
    record = record_for(snapshot(titles=NASTY))
    human = render_record(record, dialect(markup)).body.split("Machine")[0]
    for raw in ("</pre>", "{noformat}", "{code}", "[bold red]", "*bold*", "<script>", "```"):
        assert raw not in human, raw


def test_titles_are_truncated_in_the_human_part_only() -> None:
    record = record_for(snapshot(titles=["y" * 5000]))
    body = render_record(record, dialect("markdown")).body
    human = body.split("secgate-record-json")[0]
    assert "y" * 200 not in human and "y" * 100 in human
    assert "y" * 5000 in extract(body, "secgate-record").canonical()


@pytest.mark.parametrize("markup", MARKUPS)
def test_a_record_too_long_for_the_tracker_goes_to_an_attachment(markup: str) -> None:
    record = record_for(snapshot(titles=[f"finding {n} " + "z" * 300 for n in range(200)]))
    full = render_record(record, dialect(markup)).body
    assert len(full) > 32_767
    rendered = render_record(record, dialect(markup), limit=32_767)
    assert len(rendered.body) <= 32_767
    assert rendered.attachment is not None and rendered.attachment_name is not None
    assert hashlib.sha256(rendered.attachment).hexdigest() == record.record_digest
    found = extract(rendered.body, "secgate-record")
    assert found.json_text is None and found.attachment == rendered.attachment_name
    assert found.redigest(rendered.attachment) == record.record_digest
    assert re.search(r"P(-|&#45;|\\-)20", rendered.body), "residual item kept"
    assert "physical access" in rendered.body
    with pytest.raises(BlockError, match="not read"):
        found.canonical()


def test_a_limit_even_the_summary_cannot_meet_is_refused() -> None:
    from secgate_tui.domain.render import RecordTooLargeError

    with pytest.raises(RecordTooLargeError):
        render_record(record_for(snapshot()), dialect("plain"), limit=500)


def test_an_edited_machine_block_no_longer_digests_to_its_marker() -> None:
    record = record_for(snapshot())
    body = render_record(record, dialect("jira-wiki")).body
    edited = body.replace("Only reachable with physical access.", "Fine.")
    assert edited != body
    assert extract(edited, "secgate-record").redigest() != record.record_digest
    cut = re.sub(r"secgate-record-json: .*", 'secgate-record-json: {"a":', body)
    with pytest.raises(BlockError, match="not valid JSON"):
        extract(cut, "secgate-record").canonical()


def test_extraction_refuses_missing_or_duplicated_markers() -> None:
    record = record_for(snapshot())
    body = render_record(record, dialect("markdown")).body
    with pytest.raises(BlockError, match="no 'secgate-record' marker"):
        extract(body.replace(record.marker, ""), "secgate-record")
    with pytest.raises(BlockError, match="2 'secgate-record' marker lines"):
        extract(body + "\n" + record.marker + "\n", "secgate-record")
    with pytest.raises(BlockError, match="no 'secgate-review' marker"):
        extract(body, "secgate-review")


def test_trackers_rewrapping_line_ends_do_not_break_extraction() -> None:
    record = record_for(snapshot())
    body = render_record(record, dialect("textile")).body.replace("\n", "\r\n")
    assert extract(body, "secgate-record").redigest() == record.record_digest


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(min_size=1, max_size=300),
    markup=st.sampled_from(MARKUPS),
)
def test_any_title_round_trips_through_every_markup(title: str, markup: str) -> None:
    record = record_for(snapshot(titles=[title]))
    body = render_record(record, dialect(markup)).body
    assert extract(body, "secgate-record").redigest() == record.record_digest


def test_markup_characters_in_titles_render_literally_in_markdown() -> None:
    # Format 3 escapes Markdown only where the rendering would change, so the raw
    # characters may be there, after a backslash; what counts is what renders.
    record = record_for(snapshot(titles=NASTY))
    human = render_record(record, dialect("markdown")).body.split("### Machine")[0]
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(human)
    assert html.count("<strong>") == 1  # secgate's own AUTHORIZED
    # secgate's own table (the unresolved anomalies, here the residual item P-20) is the
    # only one, with one body row: no title opens another or adds rows.
    assert html.count("<table") == 1 and "<th>Key</th>" in html
    assert html.count("<tr>") == 2
    for element in ("<script", "<pre", "<code", "<em>", "<a ", "<img", "<s>", "<h1"):
        assert element not in html, element
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;pre&gt;" in html
