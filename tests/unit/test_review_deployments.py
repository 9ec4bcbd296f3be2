"""Time from fix shipped to deployment, on the data set of test_review_metrics.

Shipped fixes there: D-1 and D-3, both in 1.1, released at D80. Deployments:

installation  what                          when     counts for     days after D80
site-a        1.1 (CSV)                     D70      D-1, D-3       10
site-b        1.1 (CSV)                     D50      D-1, D-3       30
site-b        1.1 (CSV, again)              D40      (later: the first counts)
site-c        1.0 (CSV, not a fix version)  D200     nothing
site-d        1.1 (CSV)                     NOW+5    nothing (after the period)
pilot         1.1 (CSV)                     D85      D-1, D-3       0 (before it shipped)
site-e        label deployed:site-e@D75     D75      D-1 only       5

D-1: (0, 5, 10, 30); D-3: (0, 10, 30). All seven pairs sorted: 0 0 5 10 10 30 30,
nearest-rank median rank 4 -> 10, p90 rank ceil(6.3) = 7 -> 30.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from secgate_tui.config import load_config
from secgate_tui.config_review import DeploymentSource
from secgate_tui.domain.model import Issue
from secgate_tui.domain.review_deployments import (
    Deployment,
    DeploymentError,
    Deployments,
    label_deployments,
)
from secgate_tui.domain.review_metrics import review_metrics
from secgate_tui.domain.review_stats import DurationStats
from secgate_tui.services.review_deployments import read_deployments
from tests.unit.test_config_strict import GOOD, refused, write
from tests.unit.test_review_metrics import (
    CLASSIFICATION,
    ISSUES,
    LAST_REVIEW,
    NOW,
    RELEASED,
    d,
)


def _day(days: float) -> str:
    return (NOW - timedelta(days=days)).date().isoformat()


CSV = (
    "version,installation,deployed_at\n"
    f"1.1,site-a,{_day(70)}\n"
    f"1.1,site-b,{_day(50)}\n"
    f"1.1,site-b,{_day(40)}\n"
    f"1.0,site-c,{_day(200)}\n"
    f"1.1,site-d,{(NOW + timedelta(days=5)).date().isoformat()}\n"
    f"1.1,pilot,{_day(85)}T00:00:00+00:00\n"
)


def _with_label(tmp_path: Path) -> tuple[Deployments, list[Issue]]:
    csv = tmp_path / "installations.csv"
    csv.write_text(CSV, encoding="utf-8")
    from_csv = read_deployments(DeploymentSource(csv="installations.csv"), [], tmp_path)
    assert from_csv is not None and from_csv.source == "CSV installations.csv"
    issues = [
        i.model_copy(update={"labels": (*i.labels, f"deployed:site-e@{_day(75)}")})
        if i.key == "D-1"
        else i
        for i in ISSUES
    ]
    labelled = label_deployments(((i.source, i.key, i.labels) for i in issues), "deployed:")
    return from_csv.model_copy(update={"rows": (*from_csv.rows, *labelled)}), issues


def test_time_from_fix_shipped_to_deployment(tmp_path: Path) -> None:
    deployments, issues = _with_label(tmp_path)
    metrics = review_metrics(
        issues,
        CLASSIFICATION,
        period_start=LAST_REVIEW,
        now=NOW,
        released=RELEASED,
        deployments=deployments,
    )
    by_key = {defect.key: defect for defect in metrics.deployed.defects}
    assert by_key["D-1"].days_ship_to_deploy == (0.0, 5.0, 10.0, 30.0)
    assert by_key["D-3"].days_ship_to_deploy == (0.0, 10.0, 30.0)
    # A fix that has not shipped has no deployment to count.
    assert by_key["D-2"].days_ship_to_deploy is None
    assert metrics.deployed.deployment_source == "CSV installations.csv"
    assert metrics.deployed.time_ship_to_deploy == DurationStats(
        count=7, median_days=10.0, p90_days=30.0
    )
    # Still exposed at NOW: installations whose latest version (by NOW) is an affected
    # one, without the fix. site-c runs 1.0; site-a, site-b and pilot run 1.1 (site-d's
    # 1.1 comes after NOW). 1.0's defects D-1, D-3, D-4: site-c; 1.1's D-2, U-1, D-7:
    # all three (their fixes have not shipped, or shipped in no version).
    assert {key: defect.installations_without_fix for key, defect in by_key.items()} == {
        "D-1": 1,
        "D-2": 3,
        "D-3": 1,
        "D-4": 1,
        "U-1": 3,
        "D-7": 3,
    }


def test_without_a_deployment_source_nothing_is_guessed() -> None:
    metrics = review_metrics(
        ISSUES, CLASSIFICATION, period_start=LAST_REVIEW, now=NOW, released=RELEASED
    )
    assert metrics.deployed.deployment_source is None
    assert metrics.deployed.time_ship_to_deploy is None
    assert all(
        defect.days_ship_to_deploy is None and defect.installations_without_fix is None
        for defect in metrics.deployed.defects
    )
    # Unset, the new fields stay out of the JSON (records before keep their digests).
    dumped = metrics.deployed.model_dump(mode="json")
    assert "deployment_source" not in dumped and "time_ship_to_deploy" not in dumped


def test_deployment_labels_read_installation_and_day() -> None:
    rows = label_deployments(
        [("jira", "IPC-1", ("security", "deployed:Ward 3@2026-01-05"))], "deployed:"
    )
    assert rows == [
        Deployment(
            installation="Ward 3", deployed_at=d(0).replace(2026, 1, 5), issue=("jira", "IPC-1")
        )
    ]


def test_a_malformed_deployment_label_stops_the_review() -> None:
    with pytest.raises(DeploymentError, match=r"deployed:ward-3' of IPC-1 \(jira\)"):
        label_deployments([("jira", "IPC-1", ("deployed:ward-3",))], "deployed:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("version,site,deployed_at\n1.1,a,2026-01-01\n", "needs exactly version, installation"),
        ("version,installation,deployed_at\n1.1,a\n", "has 2 value"),
        ("version,installation,deployed_at\n1.1,,2026-01-01\n", "empty version or installation"),
        ("version,installation,deployed_at\n1.1,a,yesterday\n", "line 2 that is not a date"),
        ("version,installation,deployed_at\n1.1,a,2026-01-01T10:00\n", "no time zone offset"),
        ("", "has the columns (none)"),
    ],
)
def test_a_bad_csv_stops_the_review_with_the_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "installations.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DeploymentError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_deployments(DeploymentSource(csv=str(path)), [], None)


def test_a_missing_or_binary_csv_stops_the_review(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="cannot be read"):
        read_deployments(DeploymentSource(csv="absent.csv"), [], tmp_path)
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00version")
    with pytest.raises(DeploymentError, match="not UTF-8"):
        read_deployments(DeploymentSource(csv="bin.csv"), [], tmp_path)


def test_the_source_is_exactly_one_of_csv_or_labels() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        DeploymentSource()
    with pytest.raises(ValueError, match="exactly one"):
        DeploymentSource(csv="a.csv", label_prefix="deployed:")


def test_a_hostile_label_is_shown_escaped() -> None:
    with pytest.raises(DeploymentError) as raised:
        label_deployments([("jira", "IPC-1", ("deployed:\x1b[2Jward",))], "deployed:")
    assert "\x1b" not in str(raised.value) and "ward" in str(raised.value)


@pytest.mark.parametrize(
    "table",
    [
        '[products.ipc.review.deployments]\ncsv = "a.csv"\nlabel_prefix = "deployed:"\n',
        "[products.ipc.review.deployments]\n",
        '[products.ipc.review.deployments]\ncsv = " "\n',
        '[products.ipc.review.deployments]\nsheet = "a.xlsx"\n',
    ],
)
def test_a_bad_deployment_table_is_a_config_error_naming_it(tmp_path: Path, table: str) -> None:
    assert "products.ipc.review.deployments" in refused(tmp_path, GOOD + table)


def test_the_deployment_table_is_in_the_config_digest_only_when_set(tmp_path: Path) -> None:
    plain = load_config(write(tmp_path, GOOD + "[products.ipc.review]\nparticipants = []\n"))
    assert "deployments" not in plain.digest_source["products"]["ipc"]["review"]
    table = '[products.ipc.review.deployments]\ncsv = "installations.csv"\n'
    configured = load_config(write(tmp_path, GOOD + table))
    review = configured.product("ipc").review
    assert review is not None and review.deployments == DeploymentSource(csv="installations.csv")
