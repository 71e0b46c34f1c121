"""Field encryption with keys kept outside the database.

Envelope encryption: each citizen has a random *data key* (a Fernet key); their
encrypted fields are encrypted with it. The data key itself is stored in the database
only *wrapped* (encrypted) by the installation's master keys from
``OVERGANG_FIELD_KEYS``, a MultiFernet whose first key encrypts and whose every key
decrypts, so keys can be rotated (``rotate`` re-wraps with the first key). Erasing a
citizen destroys their wrapped data key: every copy of their ciphertext, in backups too,
becomes unreadable (crypto-shredding).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """Raised when ciphertext cannot be decrypted with the configured keys."""


@lru_cache(maxsize=8)
def _master(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def master() -> MultiFernet:
    return _master(tuple(settings.OVERGANG_FIELD_KEYS))


def new_wrapped_key() -> str:
    """A fresh data key, wrapped by the master keys, ready to store."""
    return master().encrypt(Fernet.generate_key()).decode()


def _data_fernet(wrapped_key: str) -> Fernet:
    try:
        return Fernet(master().decrypt(wrapped_key.encode()))
    except InvalidToken as exc:
        raise DecryptionError("the data key cannot be unwrapped with the configured field keys") from exc


def encrypt(wrapped_key: str, text: str) -> str:
    if not text:
        return ""
    keys = _request_keys.get()
    if keys is not None:
        return keys.encrypt(wrapped_key, text)
    return _data_fernet(wrapped_key).encrypt(text.encode("utf-8")).decode()


def decrypt(wrapped_key: str, token: str) -> str:
    if not token:
        return ""
    keys = _request_keys.get()
    if keys is not None:
        return keys.decrypt(wrapped_key, token)
    try:
        return _data_fernet(wrapped_key).decrypt(token.encode()).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionError("ciphertext does not match its data key") from exc


def request_or_new_keys() -> "DataKeys":
    """The request's unwrapped keys inside ``keys_for_request`` (a page decoding many
    records of one citizen unwraps the key once), else a new ``DataKeys``."""
    keys = _request_keys.get()
    return keys if keys is not None else DataKeys()


@contextmanager
def keys_for_request():
    """Within the block, ``encrypt`` and ``decrypt`` unwrap each citizen's data key once
    (a page listing thirty contact notes unwraps the key once, not thirty times). The
    unwrapped keys live in this context only and are dropped when the block ends."""
    token = _request_keys.set(DataKeys())
    try:
        yield
    finally:
        _request_keys.reset(token)


class DataKeys:
    """``encrypt``/``decrypt`` for bulk work over many records: each citizen's data key is
    unwrapped once, not once per value (unwrapping costs as much as the decryption). Keep
    one for the length of one import, export or report, never longer."""

    def __init__(self):
        self._fernets: dict[str, Fernet] = {}

    def _fernet(self, wrapped_key: str) -> Fernet:
        fernet = self._fernets.get(wrapped_key)
        if fernet is None:
            fernet = self._fernets[wrapped_key] = _data_fernet(wrapped_key)
        return fernet

    def new(self) -> str:
        """A fresh wrapped data key (as ``new_wrapped_key``), ready to encrypt with here
        without being unwrapped again."""
        key = Fernet.generate_key()
        wrapped = master().encrypt(key).decode()
        self._fernets[wrapped] = Fernet(key)
        return wrapped

    def encrypt(self, wrapped_key: str, text: str) -> str:
        if not text:
            return ""
        return self._fernet(wrapped_key).encrypt(text.encode("utf-8")).decode()

    def decrypt(self, wrapped_key: str, token: str) -> str:
        if not token:
            return ""
        try:
            return self._fernet(wrapped_key).decrypt(token.encode()).decode("utf-8")
        except InvalidToken as exc:
            raise DecryptionError("ciphertext does not match its data key") from exc


_request_keys: ContextVar = ContextVar("overgang_request_keys", default=None)


def rotate(wrapped_key: str) -> str:
    """Re-wrap a data key with the first (newest) master key."""
    return master().rotate(wrapped_key.encode()).decode()


def generate_master_key() -> str:
    return Fernet.generate_key().decode()
