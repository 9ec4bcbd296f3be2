"""Writing a release's evidence bundle as a file: shared by `evidence export` and `authorize`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from secgate_tui.domain import Category
from secgate_tui.services.context import Context
from secgate_tui.services.evidence.archive import write_bundle
from secgate_tui.services.evidence.gather import Evidence, gather
from secgate_tui.services.export import write_atomic
from secgate_tui.services.vex_inputs import VexInputs


@dataclass(frozen=True, kw_only=True)
class WrittenBundle:
    path: Path
    evidence: Evidence


def export_bundle(
    ctx: Context,
    product: str,
    release: str,
    now: datetime,
    acks: Mapping[Category, str],
    out: Path | None = None,
    vex_inputs: VexInputs | None = None,
) -> WrittenBundle:
    """Gather the release's evidence from the store and write it atomically.

    The file goes to ``out``, else to the records directory under its own name.
    ``vex_inputs`` are the SBOM/VEX files ``authorize`` was given, so the bundle's
    vulnerability assessment is the one the record was built on.

    Raises:
        EvidenceError: the evidence cannot be gathered (e.g. a broken audit log).
        OSError: the file could not be written (nothing half-written is left).
    """
    evidence = gather(ctx, product, release, now, acks, vex_inputs)
    path = out if out is not None else ctx.records_dir / f"{evidence.stem}.tar.gz"
    write_atomic(path, write_bundle(evidence.stem, evidence.files))
    return WrittenBundle(path=path, evidence=evidence)
