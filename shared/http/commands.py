"""What the `trading-system` commands share: call a service's REST API and print its JSON answer."""
from __future__ import annotations

import json
import sys

import requests


def show_response(response: requests.Response) -> int:
    """Print the answer (indented JSON when it is JSON); the exit code says whether it was a success."""
    try:
        print(json.dumps(response.json(), indent=2))
    except ValueError:
        print(response.text)
    return 0 if response.ok else 1


def call(service: str, base_url: str, method: str, path: str, timeout: float = 30, **kwargs) -> int:
    try:
        return show_response(requests.request(method, base_url + path, timeout=timeout, **kwargs))
    except requests.ConnectionError:
        print(f"the {service} is not reachable at {base_url}; is `trading-system up` running?", file=sys.stderr)
        return 1
