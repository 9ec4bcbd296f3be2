"""Which SBOM components a VEX product identifier names (bom-ref, BOM-Link or purl)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import unquote

from packageurl import PackageURL

from secgate_tui.domain.vex.model import Component

#: A statement about the release's own (root) component: it speaks for every
#: component in which the vulnerability was found.
WHOLE_PRODUCT = "*"

_Key = tuple[str, str | None, str]


def _parse(purl: str) -> tuple[_Key, str | None] | None:
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    return (parsed.type, parsed.namespace, parsed.name), parsed.version


class ComponentIndex:
    """The SBOM's components by bom-ref and by package URL (qualifiers ignored)."""

    def __init__(self, components: Iterable[Component], root: Component | None) -> None:
        self._by_ref: dict[str, Component] = {}
        self._by_package: dict[_Key, list[Component]] = defaultdict(list)
        for component in components:
            self._by_ref[component.ref] = component
            parsed = _parse(component.purl) if component.purl else None
            if parsed is not None:
                self._by_package[parsed[0]].append(component)
        self._root_refs: set[str] = set()
        self._root_package: tuple[_Key, str | None] | None = None
        if root is not None:
            self._root_refs = {root.ref} | ({root.purl} if root.purl else set())
            self._root_package = _parse(root.purl) if root.purl else None

    def component(self, ref: str) -> Component | None:
        return self._by_ref.get(ref)

    def resolve(self, ref: str) -> list[str] | None:
        """The refs of the components ``ref`` names, [WHOLE_PRODUCT], or None if none."""
        if ref.startswith("urn:cdx:") and "#" in ref:
            ref = unquote(ref.split("#", 1)[1])
        if ref in self._root_refs:
            return [WHOLE_PRODUCT]
        if ref in self._by_ref:
            return [ref]
        if not ref.startswith("pkg:"):
            return None
        parsed = _parse(ref)
        if parsed is None:
            return None
        package, version = parsed
        root = self._root_package
        if root is not None and root[0] == package and version in (None, root[1]):
            return [WHOLE_PRODUCT]
        # A purl without a version names every version of the package.
        matches = [
            c.ref
            for c in self._by_package.get(package, [])
            if version is None or _version(c) == version
        ]
        return matches or None


def _version(component: Component) -> str | None:
    parsed = _parse(component.purl) if component.purl else None
    return parsed[1] if parsed is not None else component.version
