"""GitLab connector (python-gitlab, REST v4): issues by milestone, records as notes."""

from connectors.gitlab.connector import GitLabConnector
from connectors.gitlab.settings import GitLabSettings

__all__ = ["GitLabConnector", "GitLabSettings"]
