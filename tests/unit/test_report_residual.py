"""`status --json` lists residual items exactly as dataclasses.asdict did (the CI contract)."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from secgate_tui.domain import Disposition
from secgate_tui.domain.gate import ResidualItem
from secgate_tui.services.report import _residual


def test_residual_json_equals_the_asdict_form_key_order_included() -> None:
    for disposition in Disposition:
        for assignee in (None, "m.chen"):
            item = ResidualItem(
                source="jira",
                key="IPC-7",
                title='Über "quoted" \\ <b>',
                disposition=disposition,
                justification="accepted by the risk board",
                assignee=assignee,
            )
            old = {**asdict(item), "disposition": item.disposition.value}
            assert json.dumps(_residual(item), indent=2) == json.dumps(old, indent=2)


def test_every_field_of_a_residual_item_is_listed() -> None:
    item = ResidualItem("s", "k", "t", Disposition.DEFERRED, "j")
    assert list(_residual(item)) == [f.name for f in fields(ResidualItem)]
