"""claims-ledger: projections."""
