"""The answer codec: the one place that knows how a record's answers are stored.

A record's answers are interchange strings keyed by item name (instruments.md §2.3:
``"5"``, ``"1 3 9"``, ``"2026-03-01"``, free text verbatim). They are stored in two parts
of the ``Record`` row:

- ``plain_answers``, a JSON object of the answers that may be read in bulk by the
  report and the exports without any key;
- ``sealed_answers``, one Fernet token, encrypted with the citizen's own data key
  (``lib/crypto.py``), of a JSON object of the *sealed* answers: every free-text item
  (by its type) and every item the instrument definition declares ``sealed: true``
  (who knows about the sale of sex, and whatever special category is declared later).
  A copied database shows neither, and erasing the citizen shreds them.

Which items are sealed is meaning, so it is read from the instruments app, never
decided here by name: an item sealed in any published version of its instrument, or in
the repository's definition, is sealed in every version, because an item name keeps
its meaning for ever (instruments.md §2.1). Declaring more items sealed later therefore
changes where new writes go without touching any consumer; decoding never needs the
rule at all — it merges whatever each part holds — so rows written under an older
rule read correctly, and re-sealing old rows is a data migration that calls
``encode`` again.

Bulk work (an import, an export, a report) uses one ``AnswerCodec``: each citizen's
data key is unwrapped once, not once per record, and the sealed part is decrypted only
when asked for (``decode(..., sealed=False)``, ``unseal_records``), so a consumer that
needs no sealed answer pays nothing for them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping

from overgang.instruments import registry
from overgang.instruments.build import Instrument
from overgang.instruments.models import InstrumentVersion
from overgang.lib import crypto

#: The two stored parts. Consumers name them only through ``FIELDS`` (e.g. in a
#: ``values_list``) and hand the values back to this module.
PLAIN = "plain_answers"
SEALED = "sealed_answers"
FIELDS = (PLAIN, SEALED)

_published: dict[str, tuple[frozenset, frozenset]] = {}
# json.dumps(hidden, ensure_ascii=False, sort_keys=True) without an encoder built per record.
_SEALED_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # name -> (versions seen, sealed names)


def sealed_names(instrument: Instrument) -> frozenset[str]:
    """The item names whose answers a record of ``instrument`` (a built version) stores
    sealed: the version's own declarations, those of the repository's definition and
    those of every published version of the same instrument. Once an item name is sealed
    anywhere it is sealed everywhere (names keep their meaning across versions), so a
    record of an old version never writes a newly sealed item in the clear."""
    names = set(instrument.sealed_names)
    try:
        names |= registry.get_instrument(instrument.name).sealed_names
    except KeyError:  # an instrument that is not (or no longer) in the repository
        pass
    return frozenset(names | _published_sealed(instrument.name))


def _published_sealed(name) -> frozenset[str]:
    versions = frozenset(InstrumentVersion.objects.filter(name=name).values_list("pk", "content_hash"))
    seen, names = _published.get(name, (None, frozenset()))
    if seen != versions:
        definitions = InstrumentVersion.objects.filter(name=name).values_list("definition", flat=True)
        names = frozenset(
            raw["name"] for definition in definitions for page in definition.get("pages", ())
            for raw in page.get("items", ()) if raw.get("sealed")
        )
        _published[name] = (versions, names)
    return names


class AnswerCodec:
    """Encode and decode answers of many records (of many citizens) in one job.

    Keep one for the length of one import, export or report, never longer: it holds
    unwrapped data keys (``crypto.DataKeys``)."""

    def __init__(self):
        self._keys = crypto.request_or_new_keys()
        self._sealed: dict = {}
        # One string object per item name: answers parsed from the database make new
        # key strings for every object, which for half a million records doubled the
        # memory and slowed every later lookup (bench/report.py).
        self._scan = json.JSONDecoder().scan_once

    # ------------------------------------------------------------------ writing

    def sealed_names(self, instrument: Instrument) -> frozenset[str]:
        """``sealed_names`` once per instrument version for the length of the job."""
        found = self._sealed.get(id(instrument))
        if found is None:
            found = self._sealed[id(instrument)] = (instrument, sealed_names(instrument))
        return found[1]

    def encode(self, instrument: Instrument, strings: Mapping[str, str], data_key: str, *,
               sealed_part: str | None = None) -> dict:
        """The stored fields (``{PLAIN: …, SEALED: …}``) for ``strings`` (item → interchange
        string) of a record of ``instrument`` belonging to the citizen with ``data_key``.
        ``sealed_part``: what ``seal`` gave for the same three, made elsewhere (an
        import's judging worker); None seals here."""
        sealed = self.sealed_names(instrument)
        if sealed.isdisjoint(strings):  # most records of most instruments: nothing to seal
            return {PLAIN: dict(strings), SEALED: ""}
        plain = {name: value for name, value in strings.items() if name not in sealed}
        if sealed_part is None:
            sealed_part = self._seal(sealed, strings, data_key)
        return {PLAIN: plain, SEALED: sealed_part}

    def seal(self, instrument: Instrument, strings: Mapping[str, str], data_key: str) -> str | None:
        """``encode``'s sealed part alone, from what this codec holds already: None when
        the instrument's sealed names were not looked up here (``sealed_names``) or the
        citizen's key is not unwrapped here — it touches neither the database nor the key
        store, so a forked process (an import's judging worker) can call it."""
        found = self._sealed.get(id(instrument))
        if found is None or found[0] is not instrument:
            return None
        sealed = found[1]
        if sealed.isdisjoint(strings):
            return ""
        if not self._keys.held(data_key):
            return None
        return self._seal(sealed, strings, data_key)

    def _seal(self, sealed, strings, data_key) -> str:
        hidden = {name: value for name, value in strings.items() if name in sealed}
        return self._keys.encrypt(data_key, _SEALED_JSON.encode(hidden))

    # ------------------------------------------------------------------ reading

    def plain(self, stored) -> dict[str, str]:
        """The plain part as the database driver gave it (a dict, or JSON text or bytes
        when read through a cursor) → item → string, with shared key strings."""
        return self.plain_reader()(stored)

    def plain_reader(self) -> Callable:
        """``plain`` as one function for a loop over many rows (no method lookups)."""
        # The decoder's scanner itself: json.loads with its two wrappers costs a third
        # more on half a million small objects; stored answers are always one JSON
        # object written by Django.
        scan, same, loads = self._scan, sys.intern, json.loads

        def read(stored) -> dict[str, str]:
            if type(stored) is str:
                stored = scan(stored, 0)[0]
            elif isinstance(stored, (bytes, bytearray)):
                stored = loads(stored)
            return {same(name): value for name, value in stored.items()} if stored else {}

        return read

    def new_data_key(self, defer: list | None = None) -> str:
        """A new citizen's data key, held here ready for ``encode`` (``DataKeys.new``)."""
        return self._keys.new(defer=defer)

    def encrypt(self, data_key: str, text: str) -> str:
        """Free text of the citizen with ``data_key``, encrypted with the keys held here."""
        return self._keys.encrypt(data_key, text)

    def prefetch(self, data_keys):
        """Fetch the data keys of many citizens at once (``crypto.DataKeys.prefetch``)."""
        self._keys.prefetch(data_keys)

    def unseal(self, token: str, data_key: str, keep: Callable[[str], bool] | None = None) -> dict[str, str]:
        """The sealed part (item → string); with ``keep`` only the items it accepts."""
        if not token:
            return {}
        values = json.loads(self._keys.decrypt(data_key, token))
        if keep is not None:
            values = {name: value for name, value in values.items() if keep(name)}
        return {sys.intern(name): value for name, value in values.items()}

    def decode(self, plain, token: str, data_key: str, *, sealed: bool = True) -> dict[str, str]:
        """Every stored answer of one record as item → interchange string; with
        ``sealed=False`` the plain part only (nothing decrypted)."""
        answers = self.plain(plain)
        if sealed and token:
            answers.update(self.unseal(token, data_key))
        return answers

    def passing_reader(self) -> Callable:
        """``decode`` for a loop over many records whose answers are read once and let
        go (an export writing them out): the same answers in the same order, without
        ``plain``'s shared name strings (they pay off only for answers kept in memory,
        and cost a tenth of an export) and without a method lookup per record."""
        scan, loads, decrypt = self._scan, json.loads, self._keys.decrypt

        def read(plain, token: str, data_key: str) -> dict[str, str]:
            if type(plain) is str:
                answers = scan(plain, 0)[0] or {}  # a stored JSON null reads as no answer, as in plain()
            elif isinstance(plain, (bytes, bytearray)):
                answers = loads(plain) or {}
            else:
                answers = dict(plain) if plain else {}
            if token:
                answers.update(loads(decrypt(data_key, token)))
            return answers

        return read

    def unseal_records(self, pks: Iterable, *, keep: Callable[[str], bool] | None = None) -> dict:
        """pk → sealed answers (item → string) of the records ``pks`` that have any, in
        chunked queries; ``keep`` filters the items (e.g. no free text for the report)."""
        from overgang.measurements.models import Record

        out: dict = {}
        pks = list(pks)
        for begin in range(0, len(pks), 5000):
            rows = list(
                Record.objects.filter(pk__in=pks[begin : begin + 5000])
                .exclude(**{SEALED: ""})
                .order_by()
                .values_list("pk", "citizen__data_key", SEALED)
            )
            # The citizens' keys from the key store in bulk (a query per batch of keys).
            self.prefetch({data_key for _pk, data_key, _token in rows})
            for pk, data_key, token in rows:
                values = self.unseal(token, data_key, keep)
                if values:
                    out[pk] = values
        return out

    # ------------------------------------------------------------------ comparing

    @staticmethod
    def fingerprint(plain) -> bytes:
        """A short digest of a plain part, to hold many records' contents in little memory."""
        import hashlib

        return hashlib.sha1(json.dumps(dict(plain), sort_keys=True, ensure_ascii=False).encode("utf-8")).digest()

    def same_content(self, fingerprint: bytes, token: str, data_key: str, strings: Mapping[str, str]) -> bool:
        """Whether a stored record (its plain part's ``fingerprint`` and its sealed token)
        holds exactly ``strings``, whichever rule split them when they were written."""
        hidden = self.unseal(token, data_key)
        if any(strings.get(name) != value for name, value in hidden.items()):
            return False
        rest = {name: value for name, value in strings.items() if name not in hidden}
        return self.fingerprint(rest) == fingerprint


# ---------------------------------------------------------------------------- one record


def encode_record(record, strings: Mapping[str, str]) -> dict:
    """The stored fields of ``record`` for ``strings``, set on the record and returned
    (for an ``update()``)."""
    fields = AnswerCodec().encode(record.definition, strings, record.citizen.data_key)
    for name, value in fields.items():
        setattr(record, name, value)
    return fields


def decode_record(record) -> dict[str, str]:
    """Every stored answer of ``record`` as item → interchange string."""
    return AnswerCodec().decode(getattr(record, PLAIN), getattr(record, SEALED), record.citizen.data_key)


def encode_prefilled(record, raw: Mapping[str, str]) -> str:
    """The pre-filled values of a new record (item → interchange string), all sealed:
    they are the course's facts, and which of them are special categories is no
    business of a store that is only read back into the same record's form."""
    if not raw:
        return ""
    return crypto.encrypt(record.citizen.data_key, json.dumps(dict(raw), ensure_ascii=False, sort_keys=True))


def decode_prefilled(record) -> dict[str, str]:
    if not record.prefilled:
        return {}
    return json.loads(crypto.decrypt(record.citizen.data_key, record.prefilled))
