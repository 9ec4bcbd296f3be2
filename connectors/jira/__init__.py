"""Jira Cloud and Data Center, through the PyPI ``jira`` library."""

from connectors.jira.connector import JiraConnector
from connectors.jira.settings import JiraSettings

__all__ = ["JiraConnector", "JiraSettings"]
