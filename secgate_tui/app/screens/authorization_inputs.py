"""What ``a`` asks besides the acknowledgements (issue 13): the software being
authorized, the release's SBOM and VEX files when not the configured ones (issue
14, ``authorize --sbom/--vex``) and, for a release the tracker shows as shipped,
the retrospective reason.

The inputs are kept as typed (:class:`AuthorizationInputs`, compared at the
confirmation); the artifacts are hashed, the commit resolved and the SBOM/VEX
read in the prepare worker by the CLI's own services (``services.software``,
``services.vex_inputs``), never here. Only a path that names no file is refused
at once, before the slow sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from secgate_tui.app.errors import UiError
from secgate_tui.domain import Category
from secgate_tui.domain.release_dates import ReleaseDate
from secgate_tui.domain.text import printable
from secgate_tui.services.vex_inputs import VexInputs

#: Artifact paths are separated by commas or newlines (a pasted list).
_SEPARATOR = re.compile(r"[,\n]")


@dataclass(frozen=True, kw_only=True)
class AuthorizationInputs:
    """The dialog's inputs, as typed: what the preview was prepared from."""

    acks: dict[Category, str]
    artifacts: tuple[Path, ...] = ()
    commit: str | None = None
    #: SBOM and VEX files given in the dialog (they replace the configured ones, as
    #: ``--sbom``/``--vex`` do); none: the configured ones.
    sbom: Path | None = None
    vex: tuple[Path, ...] = ()
    #: The retrospective reason; None unless the release has shipped and one is given.
    retrospective: str | None = None


def split_artifacts(text: str) -> tuple[Path, ...]:
    """Artifact paths from one field: comma- or newline-separated, blanks ignored."""
    return tuple(Path(part.strip()) for part in _SEPARATOR.split(text) if part.strip())


def vex_inputs(inputs: AuthorizationInputs) -> VexInputs | None:
    """The SBOM/VEX files typed in the dialog, as the CLI's ``--sbom``/``--vex`` give them."""
    if inputs.sbom is None and not inputs.vex:
        return None
    return VexInputs(sbom=inputs.sbom, vex=inputs.vex)


def vex_paths(sbom_text: str, vex_text: str) -> tuple[Path | None, tuple[Path, ...]]:
    """The SBOM path and the VEX paths as typed (VEX files: comma- or newline-separated).

    Raises:
        UiError: a path names no file (refused before the sync, which takes a while).
    """
    sboms = split_artifacts(sbom_text)
    if len(sboms) > 1:
        raise UiError(
            "Give one SBOM file: a release has one SBOM (several VEX files go in the VEX "
            "field, comma-separated). Nothing was written."
        )
    sbom = sboms[0] if sboms else None
    vex = split_artifacts(vex_text)
    for kind, path in [("SBOM", sbom), *(("VEX", p) for p in vex)]:
        if path is not None and not path.is_file():
            raise UiError(
                f"The {kind} file {printable(str(path), 300)} does not exist or is not a file "
                "(a relative path is relative to the directory secgate was started in). "
                "Correct the path, or clear the field to use the configured file. Nothing "
                "was written."
            )
    return sbom, vex


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
