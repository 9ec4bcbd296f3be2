"""Each product's ``software`` settings: where its commit comes from, and what it must name.

``git_repository`` (relative to the configuration file's directory) and
``tag`` (with ``{release}``) let ``authorize`` read the release's commit from
its tag; ``require`` lists what every authorization of the product must name
(``artifacts``, ``commit``, ``sbom``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from secgate_tui.config_limits import MAX_NAME
from secgate_tui.domain.software import Requirement


class SoftwareSettings(BaseModel):
    """``[products.P.software]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    git_repository: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_NAME * 4,
        description="A local git checkout holding the release tags (for the commit).",
    )
    tag: str = Field(
        "v{release}", max_length=MAX_NAME, description="The release's tag name, e.g. 'v{release}'."
    )
    require: list[Requirement] = Field(
        default_factory=list,
        description="What each authorization must name: artifacts, commit, sbom.",
    )

    @field_validator("tag")
    @classmethod
    def _one_placeholder(cls, value: str) -> str:
        if value.count("{release}") != 1:
            raise ValueError('must contain "{release}" exactly once, e.g. "v{release}"')
        return value

    def tag_name(self, release: str) -> str:
        return self.tag.replace("{release}", release)
