"""``[products.P.policy]``: a product's own policy keys over the global ``[policy]``
(issue 13): applied to that product only, out of the digest while unset, errors clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from secgate_tui.config import Config, ConfigError, load_config
from secgate_tui.domain import Category, Disposition, Severity

BASE = """
[trackers.box]
kind = "sandbox"
path = "{path}"

[policy]
max_snapshot_age_seconds = 300
acceptance_max_age_days = 180
justification_required = {{ critical = ["not-a-defect"] }}

[products.ipc]
name = "Infusion Pump Controller"

[[products.ipc.sources]]
tracker = "box"
project = "IPC"

[products.dms]
name = "Dose Management System"

[[products.dms.sources]]
tracker = "box"
project = "DMS"
"""


def load(tmp_path: Path, extra: str = "") -> Config:
    path = tmp_path / "secgate.toml"
    path.write_text((BASE + extra).format(path=tmp_path / "box.json"), encoding="utf-8")
    return load_config(path)


OWN = """
[products.ipc.policy]
acceptance_max_age_days = 90
justification_required = {{}}
separation_of_duties = true
document_prefix = "IPC-QMS"
max_snapshot_age_seconds = 60

[products.ipc.policy.categories.system-test-findings]
accepted = ["fixed"]
"""


def test_a_product_sets_its_own_keys_and_keeps_the_global_rest(tmp_path: Path) -> None:
    config = load(tmp_path, OWN)
    ipc, dms = config.product_policy("ipc"), config.product_policy("dms")
    assert ipc.acceptance_max_age_days == 90 and dms.acceptance_max_age_days == 180
    # A table replaces the global one: {} asks for no justification in this product.
    assert ipc.justification_required == {}
    assert dms.justification_required == {Severity.CRITICAL: [Disposition.NOT_A_DEFECT]}
    assert ipc.separation_of_duties and not dms.separation_of_duties
    assert ipc.record_document_prefix == "IPC-QMS" and dms.record_document_prefix == "SEC-REC"
    assert ipc.max_snapshot_age_seconds == 60 and dms.max_snapshot_age_seconds == 300
    assert config.policy_key("ipc", "max_snapshot_age_seconds") == (
        "products.ipc.policy.max_snapshot_age_seconds"
    )
    assert config.policy_key("dms", "max_snapshot_age_seconds") == "policy.max_snapshot_age_seconds"


def test_the_gate_of_each_product_applies_its_own_policy(tmp_path: Path) -> None:
    config = load(tmp_path, OWN)
    ipc = config.product("ipc").gate_policy(config.policy, {})
    dms = config.product("dms").gate_policy(config.policy, {})
    assert ipc.anomalies is not None and dms.anomalies is not None
    assert ipc.anomalies.acceptance_max_age_days == 90
    assert ipc.anomalies.justification_required == {}
    assert ipc.max_snapshot_age_seconds == 60
    assert ipc.categories[Category.SYSTEM_TEST_FINDINGS].accepted == (Disposition.FIXED,)
    assert dms.anomalies.acceptance_max_age_days == 180
    assert dms.max_snapshot_age_seconds == 300 and dms.categories == {}


def test_unset_leaves_the_digest_as_it_was(tmp_path: Path) -> None:
    plain = load(tmp_path)
    assert all("policy" not in p for p in plain.digest_source["products"].values())
    one_key = load(tmp_path, "\n[products.ipc.policy]\nacceptance_max_age_days = 90\n")
    # Only the keys a product sets: another key added later leaves this digest alone.
    assert one_key.digest_source["products"]["ipc"]["policy"] == {"acceptance_max_age_days": 90}
    assert "policy" not in one_key.digest_source["products"]["dms"]
    assert one_key.digest_source != plain.digest_source


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "record_time_window_minutes = 30",
            r"products\.ipc\.policy\.record_time_window_minutes: .*cannot be set per product: "
            r".*set it in \[policy\]",
        ),
        ("max_age = 3", r"products\.ipc\.policy\.max_age: unknown setting"),
        ('acceptance_max_age_days = "90"', r"products\.ipc\.policy\.acceptance_max_age_days"),
        ("max_snapshot_age_seconds = 99999999", r"products\.ipc\.policy\.max_snapshot_age_seconds"),
        ('document_prefix = "a/b"', r"products\.ipc\.policy\.document_prefix"),
        (
            'justification_required = {{ high = ["unknown"] }}',
            r"products\.ipc\.policy\.justification_required: .*'unknown' is never accepted",
        ),
    ],
)
def test_bad_product_policy_is_one_clear_paragraph(
    tmp_path: Path, extra: str, expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected) as raised:
        load(tmp_path, f"\n[products.ipc.policy]\n{extra}\n")
    assert "\n" not in str(raised.value)


def test_the_gates_reasons_name_where_the_product_set_the_key(tmp_path: Path) -> None:
    config = load(tmp_path, OWN)
    ipc = config.product("ipc").gate_policy(config.policy, {}, product_id="ipc").anomalies
    dms = config.product("dms").gate_policy(config.policy, {}, product_id="dms").anomalies
    assert ipc is not None and dms is not None
    assert ipc.key("acceptance_max_age_days") == "products.ipc.policy.acceptance_max_age_days"
    assert ipc.key("justification_required") == "products.ipc.policy.justification_required"
    # Keys the anomaly rules do not use stay out of them (and out of evidence bundles).
    assert set(ipc.set_in) == {"acceptance_max_age_days", "justification_required"}
    assert dms.key("acceptance_max_age_days") == "policy.acceptance_max_age_days"
    assert dms.set_in == {}
