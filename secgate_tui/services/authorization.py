"""Release authorization through the publisher (:mod:`secgate_tui.services.publish`).

:class:`Authorizer` is the authorization kind's short entry point: ``prepare``
(sync, evaluate, build; nothing written), ``commit`` (post, read back, log,
export) and ``authorize`` (both, for pipelines). The protocol itself lives in
the publisher and the kind in :mod:`~secgate_tui.services.publish.kinds.authorization`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from secgate_tui.domain import Category
from secgate_tui.domain.record import AuthorizationRecord
from secgate_tui.services.context import Context
from secgate_tui.services.publish import (
    OnStep,
    Prepared,
    Published,
    Publisher,
    Step,
    StepEvent,
    noop,
)
from secgate_tui.services.publish.kinds.authorization import AUTHORIZATION, AuthorizationRequest
from secgate_tui.services.verify import verify

#: An authorization prepared (steps 1-3), and how publishing it ended.
Preparation = Prepared[AuthorizationRecord]
AuthorizationResult = Published[AuthorizationRecord]

__all__ = [
    "AuthorizationResult",
    "Authorizer",
    "OnStep",
    "Preparation",
    "Step",
    "StepEvent",
    "noop",
    "verify",
]


class Authorizer:
    """Authorizes releases of one context through the publisher."""

    def __init__(self, ctx: Context, clock: Callable[[], datetime] | None = None) -> None:
        self.publisher = Publisher(ctx, clock)

    def prepare(
        self,
        product: str,
        release: str,
        acks: Mapping[Category, str],
        on_step: OnStep = noop,
        *,
        retrospective: str | None = None,
    ) -> Preparation:
        request = AuthorizationRequest(
            product=product, release=release, acks=acks, retrospective=retrospective
        )
        return self.publisher.prepare(AUTHORIZATION, request, on_step)

    def commit(self, preparation: Preparation, on_step: OnStep = noop) -> AuthorizationResult:
        return self.publisher.publish(preparation, on_step)

    def authorize(
        self,
        product: str,
        release: str,
        acks: Mapping[Category, str],
        on_step: OnStep = noop,
        *,
        retrospective: str | None = None,
    ) -> AuthorizationResult:
        """Prepare and commit without a confirmation in between (CI pipelines)."""
        prepared = self.prepare(product, release, acks, on_step, retrospective=retrospective)
        return self.commit(prepared, on_step)
