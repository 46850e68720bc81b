"""Password hashing with argon2 (pwdlib)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash

MIN_PASSWORD_LENGTH = 8


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    """Hashes a password for storage."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; a missing hash never matches (but costs the same time)."""
    if password_hash is None:
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password, password_hash)
    except ValueError:
        return False
