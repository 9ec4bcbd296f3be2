"""Reading the product's deployment source for the review (FDA: fix shipped to deployment).

A CSV of installations (``version, installation, deployed_at``, one row per
deployment, UTF-8, at most 10 MB) or deployment labels on the security issues,
as ``[products.P.review.deployments]`` says. A configured source that cannot be
read stops the review with the reason: a figure from half a file is worse than
none. Without a configured source nothing is read and the record says so.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from secgate_tui.config_review import DeploymentSource
from secgate_tui.domain.model import Issue
from secgate_tui.domain.review_deployments import (
    Deployment,
    DeploymentError,
    Deployments,
    label_deployments,
    parse_moment,
)

MAX_CSV_BYTES: Final = 10 * 1024 * 1024
COLUMNS: Final = ("version", "installation", "deployed_at")


def read_deployments(
    source: DeploymentSource | None, issues: Iterable[Issue], config_dir: Path | None
) -> Deployments | None:
    """What the configured source says; None when none is configured.

    Raises:
        DeploymentError: the file is missing, too large, not UTF-8 CSV with the
            three columns, or a row or label does not read as a deployment.
    """
    if source is None:
        return None
    if source.label_prefix is not None:
        prefix = source.label_prefix
        rows = label_deployments(((i.source, i.key, i.labels) for i in issues), prefix)
        return Deployments(source=f"labels {prefix}<installation>@<date>", rows=tuple(rows))
    assert source.csv is not None
    path = Path(source.csv).expanduser()
    if config_dir is not None and not path.is_absolute():
        path = config_dir / path
    return Deployments(source=f"CSV {path.name}", rows=tuple(read_csv(path)))


def _refuse(path: Path, problem: str) -> DeploymentError:
    return DeploymentError(
        f"The deployment source {path} {problem}. The review is not recorded without it, since "
        "the time from fix shipped to deployment would be wrong; fix the file, or remove "
        "[products.P.review.deployments] to record the review without deployments."
    )


def read_csv(path: Path) -> list[Deployment]:
    """The rows of a CSV of installations.

    Raises:
        DeploymentError: see :func:`read_deployments`.
    """
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        raise _refuse(path, f"cannot be read ({error.strerror or error})") from None
    if len(content) > MAX_CSV_BYTES:
        raise _refuse(path, f"is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(path, "is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        if sorted(header) != sorted(COLUMNS):
            raise _refuse(
                path,
                f"has the columns {', '.join(header) or '(none)'}; it needs exactly "
                + ", ".join(COLUMNS),
            )
        where = {name: header.index(name) for name in COLUMNS}
        return [_row(path, reader.line_num, row, where) for row in reader if any(row)]
    except csv.Error as error:
        raise _refuse(path, f"is not valid CSV at line {reader.line_num} ({error})") from None


def _row(path: Path, line: int, row: list[str], where: dict[str, int]) -> Deployment:
    if len(row) != len(COLUMNS):
        raise _refuse(path, f"has {len(row)} value(s) on line {line}, not {len(COLUMNS)}")
    version, installation, when = (row[where[name]].strip() for name in COLUMNS)
    if not version or not installation:
        raise _refuse(path, f"has an empty version or installation on line {line}")
    try:
        moment = parse_moment(when)
    except ValueError as error:
        raise _refuse(
            path, f"has a deployed_at on line {line} that is not a date or time ({error})"
        ) from None
    return Deployment(installation=installation, version=version, deployed_at=moment)
