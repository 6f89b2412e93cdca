"""claims-ledger: documents."""
