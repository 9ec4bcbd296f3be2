"""The Redmine harness: the real connector against a REAL Redmine 5 on loopback.

The server (Debian packages, SQLite, puma) is installed when missing, started
once per session and reset to its seed for every harness; see tests/redmine/.
"""

from tests.redmine.fixtures import RedmineHarness, redmine_harness

__all__ = ["RedmineHarness", "redmine_harness"]
