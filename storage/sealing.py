"""The application's mapper: each event's personal fields sealed under their subject's data key.

On the way in (:meth:`SealingMapper.to_stored_event`) the fields that
:data:`ledger.personal_fields.SEALED` names for the event's topic are taken out of its state,
encoded by the application's transcoder (so dates stay dates) and encrypted with AES-GCM under
the subject's data key (made on the first seal), with a 12-byte nonce from the injectable source
and the associated data binding topic, aggregate id, version and subject. The state keeps
``"_sealed": [{"s": subject, "f": [paths], "n": nonce, "c": ciphertext}]`` (base64), so the
stored bytes (which the journal's leaf hashes) hold ciphertext only, and destroying a key
changes no stored byte. On the way out the fields are put back; a destroyed key reads
"[dihapus]" (a date None); a subject with no key row at all is an error (a wrong store or key).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import get_topic, resolve_topic

from ledger.clock import RandomBytes
from ledger.errors import ConfigurationError, RuleViolationError
from ledger.personal_fields import KEYED, OWN_ID, SEALED, SealedGroup, erased_value
from storage.personal import SqlPersonalData

SEALED_KEY = "_sealed"


def _get(state: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(state, dict) or part not in state:
            return None
        state = state[part]
    return state


def _take(state: dict[str, Any], path: str) -> tuple[bool, Any]:
    """Remove the field at ``path`` (copying the dicts on the way: the event's own values are
    never changed); (False, None) when it is not there."""
    parts = path.split(".")
    for part in parts[:-1]:
        inner = state.get(part)
        if not isinstance(inner, dict):
            return False, None
        state[part] = state = dict(inner)
    if parts[-1] not in state:
        return False, None
    return True, state.pop(parts[-1])


def _put(state: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        state = state.setdefault(part, {})
    state[parts[-1]] = value


def _expanded(state: dict[str, Any], group: SealedGroup) -> list[tuple[str, tuple[str, ...]]]:
    """(subject path, field paths) of a group in this state: one per item of an ``each``."""
    if group.each is None:
        return [(group.subject, group.fields)]
    items = state.get(group.each)
    if not isinstance(items, list):
        return []
    state[group.each] = [dict(item) if isinstance(item, dict) else item for item in items]
    return [(f"{group.each}.{i}.{group.subject}",
             tuple(f"{group.each}.{i}.{field}" for field in group.fields))
            for i in range(len(items))]


def _walk_get(state: dict[str, Any], path: str) -> Any:
    value: Any = state
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value


def _walk_take(state: dict[str, Any], path: str) -> tuple[bool, Any]:
    head, _, rest = path.partition(".")
    if head.isdigit():
        raise ValueError(path)
    if rest and rest.split(".", 1)[0].isdigit():  # a list of items (copied by _expanded)
        index, _, inner = rest.partition(".")
        items = state.get(head)
        if not isinstance(items, list) or int(index) >= len(items):
            return False, None
        return _take(items[int(index)], inner)
    return _take(state, path)


def _walk_put(state: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if rest and rest.split(".", 1)[0].isdigit():
        index, _, inner = rest.partition(".")
        _put(state[head][int(index)], inner, value)
        return
    _put(state, path, value)


def _aad(topic: str, originator_id: Any, version: int, subject: str) -> bytes:
    return f"{topic}\n{originator_id}\n{version}\n{subject}".encode()


class SealingMapper(Mapper[UUID]):
    """The library's mapper, sealing personal fields per data subject (see the module)."""

    #: Whether this mapper seals (a fast encoder of its own bytes must not bypass it).
    seals = True

    def __init__(self, transcoder: Transcoder, personal: SqlPersonalData,
                 random_bytes: RandomBytes, **kwargs: Any) -> None:
        super().__init__(transcoder, **kwargs)
        self.personal = personal
        self.random_bytes = random_bytes
        #: The ciphers of the subjects this mapper unsealed, by subject id as stored (None: the
        #: key is destroyed): a rebuild unseals 40,000 events of 20,000 subjects, and asking
        #: the key cache for each (a list, a lock, UUIDs) was a third of the decoding. Emptied
        #: whenever a key this process held is found destroyed (the key cache's listeners).
        self._ciphers: dict[str, AESGCM | None] = {}
        personal.on_forgotten(self._forget_ciphers)  # held weakly: the mapper can go

    # -- sealing -----------------------------------------------------------------------------

    def prepare_events(self, events: Any) -> None:
        """:meth:`prepare_keys` for the subjects these events will be sealed under (a save)."""
        subjects: set[UUID] = set()
        for event in events:
            groups = SEALED.get(get_topic(type(event)))
            if not groups:
                continue
            state = vars(event)
            for group in groups:
                for subject_path, _ in _expanded(dict(state), group):
                    subject = (state["originator_id"] if subject_path == OWN_ID
                               else _walk_get(state, subject_path))
                    if subject:
                        subjects.add(UUID(str(subject)))
        if len(subjects) > 1:
            self.prepare_keys(sorted(subjects))

    def prepare_keys(self, subjects: list[UUID]) -> None:
        """Make (and cache) the data keys of many subjects at once, before their events are
        sealed one by one (an import): one read and one insert, not one per subject."""
        self.personal.keys_for(subjects, create=True)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        topic = get_topic(domain_event.__class__)
        groups = SEALED.get(topic)
        if not groups:
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        originator_id = state.pop("originator_id")
        version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        state[SEALED_KEY] = self.seal(topic, originator_id, version, state, groups)
        return StoredEvent(originator_id=originator_id, originator_version=version,
                           topic=topic, state=self._finish(self.transcoder.encode(state)))

    def seal(self, topic: str, originator_id: Any, version: int, state: dict[str, Any],
             groups: tuple[SealedGroup, ...]) -> list[dict[str, Any]]:
        """Take each group's personal fields out of ``state`` (changed in place, its nested
        values copied first) and return their sealed records; the keyed pseudonyms
        (:data:`ledger.personal_fields.KEYED`) are added in clear first."""
        for sources, target in KEYED.get(topic, ()):
            values = [_get(state, path) for path in sources]
            if all(isinstance(v, str) and v for v in values):
                head = target.rpartition(".")[0]
                if head:
                    state[head] = dict(state[head])  # the event's own dict is never changed
                _put(state, target, self.personal.keyed(" ".join(values))[:32])
        plain: list[tuple[str, dict[str, Any]]] = []
        for group in groups:
            for subject_path, paths in _expanded(state, group):
                subject = (originator_id if subject_path == OWN_ID
                           else _walk_get(state, subject_path))
                if subject is None or subject == "":
                    continue
                fields: dict[str, Any] = {}
                for path in paths:
                    found, value = _walk_take(state, path)
                    if found:
                        fields[path] = value
                if fields:
                    plain.append((str(subject), fields))
        if not plain:
            return []
        keys = self.personal.keys_for([UUID(s) for s, _ in plain], create=True)
        sealed = []
        for subject, fields in plain:
            key = keys.get(UUID(subject))
            if key is None:
                raise RuleViolationError(
                    f"the personal data of data subject {subject} was erased: nothing of it "
                    "can be recorded again")
            nonce = self.random_bytes(12)
            text = AESGCM(key).encrypt(nonce, self.transcoder.encode(fields),
                                       _aad(topic, originator_id, version, subject))
            sealed.append({"s": subject, "f": list(fields), "n": _b64(nonce), "c": _b64(text)})
        return sealed

    def _finish(self, data: bytes) -> bytes:
        if self.compressor:
            data = self.compressor.compress(data)
        if self.cipher:
            data = self.cipher.encrypt(data)
        return data

    # -- unsealing ---------------------------------------------------------------------------

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        if stored_event.topic not in SEALED:
            return super().to_domain_event(stored_event)
        cls = resolve_topic(stored_event.topic)
        data = stored_event.state
        try:
            if self.cipher:
                data = self.cipher.decrypt(data)
            if self.compressor:
                data = self.compressor.decompress(data)
            state: dict[str, Any] = self.transcoder.decode(data)
        except Exception as error:
            raise MapperDeserialisationError(
                f"Failed to deserialise state of stored event with topic "
                f"'{stored_event.topic}', originator_id '{stored_event.originator_id}' and "
                f"originator_version {stored_event.originator_version}: {error}") from error
        self.unseal(stored_event, state)
        originator_id = stored_event.originator_id
        state["originator_id"] = (originator_id if type(originator_id) is UUID
                                  else UUID(str(originator_id)))
        state["originator_version"] = stored_event.originator_version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        domain_event = object.__new__(cls)
        object.__setattr__(domain_event, "__dict__", state)
        return cast(DomainEventProtocol[UUID], domain_event)

    def unseal(self, stored: StoredEvent, state: dict[str, Any]) -> None:
        """Put the sealed fields back into ``state`` ("[dihapus]" where the key is destroyed)."""
        records: list[dict[str, Any]] = state.pop(SEALED_KEY, None) or []
        if not records:
            return
        ciphers = self._ciphers_of([r["s"] for r in records], stored)
        for record in records:
            cipher = ciphers[record["s"]]
            if cipher is None:
                for path in record["f"]:
                    _walk_put(state, path, erased_value(path))
                continue
            try:
                plain = cipher.decrypt(
                    base64.b64decode(record["n"]), base64.b64decode(record["c"]),
                    _aad(stored.topic, stored.originator_id, stored.originator_version,
                         record["s"]))
            except InvalidTag:
                raise ConfigurationError(
                    f"the sealed fields of event {stored.originator_id} "
                    f"v{stored.originator_version} do not open under their subject's key: the "
                    "stored bytes or the key were altered") from None
            for path, value in self.transcoder.decode(plain).items():
                _walk_put(state, path, value)


    def _ciphers_of(self, subjects: list[str], stored: StoredEvent) -> dict[str, AESGCM | None]:
        """The cipher of each subject (None: its key is destroyed), from the ones this mapper
        holds; the others' keys from the key cache (which says when one is destroyed)."""
        self.personal.notice_erasures()  # another process's erasure, seen as keys_for would
        held = self._ciphers
        found = {s: held[s] for s in subjects if s in held}
        if len(found) == len(subjects):
            return found
        wanted = {s: UUID(s) for s in subjects if s not in found}
        keys = self.personal.keys_for(wanted.values(), create=False)
        for name, subject in wanted.items():
            if subject not in keys:
                raise ConfigurationError(
                    f"the event {stored.originator_id} v{stored.originator_version} is sealed "
                    f"under data subject {subject}, whose key this store does not have: the "
                    "store's key table is not this log's (a wrong store, or a restore without "
                    "its keys)")
            key = keys[subject]
            found[name] = held[name] = None if key is None else AESGCM(key)
        return found

    def _forget_ciphers(self) -> None:
        self._ciphers.clear()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


#: Made by :meth:`storage.log_index.SqlLogIndex.mapper` for the application.
MapperFactory = Callable[[Transcoder], SealingMapper]
