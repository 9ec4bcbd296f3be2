"""The real Redmine harness: install, base database, server, fixtures, fault proxy."""
