"""The UI's one error type, and the guard that turns whatever goes wrong below into it.

A connector error, a bad configuration or a store problem comes out as
:class:`UiError` with a paragraph a release manager can read. An unexpected
exception is named by its type only, the CLI's rule: its text may carry a
tracker URL or a header with a token in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connectors.base import ConnectorError
from secgate_tui.config import ConfigError
from secgate_tui.domain.text import printable
from secgate_tui.services.store import StoreError


class UiError(Exception):
    """Something the person at the terminal must be told, already worded for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def internal_error(doing: str, exc: BaseException) -> str:
    """An unexpected exception in words that carry none of its text."""
    return (
        f"{doing}: internal error ({type(exc).__name__}). This is a bug in secgate; "
        "nothing was authorized or recorded. Run the same step with the CLI and "
        "SECGATE_DEBUG=1 to see the details (they may contain tracker data)."
    )


@contextmanager
def guard(doing: str) -> Iterator[None]:
    """Re-raise anything below as :class:`UiError` saying what was being done."""
    try:
        yield
    except UiError:
        raise
    except ConnectorError as exc:
        where = f" ({exc.tracker})" if exc.tracker else ""
        raise UiError(f"{doing}: tracker error{where}: {printable(exc.message)}") from None
    except (ConfigError, StoreError) as exc:
        raise UiError(f"{doing}: {printable(str(exc))}") from None
    except Exception as exc:
        raise UiError(internal_error(doing, exc)) from None
