"""Finds connectors through the ``secgate.connectors`` entry-point group.

Names are listed without importing anything, so one broken plugin cannot stop
secgate from starting; it is reported and skipped. An unknown kind is a
configuration error that lists what is installed, and a connector whose
markup no registered dialect renders is refused at load.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from connectors.base import Connector
from secgate_tui.domain.render import dialect_names

ENTRY_POINT_GROUP = "secgate.connectors"


class RegistryError(Exception):
    """A connector kind is unknown or cannot be loaded."""


def available() -> dict[str, EntryPoint]:
    """Installed connector kinds, by name, without importing them."""
    found: dict[str, EntryPoint] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name, entry_point)
    return dict(sorted(found.items()))


def load(kind: str) -> type[Connector]:
    """The connector class registered as ``kind``.

    Raises:
        RegistryError: ``kind`` is not installed, or its module fails to import,
            or it does not implement the connector contract.
    """
    installed = available()
    entry_point = installed.get(kind)
    if entry_point is None:
        names = ", ".join(installed) or "none"
        raise RegistryError(
            f"unknown tracker kind '{kind}'. Installed connectors: {names}. Install the "
            "package that provides it, or correct the 'kind' setting."
        )
    try:
        loaded = entry_point.load()
    except Exception as exc:  # a plugin may fail in any way while importing
        raise RegistryError(
            f"the connector '{kind}' ({entry_point.value}) failed to import: "
            f"{type(exc).__name__}: {exc}. Reinstall or remove the plugin."
        ) from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Connector)):
        raise RegistryError(
            f"the connector '{kind}' ({entry_point.value}) is not a secgate Connector class"
        )
    if loaded.markup not in dialect_names():
        raise RegistryError(
            f"the connector '{kind}' ({entry_point.value}) writes comments in markup "
            f"'{loaded.markup}', which no installed dialect renders (known: "
            f"{', '.join(dialect_names())}). The plugin must register its dialect "
            "(secgate_tui.domain.render.register_dialect) when its module is imported."
        )
    return loaded


def load_all() -> tuple[dict[str, type[Connector]], dict[str, str]]:
    """Every installed connector that loads, and the problems of those that do not."""
    loaded: dict[str, type[Connector]] = {}
    broken: dict[str, str] = {}
    for kind in available():
        try:
            loaded[kind] = load(kind)
        except RegistryError as exc:
            broken[kind] = str(exc)
    return loaded, broken
