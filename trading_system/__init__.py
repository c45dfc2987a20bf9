"""The `trading-system` command: the composition root that starts and drives the whole system."""
