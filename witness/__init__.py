"""A transparency-log witness (C2SP ``tlog-witness``) for the claims ledger's journal.

It keeps, per log, the latest checkpoint size and root hash it co-signed, in its own small state
file (never the ledger's database), and co-signs a new checkpoint only if a consistency proof
shows it extends that one. It answers over HTTP (:func:`witness.app.create_app`) or offline, a
request file in and an answer file out (:func:`witness.core.answer_file`).
"""
