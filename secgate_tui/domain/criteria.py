"""The gate criteria a decision applied, in words, for the record's human part and JSON.

The configuration digest proves which configuration was used; an auditor reading
the record still needs to see what it asked for. Each criterion is one sentence
built by a small function from the gate's policy, so a rule added to the gate
adds its sentence here (``CRITERIA``), in the order the gate applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from secgate_tui.domain.gate import ActivityResult, GatePolicy
from secgate_tui.domain.model import ACCEPTED, RESIDUAL, Category, Disposition


@dataclass(frozen=True, kw_only=True)
class Applied:
    """What the gate applied to one decision, beyond the issues themselves."""

    policy: GatePolicy
    activities: Sequence[ActivityResult] = ()
    separation_of_duties: bool = False
    #: The policy keys the product sets itself, and where (``products.P.policy.KEY``);
    #: the others are named ``policy.KEY``.
    own_keys: Mapping[str, str] = field(default_factory=dict)

    def key(self, name: str) -> str:
        """Where the policy key ``name`` that applied is set."""
        return self.own_keys.get(name, f"policy.{name}")


def _names(dispositions: Sequence[Disposition] | frozenset[Disposition]) -> str:
    return ", ".join(sorted(d.value for d in dispositions)) or "none"


def _closure(applied: Applied) -> list[str]:
    lines = [
        f"Every issue is closed with an accepted disposition ({_names(ACCEPTED)}); "
        f"{_names(RESIDUAL)} are accepted only with a justification and listed as residual "
        "items; an unknown disposition blocks.",
    ]
    for category in Category:
        tightened = applied.policy.categories.get(category)
        if tightened is not None and tightened.accepted is not None:
            lines.append(
                f"{category.title}: only {_names(tightened.accepted)} accepted "
                f"({applied.key('categories')})."
            )
    return lines


def _classification(applied: Applied) -> list[str]:
    lines = [
        "Every security issue of the release is classified into one of the six categories "
        "(IEC 81001-5-1 5.8.1, 5.8.5), the first matching rule winning; an issue carrying a "
        "security marker that matches no rule blocks as unclassified."
    ]
    rules = applied.policy.classification.rules
    for category in Category:
        rule = rules.get(category)
        if rule is None:
            continue
        parts = [
            f"{what} {', '.join(values)}"
            for what, values in (
                ("labels", rule.labels),
                ("types", rule.types),
                ("components", rule.components),
            )
            if values
        ]
        if parts:
            lines.append(f"{category.title} are issues with {'; '.join(parts)}.")
    markers = applied.policy.classification.security_labels
    if markers:
        lines.append(f"Security markers: labels {', '.join(markers)}.")
    return lines


def _empty(applied: Applied) -> list[str]:
    line = (
        "An empty category blocks unless acknowledged as not applicable with a reason "
        "(not_applicable, --ack-empty)"
    )
    acknowledged = sorted(c.value for c in applied.policy.not_applicable)
    if acknowledged:
        line += f"; acknowledged: {', '.join(acknowledged)}"
    return [line + "."]


def _activities(applied: Applied) -> list[str]:
    if not applied.activities:
        return ["No required activity is configured for this product (5.8.6)."]
    lines = []
    for activity in applied.activities:
        age = f"at most {activity.max_age_days} days old" if activity.max_age_days else "of any age"
        lines.append(
            f"Required activity {activity.name} (5.8.6): its evidence is complete and {age}."
        )
    return lines


def _snapshot(applied: Applied) -> list[str]:
    return [
        "Every source synced afresh without failure, and the snapshot was at most "
        f"{applied.policy.max_snapshot_age_seconds} s old "
        f"({applied.key('max_snapshot_age_seconds')})."
    ]


def _duties(applied: Applied) -> list[str]:
    key = applied.key("separation_of_duties")
    if not applied.separation_of_duties:
        return [f"Separation of duties is not required ({key} = false)."]
    return [f"Separation of duties: the authorizer is the assignee of no residual item ({key})."]


Criterion = Callable[[Applied], list[str]]
#: The criteria in the order the gate applies them; a new rule appends its own.
CRITERIA: list[Criterion] = [
    _snapshot,
    _classification,
    _closure,
    _empty,
    _activities,
    _duties,
]


def gate_criteria(applied: Applied) -> tuple[str, ...]:
    """Every criterion the gate applied, one sentence each."""
    return tuple(line for criterion in CRITERIA for line in criterion(applied))
