"""A product's own policy keys (``[products.P.policy]``) in an authorization: its
document numbers and its snapshot age, on the sandbox tracker (issue 13)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import tomli_w

from secgate_tui.services.authorization import Authorizer, Step
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
