"""The exported files of an authorization record, as the tests look them up."""

from __future__ import annotations

from pathlib import Path


def record_file(records: Path, product: str, release: str, suffix: str, revision: int = 1) -> Path:
    """The one ``.md`` or ``.json`` export of revision ``revision`` of the release's record."""
    pattern = f"Security-Release-Authorization_{product}_{release}_rev{revision}_SEC-REC-*{suffix}"
    (found,) = records.glob(pattern)
    return found
