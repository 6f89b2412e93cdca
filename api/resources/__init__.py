"""The HTTP resources of /api/v1, one module each."""
