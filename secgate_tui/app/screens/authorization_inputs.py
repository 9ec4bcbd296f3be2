"""What ``a`` asks besides the acknowledgements (issue 13): the software being
authorized and, for a release the tracker shows as shipped, the retrospective reason.

The inputs are kept as typed (:class:`AuthorizationInputs`, compared at the
confirmation); the artifacts are hashed and the commit resolved in the prepare
worker by the CLI's own service (``services.software``), never here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from secgate_tui.domain import Category
from secgate_tui.domain.release_dates import ReleaseDate

#: Artifact paths are separated by commas or newlines (a pasted list).
_SEPARATOR = re.compile(r"[,\n]")


@dataclass(frozen=True, kw_only=True)
class AuthorizationInputs:
    """The dialog's inputs, as typed: what the preview was prepared from."""

    acks: dict[Category, str]
    artifacts: tuple[Path, ...] = ()
    commit: str | None = None
    #: The retrospective reason; None unless the release has shipped and one is given.
    retrospective: str | None = None


def split_artifacts(text: str) -> tuple[Path, ...]:
    """Artifact paths from one field: comma- or newline-separated, blanks ignored."""
    return tuple(Path(part.strip()) for part in _SEPARATOR.split(text) if part.strip())


def shipped_on(shipped: ReleaseDate) -> str:
    return (
        f"on {shipped.released_on.isoformat()}"
        if shipped.released_on
        else "(the tracker gives no release date)"
    )


def shipped_line(shipped: ReleaseDate) -> str:
    """The dialog's line above the reason field."""
    return f"RETROSPECTIVE: the tracker shows this release shipped {shipped_on(shipped)}"


def reason_missing(shipped: ReleaseDate) -> str:
    """Why a shipped release is not authorized without a reason (the dialog's wording of
    the CLI's ``--retrospective`` refusal)."""
    return (
        f"{shipped_line(shipped)}. Authorizing it now is a retrospective authorization: type "
        "why it is authorized only now in the reason field and press enter; the reason goes "
        "into the record's first line."
    )
