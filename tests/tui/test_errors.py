"""What the UI says when something unexpected breaks below it."""

from __future__ import annotations

import pytest

from secgate_tui.app.errors import UiError, guard


def test_an_unexpected_exception_is_named_by_type_without_its_text() -> None:
    # A tracker library's exception may carry the URL and token it was called with.
    with pytest.raises(UiError) as caught, guard("syncing ipc 2.2"):
        raise RuntimeError("GET https://jira.example/rest?token=s3cr3t failed")
    message = caught.value.message
    assert message.startswith("syncing ipc 2.2: internal error (RuntimeError)")
    assert "s3cr3t" not in message and "https://" not in message
