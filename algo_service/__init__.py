"""Algo service: deploys strategies, each in its own supervised OS process trading through the order service."""
