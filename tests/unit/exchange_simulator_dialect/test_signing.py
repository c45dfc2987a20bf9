from exchange_simulator.binance.signing import sign, strip_signature, verify

VECTOR_PAYLOAD = ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
                  "&recvWindow=5000&timestamp=1499827319559")
VECTOR_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
VECTOR_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_documented_vector_signs_and_verifies():
    assert sign(VECTOR_SECRET, VECTOR_PAYLOAD) == VECTOR_SIGNATURE
    assert verify(VECTOR_SECRET, VECTOR_PAYLOAD, VECTOR_SIGNATURE)
    assert verify(VECTOR_SECRET, VECTOR_PAYLOAD, VECTOR_SIGNATURE.upper())


def test_tampered_payload_or_wrong_secret_fails():
    assert not verify(VECTOR_SECRET, VECTOR_PAYLOAD.replace("quantity=1", "quantity=2"), VECTOR_SIGNATURE)
    assert not verify("other", VECTOR_PAYLOAD, VECTOR_SIGNATURE)
    assert not verify(VECTOR_SECRET, VECTOR_PAYLOAD, "not-hex")


def test_strip_signature_keeps_the_rest_exactly_as_sent():
    raw = f"{VECTOR_PAYLOAD}&signature={VECTOR_SIGNATURE}"
    assert strip_signature(raw) == (VECTOR_PAYLOAD, VECTOR_SIGNATURE)
    assert strip_signature("a=%20b&signature=x&c=d") == ("a=%20b&c=d", "x")
    assert strip_signature("") == ("", None)
