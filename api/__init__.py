"""claims-ledger: api."""
