"""Opaque keyset-pagination cursors: the sort key of the last item of a page."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime


def encode_cursor(time: datetime, key: str) -> str:
    raw = json.dumps([time.isoformat(), key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """(time, key) from a cursor; ValueError("invalid cursor") for anything this module did not make."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        time_text, key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        time = datetime.fromisoformat(time_text)
        if time.tzinfo is None or not isinstance(key, str):
            raise ValueError
        return time, key
    except (ValueError, TypeError, binascii.Error, UnicodeError) as error:
        raise ValueError("invalid cursor") from error
