"""The demo's story and the generators of synthetic rosters, apart from the product's rules."""
