"""The periodic review's VEX history: every release's SBOM/VEX documents, gathered (issue 14).

For a product with ``vulnerability_assessment`` settings, each release the
trackers list contributes the documents its assessment would read: the
configured files (``{release}`` applied) and the copy of its record issue's
attachments kept at the last sync (the review does not re-read every release's
attachments). A release with none contributes nothing; a document that cannot
be read is named in the figures as unavailable, never silently skipped, and
never stops the review. The figures themselves are
:func:`secgate_tui.domain.review_vex.vulnerability_figures`.
"""

from __future__ import annotations

from connectors.base import ConnectorError
from secgate_tui.config_vex import VulnerabilityAssessmentSettings
from secgate_tui.domain.review_metrics import ReviewMetrics
from secgate_tui.domain.review_vex import vulnerability_figures
from secgate_tui.domain.text import printable
from secgate_tui.domain.vex import VexDocument
from secgate_tui.services.context import Context
from secgate_tui.services.vex_attachments_kept import stored_attached
from secgate_tui.services.vex_inputs import (
    VexInputError,
    input_paths,
    load_sbom,
    load_vex,
    sbom_from,
    vex_from,
)

__all__ = ["with_vulnerabilities"]

_MB = 1024 * 1024


def with_vulnerabilities(ctx: Context, product: str, metrics: ReviewMetrics) -> ReviewMetrics:
    """``metrics`` with the period's vulnerability figures, when the product has SBOM/VEX
    settings (else unchanged: the record then has no such section, as before)."""
    settings = ctx.config.product(product).vulnerability_assessment
    if settings is None:
        return metrics
    unavailable: list[str] = []
    try:
        releases = sorted(ctx.syncer.release_facts(product))
    except ConnectorError as exc:
        releases = []
        unavailable.append(f"the release list could not be read: {exc.message}")
    documents: dict[str, list[VexDocument]] = {}
    for release in releases:
        try:
            found = _documents(ctx, product, release, settings)
        except VexInputError as exc:
            unavailable.append(f"{release}: {printable(str(exc), 400)}")
            continue
        if found:
            documents[release] = found
    figures = vulnerability_figures(
        documents,
        start=metrics.period.start,
        end=metrics.period.end,
        unavailable=unavailable,
    )
    return metrics.model_copy(update={"vulnerabilities": figures})


def _documents(
    ctx: Context, product: str, release: str, settings: VulnerabilityAssessmentSettings
) -> list[VexDocument]:
    config = ctx.config
    limit = settings.max_file_mb * _MB
    paths = input_paths(
        settings=settings,
        release=release,
        config_dir=config.path.parent if config.path else None,
    )
    sboms = [load_sbom(paths.sbom, limit)] if paths.sbom is not None else []
    found = [load_vex(path, limit) for path in paths.vex]
    attached = stored_attached(ctx.store, product, release) if settings.from_attachments else None
    if attached is not None:
        if attached.sbom is not None:
            file = attached.sbom
            sboms.append(sbom_from(file.where, file.name, file.content, limit))
        found += [vex_from(f.where, f.name, f.content, limit) for f in attached.vex]
    # A scanner's findings embedded in the SBOM are the first entries of the history.
    return [s.findings for s in sboms if s.findings is not None] + found
