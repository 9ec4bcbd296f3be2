"""Wording of a document model's validation error: the first problem and where it is."""

from __future__ import annotations

from pydantic import ValidationError


def first_problem(exc: ValidationError) -> str:
    """One line naming the JSON path of the first problem and what is wrong there."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    count = exc.error_count()
    more = f" ({count - 1} more problem(s) after this one)" if count > 1 else ""
    return f"at {where}: {error['msg']}{more}"
