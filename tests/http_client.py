"""Flask's test client with one token per role, for the API tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient


@dataclass
class Api:
    """Flask's test client with the role tokens at hand."""

    app: Flask
    client: FlaskClient
    tokens: dict[str, str]

    def auth(self, role: str, **headers: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **headers}

    def post(self, path: str, role: str, body: Any, **headers: str) -> Any:
        return self.client.post(path, json=body, headers=self.auth(role, **headers))

    def get(self, path: str, role: str = "auditor", **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.auth(role), **kwargs)
