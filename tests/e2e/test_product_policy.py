"""A product's own policy keys (``[products.P.policy]``) in an authorization: its
document numbers and its snapshot age, on the sandbox tracker (issue 13)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import tomli_w

from secgate_tui.config import config_from_data
from secgate_tui.domain import Category
from secgate_tui.services.authorization import Authorizer, Step
from secgate_tui.services.context import build_context
from secgate_tui.services.demo import demo_data
from secgate_tui.services.gate import evaluate_release
from secgate_tui.services.sync import utcnow
from tests.e2e.test_authorize_support import Setup


def setup_with(tmp_path: Path, **policy: object) -> Setup:
    setup = Setup(tmp_path)
    setup.write_config()
    data = tomllib.loads(setup.config.read_text(encoding="utf-8"))
    data["products"]["ipc"]["policy"] = policy
    setup.config.write_text(tomli_w.dumps(data), encoding="utf-8")
    return setup


def test_the_record_is_numbered_with_the_products_own_prefix(tmp_path: Path) -> None:
    setup = setup_with(tmp_path, document_prefix="IPC-QMS")
    with setup.context() as ctx:
        result = Authorizer(ctx).authorize("ipc", "2.0", {})
    assert result.authorized, result.message
    assert result.record is not None and result.record.document_number is not None
    assert result.record.document_number.startswith("IPC-QMS-")


def test_the_products_snapshot_age_applies_and_is_named(tmp_path: Path) -> None:
    setup = setup_with(tmp_path, max_snapshot_age_seconds=60)
    with setup.context() as ctx:
        prep = Authorizer(ctx).prepare("ipc", "2.0", {})
        assert prep.ready, prep.message
        later = Authorizer(ctx, clock=lambda: utcnow() + timedelta(seconds=61))
        result = later.commit(prep)
    assert not result.authorized and result.failed_step is Step.EVALUATE
    assert "at most 60 s (products.ipc.policy.max_snapshot_age_seconds)" in result.message
    assert setup.audit() == []


def test_the_records_criteria_name_the_products_own_keys(tmp_path: Path) -> None:
    setup = setup_with(tmp_path, max_snapshot_age_seconds=240)
    with setup.context() as ctx:
        result = Authorizer(ctx).authorize("ipc", "2.0", {})
    assert result.authorized and result.record is not None, result.message
    criteria = "\n".join(result.record.criteria)
    assert "at most 240 s old (products.ipc.policy.max_snapshot_age_seconds)" in criteria
    # A key the product leaves to [policy] is named there.
    assert "(policy.separation_of_duties = false)" in criteria


def test_the_gates_reasons_name_the_products_own_anomaly_keys(tmp_path: Path) -> None:
    # The demo's 2.1 has an expired risk acceptance (IPC-99) and its 2.2 a Critical
    # "not a defect" without rationale (IPC-154): each reason names the key to change.
    data = demo_data(tmp_path)
    data["products"]["ipc"]["policy"] = {
        "acceptance_max_age_days": 1,
        "justification_required": {"critical": ["not-a-defect"]},
    }
    config = config_from_data(data, None)
    ctx = build_context(config, tmp_path)
    try:
        reasons = {}
        for release in ("2.1", "2.2"):
            ctx.syncer.sync_release("ipc", release)
            verdict, _ = evaluate_release(config, ctx.store, "ipc", release, utcnow())
            reasons[release] = " ".join(verdict.reasons)
            if release == "2.1":
                [row] = [a for a in verdict.anomalies if a.key == "IPC-99"]
                expired = row.reason or ""
            else:
                blocking = verdict.category(Category.DEFECT_MANAGEMENT).blocking
                [unjustified] = [f.reason for f in blocking if f.key == "IPC-154"]
    finally:
        ctx.close()
    assert "products.ipc.policy.acceptance_max_age_days" in expired
    assert unjustified == (
        "not-a-defect on a critical issue without a justification "
        "(products.ipc.policy.justification_required)"
    )
    assert "products.ipc.policy.acceptance_max_age_days" in reasons["2.1"]
    assert "(policy." not in reasons["2.1"] + reasons["2.2"]
