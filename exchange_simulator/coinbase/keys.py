"""Key material of the simulated Coinbase accounts."""
from __future__ import annotations

from cryptography.hazmat.primitives import serialization


def public_key_pem(private_key_pem: str) -> str:
    """The PEM public half of a PEM private key (EC or Ed25519), which is all the simulator keeps."""
    private_key = serialization.load_pem_private_key(private_key_pem.encode("ascii"), password=None)
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
