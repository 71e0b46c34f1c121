"""Field encryption with keys kept outside the database.

Envelope encryption: each citizen has a random *data key* (a Fernet key); their
encrypted fields are encrypted with it. The data key is kept only *wrapped* (encrypted)
by the installation's master keys from ``OVERGANG_FIELD_KEYS``, a MultiFernet whose
first key encrypts and whose every key decrypts, so keys can be rotated (``rotate``
re-wraps with the first key).

Where the wrapped key lives: in the key store (``lib/keystore.py``, outside the database
and its backups), the citizen's ``data_key`` column holding only its reference
(``ks1:…``); or, on an installation without a key store (or not yet moved with
``overgang keys move``), in the ``data_key`` column itself. Erasing a citizen destroys
the key in the store, so every copy of their ciphertext, in every database backup too,
becomes unreadable (crypto-shredding); a key kept in the database goes with the row
only, and an older backup still holds it.

Every function here takes the ``data_key`` column's value, whichever form it has.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from overgang.lib import keystore


class DecryptionError(Exception):
    """Raised when ciphertext cannot be decrypted with the configured keys."""


class KeyUnavailable(DecryptionError):
    """The citizen's data key is not in the key store: the citizen was erased (their data
    read from an older backup), or the installation points at another key store."""


@lru_cache(maxsize=8)
def _master(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def master() -> MultiFernet:
    return _master(tuple(settings.OVERGANG_FIELD_KEYS))


def new_wrapped_key() -> str:
    """A fresh data key, wrapped by the master keys (not stored anywhere)."""
    return master().encrypt(Fernet.generate_key()).decode()


def new_data_key() -> str:
    """A fresh data key for a new citizen: its reference in the key store (the key put
    there, wrapped, before the reference is returned), or the wrapped key itself on an
    installation without a key store. Safe from any number of hosts at once: every key
    has its own random reference."""
    return DataKeys().new()


def _unwrap(wrapped: str) -> Fernet:
    try:
        return Fernet(master().decrypt(wrapped.encode()))
    except InvalidToken as exc:
        raise DecryptionError("the data key cannot be unwrapped with the configured field keys") from exc


def fetch_wrapped(data_keys) -> dict:
    """data_key → wrapped key for the ``data_keys`` (column values), the store's in bulk
    (one query per ``keystore.BATCH``); a reference the store does not hold is absent."""
    found, refs = {}, []
    for data_key in data_keys:
        if keystore.is_ref(data_key):
            refs.append(data_key)
        elif data_key:
            found[data_key] = data_key
    if refs:
        store = keystore.store()
        if store is None:
            raise keystore.KeyStoreError(
                "Data er krypteret med nøgler i nøglelageret, men OVERGANG_KEY_STORE er ikke sat. "
                "/ Data is encrypted with keys in the key store, but OVERGANG_KEY_STORE is not set.")
        found.update(store.get_many(refs))
    return found


def _data_fernet(data_key: str, wrapped: str | None = None) -> Fernet:
    """The citizen's data key, unwrapped (``wrapped`` when the caller fetched it already)."""
    if wrapped is None:
        wrapped = fetch_wrapped([data_key]).get(data_key)
    if wrapped is None:
        raise KeyUnavailable("the citizen's data key is not in the key store (erased)")
    return _unwrap(wrapped)


def encrypt(data_key: str, text: str) -> str:
    if not text:
        return ""
    keys = _request_keys.get()
    if keys is not None:
        return keys.encrypt(data_key, text)
    return _data_fernet(data_key).encrypt(text.encode("utf-8")).decode()


def decrypt(data_key: str, token: str) -> str:
    if not token:
        return ""
    keys = _request_keys.get()
    if keys is not None:
        return keys.decrypt(data_key, token)
    try:
        return _data_fernet(data_key).decrypt(token.encode()).decode("utf-8")
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
        self._fernets: dict[str, Fernet | None] = {}  # None: the key is not in the store

    def _fernet(self, data_key: str) -> Fernet:
        try:
            fernet = self._fernets[data_key]
        except KeyError:
            fernet = self._fernets[data_key] = _data_fernet(data_key)
        if fernet is None:
            raise KeyUnavailable("the citizen's data key is not in the key store (erased)")
        return fernet

    def held(self, data_key: str) -> bool:
        """Whether the citizen's key is unwrapped here already (no fetch, no store)."""
        return self._fernets.get(data_key) is not None

    def prefetch(self, data_keys):
        """Fetch the keys of ``data_keys`` not held yet from the store in bulk (one query
        per batch, not one per citizen) and unwrap them; a key the store does not hold
        raises KeyUnavailable when it is used, not here."""
        missing = {k for k in data_keys if k and k not in self._fernets}
        if not missing:
            return
        wrapped = fetch_wrapped(missing)
        for data_key in missing:
            found = wrapped.get(data_key)
            self._fernets[data_key] = None if found is None else _data_fernet(data_key, found)

    def available(self, data_key: str) -> bool:
        """Whether the citizen's key can be had (prefetch first for many)."""
        try:
            self._fernet(data_key)
        except KeyUnavailable:
            return False
        return True

    def new(self, defer: list | None = None) -> str:
        """A fresh data key (as ``new_data_key``), ready to encrypt with here without
        being fetched or unwrapped again. With ``defer`` (a list) a key for the store is
        appended there as (reference, wrapped key) instead of stored at once: the caller
        stores the list with ``store_keys`` before its transaction commits (bulk writers)."""
        key = Fernet.generate_key()
        wrapped = master().encrypt(key).decode()
        store = keystore.store()
        if store is None:
            data_key = wrapped
        else:
            data_key = keystore.new_ref()
            if defer is None:
                store.put(data_key, wrapped)
            else:
                defer.append((data_key, wrapped))
        self._fernets[data_key] = Fernet(key)
        return data_key

    def encrypt(self, data_key: str, text: str) -> str:
        if not text:
            return ""
        return self._fernet(data_key).encrypt(text.encode("utf-8")).decode()

    def decrypt(self, data_key: str, token: str) -> str:
        if not token:
            return ""
        try:
            return self._fernet(data_key).decrypt(token.encode()).decode("utf-8")
        except InvalidToken as exc:
            raise DecryptionError("ciphertext does not match its data key") from exc


def store_keys(pairs: list):
    """Store the (reference, wrapped key) pairs ``DataKeys.new(defer=…)`` collected, in
    one transaction of the key store, and empty the list."""
    if pairs:
        keystore.store().put_many(pairs)
        pairs.clear()


_request_keys: ContextVar = ContextVar("overgang_request_keys", default=None)


def rotate(wrapped_key: str) -> str:
    """Re-wrap a wrapped data key with the first (newest) master key."""
    return master().rotate(wrapped_key.encode()).decode()


def generate_master_key() -> str:
    return Fernet.generate_key().decode()
