"""The unresolved-anomaly policy keys: documented defaults, strict values, and a
configuration digest that stays the same while they are unset."""

from __future__ import annotations

from pathlib import Path

import pytest

from secgate_tui.config import load_config
from secgate_tui.domain import Disposition, Severity
from secgate_tui.domain.anomalies import DEFAULT_ACCEPTANCE_MAX_AGE_DAYS
from tests.unit.test_config_strict import GOOD, refused, write


def policy(lines: str) -> str:
    return "[policy]\n" + lines + "\n" + GOOD


def test_unset_keys_give_the_documented_defaults_and_keep_the_digest(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    rules = config.product("ipc").gate_policy(config.policy, {}).anomalies
    assert rules is not None
    assert rules.acceptance_max_age_days == DEFAULT_ACCEPTANCE_MAX_AGE_DAYS == 365
    assert dict(rules.justification_required) == {
        Severity.CRITICAL: (Disposition.NOT_A_DEFECT, Disposition.DUPLICATE),
        Severity.HIGH: (Disposition.NOT_A_DEFECT, Disposition.DUPLICATE),
    }
    digest_policy = config.digest_source["policy"]
    assert "justification_required" not in digest_policy
    assert "acceptance_max_age_days" not in digest_policy


@pytest.mark.parametrize(
    ("lines", "max_age", "required"),
    [
        ("acceptance_max_age_days = 90", 90, None),
        ("acceptance_max_age_days = 0", 0, None),
        ("justification_required = {}", 365, {}),
        (
            'justification_required = { medium = ["duplicate"], critical = ["not-a-defect"] }',
            365,
            {
                Severity.MEDIUM: (Disposition.DUPLICATE,),
                Severity.CRITICAL: (Disposition.NOT_A_DEFECT,),
            },
        ),
    ],
)
def test_set_keys_are_used_and_digested(
    tmp_path: Path, lines: str, max_age: int, required: dict[Severity, tuple[Disposition, ...]]
) -> None:
    config = load_config(write(tmp_path, policy(lines)))
    rules = config.product("ipc").gate_policy(config.policy, {}).anomalies
    assert rules is not None and rules.acceptance_max_age_days == max_age
    if required is not None:
        assert dict(rules.justification_required) == required
    key = lines.split(" =")[0]
    assert key in config.digest_source["policy"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('acceptance_max_age_days = "365"', "policy.acceptance_max_age_days"),
        ("acceptance_max_age_days = -1", "policy.acceptance_max_age_days"),
        ("acceptance_max_age_days = 100000", "policy.acceptance_max_age_days"),
        ('justification_required = { severe = ["duplicate"] }', "justification_required"),
        ('justification_required = { high = ["maybe"] }', "justification_required"),
        ('justification_required = { high = ["unknown"] }', "'unknown' is never accepted"),
        ('justification_required = { high = "duplicate" }', "justification_required"),
    ],
)
def test_bad_values_are_refused_by_path(tmp_path: Path, lines: str, expected: str) -> None:
    assert expected in refused(tmp_path, policy(lines))
