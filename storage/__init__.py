"""The adapters that speak SQL: settings, store set-up, the bulk COPY writer, export and
restore, and the one way to open the ledger on a store (:func:`open_ledger`)."""

from storage.log_index import open_ledger, settings_of

__all__ = ["open_ledger", "settings_of"]
