"""The Binance spot dialect of the exchange simulator: REST under /binance/api, streams under /binance."""
