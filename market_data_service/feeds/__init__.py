"""Feeds: one per venue connection or poller, each run in its own process by the supervisor."""
