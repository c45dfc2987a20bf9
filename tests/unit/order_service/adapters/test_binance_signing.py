from order_service.adapters.binance.http import BinanceHttpClient, Security
from order_service.adapters.binance.signing import encode_params, sign
from tests.unit.order_service.adapters.conftest import API_KEY, API_SECRET

VECTOR_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
VECTOR_PAYLOAD = ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
                  "&recvWindow=5000&timestamp=1499827319559")
VECTOR_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_documented_signing_vector():
    assert sign(VECTOR_SECRET, VECTOR_PAYLOAD) == VECTOR_SIGNATURE


def test_params_are_encoded_in_the_order_given():
    params = {"symbol": "LTCBTC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1",
              "price": "0.1", "recvWindow": "5000", "timestamp": "1499827319559"}
    assert encode_params(params) == VECTOR_PAYLOAD


def test_signed_request_carries_key_header_timestamp_and_a_valid_signature_last(fake_binance, config):
    fake_binance.reply("GET", "/v3/account", {"balances": []})
    client = BinanceHttpClient(config, wall_clock=lambda: 1499827319.559)
    fake_binance.server_time_offset_ms = 0

    client.get("/v3/account", {"omitZeroBalances": "true"})

    sent = fake_binance.calls("GET", "/v3/account")[0]
    payload, _, signature = sent.query.rpartition("&signature=")
    assert sign(API_SECRET, payload) == signature
    assert sent.headers["X-Mbx-Apikey"] == API_KEY
    assert list(sent.params) == ["omitZeroBalances", "recvWindow", "timestamp", "signature"]
    assert sent.params["recvWindow"] == "5000"


def test_timestamp_follows_the_server_clock(fake_binance, config):
    fake_binance.reply("GET", "/v3/time", {"serverTime": 1_700_000_005_000})
    fake_binance.reply("GET", "/v3/openOrders", [])
    client = BinanceHttpClient(config, wall_clock=lambda: 1_700_000_000.0)

    client.get("/v3/openOrders")

    # The local clock is 5 s behind Binance: requests must be stamped with Binance's time.
    assert client.time_offset_ms == 5000
    assert fake_binance.calls("GET", "/v3/openOrders")[0].params["timestamp"] == "1700000005000"


def test_public_and_api_key_requests_are_not_signed(fake_binance, config):
    fake_binance.reply("GET", "/v3/exchangeInfo", {"symbols": []})
    fake_binance.reply("POST", "/v3/userDataStream", {"listenKey": "abc"})
    client = BinanceHttpClient(config)

    client.get("/v3/exchangeInfo", security=Security.NONE)
    client.post("/v3/userDataStream", security=Security.API_KEY)

    public, keyed = fake_binance.calls("GET", "/v3/exchangeInfo")[0], fake_binance.calls("POST", "/v3/userDataStream")[0]
    assert "signature" not in public.query and "X-Mbx-Apikey" not in public.headers
    assert keyed.query == "" and keyed.headers["X-Mbx-Apikey"] == API_KEY
    assert not fake_binance.calls("GET", "/v3/time")  # no clock sync is needed for unsigned calls
