"""claims-ledger: ledger."""
