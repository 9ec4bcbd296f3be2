"""Review targets: each figure against its target, and the strict ``[products.P.review]`` table.

Figures are from the hand-worked data set of test_review_metrics: time to close
of high issues [10, 20, 200] -> median 20; no critical or medium issue closed;
low: D-7 after 60 d; all severities [4, 10, 20, 60, 200] -> median 20; deployed
share fixed 4 of 6 = 66.67 %; time to fix shipped [20, 320] -> median 20.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from secgate_tui.config import ConfigError, load_config
from secgate_tui.domain.canonical import canonical_json
from secgate_tui.domain.review_metrics import ReviewMetrics, review_metrics
from secgate_tui.domain.review_targets import (
    ReviewTargets,
    TargetState,
    TimeToClose,
    target_results,
)
from tests.unit.test_config_strict import GOOD, in_product, write
from tests.unit.test_review_metrics import CLASSIFICATION, ISSUES, LAST_REVIEW, NOW, RELEASED

MET, MISSED, NONE, NO_DATA = (
    TargetState.MET,
    TargetState.MISSED,
    TargetState.NO_TARGET,
    TargetState.NO_DATA,
)


@pytest.fixture(scope="module")
def metrics() -> ReviewMetrics:
    return review_metrics(
        ISSUES, CLASSIFICATION, period_start=LAST_REVIEW, now=NOW, released=RELEASED
    )


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        (
            ReviewTargets(),
            [
                ("critical", None, NONE),
                ("high", 20.0, NONE),
                ("medium", None, NONE),
                ("low", 60.0, NONE),
                ("all", 20.0, NONE),
                ("fixed", 66.67, NONE),
                ("shipped", 20.0, NONE),
            ],
        ),
        (
            ReviewTargets(
                time_to_close_days=TimeToClose(critical=15, high=20, low=30, all=19.99),
                deployed_fixed_percent=66.67,
                time_to_fix_shipped_days=19,
            ),
            [
                ("critical", None, NO_DATA),  # no critical issue closed: cannot miss
                ("high", 20.0, MET),  # a median equal to the target meets it
                ("medium", None, NONE),
                ("low", 60.0, MISSED),
                ("all", 20.0, MISSED),
                ("fixed", 66.67, MET),  # at least the target
                ("shipped", 20.0, MISSED),
            ],
        ),
    ],
)
def test_each_figure_against_its_target(
    metrics: ReviewMetrics,
    targets: ReviewTargets,
    expected: list[tuple[str, float | None, TargetState]],
) -> None:
    results = target_results(metrics, targets)
    assert [(r.value, r.state) for r in results] == [(v, s) for _, v, s in expected]
    assert [r.question for r in results] == ["efficient"] * 5 + ["resolution", "efficient"]


CONFIG = """
[products.ipc.review]
participants = ["qa.lead"]

[products.ipc.review.targets]
time_to_close_days = { critical = 15, high = 30 }
deployed_fixed_percent = 100
time_to_fix_shipped_days = 60

[products.ipc.review.defect_labels]
root_cause = "rc::"
"""


def test_targets_load_from_the_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD + CONFIG))
    review = config.product("ipc").review
    assert review is not None
    assert review.targets.time_to_close_days == TimeToClose(critical=15, high=30)
    assert review.targets.deployed_fixed_percent == 100
    assert review.participants == ["qa.lead"]
    assert (review.defect_labels.root_cause, review.defect_labels.disclosure) == (
        "rc::",
        "disclosure:",
    )


def test_an_unset_review_table_leaves_the_config_digest_as_it_was(tmp_path: Path) -> None:
    plain = load_config(write(tmp_path, GOOD))
    assert plain.product("ipc").review is None
    assert "review" not in plain.digest_source["products"]["ipc"]
    with_targets = load_config(write(tmp_path, GOOD + CONFIG))
    assert canonical_json(with_targets.digest_source) != canonical_json(plain.digest_source)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (GOOD + "[products.ipc.review]\ntarget = 1\n", "products.ipc.review.target"),
        (
            GOOD + "[products.ipc.review.targets]\ntime_to_close_days = { urgent = 5 }\n",
            "products.ipc.review.targets.time_to_close_days.urgent",
        ),
        (
            GOOD + "[products.ipc.review.targets]\ntime_to_close_days = { high = 0 }\n",
            "products.ipc.review.targets.time_to_close_days.high",
        ),
        (
            GOOD + "[products.ipc.review.targets]\ndeployed_fixed_percent = 101\n",
            "products.ipc.review.targets.deployed_fixed_percent",
        ),
        (
            GOOD + "[products.ipc.review.targets]\ntime_to_fix_shipped_days = -1\n",
            "products.ipc.review.targets.time_to_fix_shipped_days",
        ),
        (
            GOOD + '[products.ipc.review]\nparticipants = [" "]\n',
            "products.ipc.review.participants",
        ),
        (in_product('review = "yes"'), "products.ipc.review"),
    ],
)
def test_a_bad_review_table_is_refused_naming_the_setting(
    tmp_path: Path, text: str, path: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert path in str(info.value), str(info.value)
