"""Redmine, through python-redmine: target versions as releases, notes as records."""

from connectors.redmine.connector import RedmineConnector
from connectors.redmine.settings import RedmineSettings

__all__ = ["RedmineConnector", "RedmineSettings"]
