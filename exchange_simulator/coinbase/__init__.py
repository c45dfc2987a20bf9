"""Coinbase Advanced Trade dialect of the simulator (JWT-authenticated brokerage REST and public v2 prices)."""
