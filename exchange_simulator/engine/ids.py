"""Client order ids for orders submitted without one: 22 random characters from [A-Za-z0-9]."""
from __future__ import annotations

import random
from base64 import b64encode

_LENGTH = 22
_BATCH = 256
# base64 uses two characters outside [A-Za-z0-9]; map them onto letters (the slight bias is harmless).
_ALPHANUMERIC = bytes.maketrans(b"+/", b"xZ")


class ClientIdSource:
    """Draws ids in batches: one random buffer per few hundred ids keeps the cost off the submit path."""

    __slots__ = ("_rng", "_pool")

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)
        self._pool: list[str] = []

    def next(self) -> str:
        pool = self._pool
        if not pool:
            # 17 random bytes encode to 22.67 base64 characters, so the buffer covers the whole batch.
            text = b64encode(self._rng.randbytes(17 * _BATCH)).translate(_ALPHANUMERIC).decode("ascii")
            pool.extend(text[i : i + _LENGTH] for i in range((_BATCH - 1) * _LENGTH, -1, -_LENGTH))
        return pool.pop()
