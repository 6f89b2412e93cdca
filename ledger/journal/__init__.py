"""The tamper-evident journal: a Merkle tree over the event log (RFC 6962), signed checkpoints."""
