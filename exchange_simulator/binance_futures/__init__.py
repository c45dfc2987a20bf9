"""The Binance USD-M futures dialect of the exchange simulator: REST under /binance-futures/fapi, streams under /binance-futures."""
