import argparse

from algo_service.cli import add_algo_commands, parse_params


def test_params_from_pairs_and_json():
    assert parse_params(["symbol=BITH11", "quantity=100", "slices=4"], '{"spread_threshold": 0.005}') == {
        "spread_threshold": "0.005", "symbol": "BITH11", "quantity": "100", "slices": 4}


def test_algo_commands_parse():
    parser = argparse.ArgumentParser()
    add_algo_commands(parser.add_subparsers())
    args = parser.parse_args(["algo", "deploy", "twap", "--param", "venue=binance", "--restart-policy", "on-failure"])
    assert (args.strategy, args.param, args.restart_policy) == ("twap", ["venue=binance"], "on-failure")
    assert parser.parse_args(["algo", "logs", "algo-1", "--tail", "5"]).tail == 5
