"""The record kinds the publisher knows, one module each (with its helpers beside it).

A new kind is one module here (a :class:`~secgate_tui.services.publish.kind.RecordKind`
subclass and its instance) plus its renderer in :mod:`secgate_tui.domain.render`.
Nothing is imported here, so a kind's module may be imported on its own.
"""
