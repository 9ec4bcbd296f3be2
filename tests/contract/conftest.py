"""Collects every tracker harness (``harness_<name>.py``) and parametrizes over them."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from tests.contract.harness import Harness

_HERE = Path(__file__).parent
HARNESSES: list[str] = []
for _info in sorted(pkgutil.iter_modules([str(_HERE)]), key=lambda i: i.name):
    if _info.name.startswith("harness_"):
        _module = importlib.import_module(f"tests.contract.{_info.name}")
        for _attr in dir(_module):
            # Only fixtures: a helper function that happens to end in _harness
            # must not become a harness.
            if _attr.endswith("_harness") and hasattr(
                getattr(_module, _attr), "_fixture_function_marker"
            ):
                globals()[_attr] = getattr(_module, _attr)
                HARNESSES.append(_attr.removesuffix("_harness"))


@pytest.fixture(params=HARNESSES)
def tracker(request: pytest.FixtureRequest) -> Harness:
    harness: Harness = request.getfixturevalue(f"{request.param}_harness")
    return harness
