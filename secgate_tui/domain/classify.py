"""Classification: configuration, not code, decides an issue's category.

Rules are tried in the standard's order of categories; the first rule whose
labels, issue types or components intersect the issue's wins. An issue that
matches no rule but carries a security marker is *unclassified*, which blocks.
Anything else is not security-related and stays out of the gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from pydantic import BaseModel, ConfigDict

from secgate_tui.domain.model import Category, Issue


class CategoryRule(BaseModel):
    """Labels, issue types and components that put an issue into a category."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    labels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    components: tuple[str, ...] = ()


class Classification(BaseModel):
    """A product's classification rules and security markers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: Mapping[Category, CategoryRule] = {}
    security_labels: tuple[str, ...] = ()


UNCLASSIFIED: Final = "unclassified"


class Classifier:
    """Compiled form of a :class:`Classification`.

    Each label, type and component value maps to the rank of the first
    category whose rule names it; an issue's category is the lowest rank among
    its values. This is the same "first matching rule wins" as trying the rules
    in order, at one dictionary lookup per value (the gate classifies 100,000
    issues in well under a second).
    """

    def __init__(self, classification: Classification) -> None:
        self._order = list(Category)
        self._labels: dict[str, int] = {}
        self._types: dict[str, int] = {}
        self._components: dict[str, int] = {}
        for rank, category in enumerate(self._order):
            rule = classification.rules.get(category)
            if rule is None:
                continue
            for values, table in (
                (rule.labels, self._labels),
                (rule.types, self._types),
                (rule.components, self._components),
            ):
                for value in values:
                    table.setdefault(value.casefold(), rank)
        self._markers = _fold(classification.security_labels)
        # Issues of one release share a handful of label/type/component
        # combinations: classify each combination once.
        self._seen: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Category | str | None] = {}

    def classify(self, issue: Issue) -> Category | str | None:
        """Return the category, ``UNCLASSIFIED``, or None when not security-related."""
        signature = (issue.type, issue.labels, issue.components)
        try:
            return self._seen[signature]
        except KeyError:
            result = self._classify(issue)
            self._seen[signature] = result
            return result

    def _classify(self, issue: Issue) -> Category | str | None:
        no_match = len(self._order)
        rank = self._types.get(issue.type.casefold(), no_match)
        for label in issue.labels:
            rank = min(rank, self._labels.get(label.casefold(), no_match))
        for component in issue.components:
            rank = min(rank, self._components.get(component.casefold(), no_match))
        if rank < no_match:
            return self._order[rank]
        if any(label.casefold() in self._markers for label in issue.labels):
            return UNCLASSIFIED
        return None


def _fold(values: tuple[str, ...]) -> frozenset[str]:
    # Trackers disagree on case (GitLab labels keep it, Jira's do not); compare folded.
    return frozenset(value.casefold() for value in values)
