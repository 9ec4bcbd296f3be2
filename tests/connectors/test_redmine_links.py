"""An evidence issue linked to a release on the real Redmine: the target versions of the
issues it is related to by a configured relation type (``evidence_link_types``)."""

from __future__ import annotations

import pytest

from connectors.redmine import RedmineConnector
from connectors.redmine.links import related_ids
from tests.redmine.fixtures import RedmineHarness, connector_settings, redmine_harness

__all__ = ["redmine_harness"]


def _relate(h: RedmineHarness, source: str, target: str, kind: str) -> None:
    h.admin.call(
        "POST",
        f"/issues/{source.lstrip('#')}/relations.json",
        {"relation": {"issue_to_id": int(target.lstrip("#")), "relation_type": kind}},
    )


@pytest.mark.redmine
def test_the_versions_of_issues_related_by_a_configured_type(
    redmine_harness: RedmineHarness,
) -> None:
    h = redmine_harness
    pentest = h.add_issue("Penetration test", release="3.0")
    release = h.add_issue("Release 2.0", release="2.0")
    later = h.add_issue("Follows the pen test", release="2.1")
    _relate(h, pentest, release, "relates")
    _relate(h, pentest, later, "precedes")

    assert h.connector.linked_versions(pentest) == []  # none configured: nothing read
    connector = RedmineConnector(
        "redmine",
        connector_settings(h.proxy.url, evidence_link_types=["Relates"]),
        h.server.alice_key,
    )
    try:
        assert connector.linked_versions(pentest) == ["2.0"]
        assert connector.linked_versions(release) == ["3.0"]  # "relates" reads both ways
        assert connector.linked_versions(later) == []  # "follows", not "relates"
    finally:
        connector.close()


def test_a_directional_relation_reads_reversed_from_its_other_end() -> None:
    relations = [
        {"issue_id": 1, "issue_to_id": 2, "relation_type": "precedes"},
        {"issue_id": 3, "issue_to_id": 1, "relation_type": "blocks"},
        {"issue_id": 1, "issue_to_id": 4, "relation_type": "relates"},
    ]
    assert related_ids(1, relations, ["precedes"]) == [2]
    assert related_ids(1, relations, ["blocked"]) == [3]
    assert related_ids(1, relations, ["blocks"]) == []
    assert related_ids(2, relations, ["follows"]) == [1]
    assert related_ids(1, relations, ["RELATES", "precedes"]) == [2, 4]
