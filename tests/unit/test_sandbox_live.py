"""The live demo: engineers close items and findings arrive as time passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.sandbox.demo_data import live_steps, seed_demo

SEEDED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def open_live_items(data: dict) -> set[str]:  # type: ignore[type-arg]
    return {
        key
        for key, issue in data["issues"].items()
        if "3.0" in issue["fix_versions"] and not issue["closed"] and "security" in issue["labels"]
    }


def test_three_closures_then_a_new_finding_every_four_slots() -> None:
    data = seed_demo(SEEDED)
    before = open_live_items(data)
    assert live_steps(data, SEEDED + timedelta(seconds=79)) is True  # slots 1..3
    after = open_live_items(data)
    closed = before - after
    arrived = after - before
    assert len(closed) == 2 and len(arrived) == 1
    for key in closed:
        assert data["issues"][key]["resolution"] == "Fixed"
        assert data["issues"][key]["closed_at"] is not None
    assert live_steps(data, SEEDED + timedelta(seconds=79)) is False  # nothing new is due


def test_only_the_live_release_changes_and_the_story_is_deterministic() -> None:
    a, b = seed_demo(SEEDED), seed_demo(SEEDED)
    frozen = {k: v for k, v in a["issues"].items() if "3.0" not in v["fix_versions"]}
    live_steps(a, SEEDED + timedelta(minutes=2))
    live_steps(b, SEEDED + timedelta(minutes=2))
    assert a == b
    assert {k: v for k, v in a["issues"].items() if k in frozen} == frozen


def test_a_demo_left_alone_for_a_week_catches_up_with_a_few_steps() -> None:
    data = seed_demo(SEEDED)
    count = len(data["issues"])
    live_steps(data, SEEDED + timedelta(days=7))
    assert len(data["issues"]) - count <= 2  # at most 5 steps, one in four adds an issue
