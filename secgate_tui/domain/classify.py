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
    """Compiled form of a :class:`Classification`: lower-cased sets, fixed order."""

    def __init__(self, classification: Classification) -> None:
        self._rules: list[tuple[Category, frozenset[str], frozenset[str], frozenset[str]]] = []
        for category in Category:
            rule = classification.rules.get(category)
            if rule is None:
                continue
            self._rules.append(
                (
                    category,
                    _fold(rule.labels),
                    _fold(rule.types),
                    _fold(rule.components),
                )
            )
        self._markers = _fold(classification.security_labels)

    def classify(self, issue: Issue) -> Category | str | None:
        """Return the category, ``UNCLASSIFIED``, or None when not security-related."""
        labels = _fold(issue.labels)
        components = _fold(issue.components)
        issue_type = issue.type.casefold()
        for category, rule_labels, rule_types, rule_components in self._rules:
            if (
                labels & rule_labels
                or issue_type in rule_types
                or components & rule_components
            ):
                return category
        if labels & self._markers:
            return UNCLASSIFIED
        return None


def _fold(values: tuple[str, ...]) -> frozenset[str]:
    # Trackers disagree on case (GitLab labels keep it, Jira's do not); compare folded.
    return frozenset(value.casefold() for value in values)
