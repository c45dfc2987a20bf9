"""The USD-M user data stream: the spot stream's connection handling with futures listen keys and events."""
from __future__ import annotations

from order_service.adapters.binance.user_stream import UserDataStream
from order_service.adapters.binance_futures.parsing import parse_order_trade_update
from shared.domain.venue import ExecutionReport

PATH = "/v1/listenKey"


class FuturesUserDataStream(UserDataStream):
    """Delivers ORDER_TRADE_UPDATE events as ExecutionReports; ACCOUNT_UPDATE and the rest are skipped."""

    path = PATH

    def _key_params(self, key: str | None) -> dict[str, str]:
        # USD-M keeps one listen key per account: keepalive and close name none.
        return {}

    @staticmethod
    def _report_of(event: dict) -> ExecutionReport | None:
        if event.get("e") != "ORDER_TRADE_UPDATE":
            return None
        return parse_order_trade_update(event)
