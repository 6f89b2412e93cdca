"""The request path does each piece of work once: argument schemas are made once per class, and
requests sharing one schema instance still each get their own answer."""

from __future__ import annotations

from typing import Any

import pytest
from http_bodies import enrolment, programme
from http_client import Api

from api.resources.members import EnrolIn


def test_an_argument_schema_is_made_once_not_on_every_request(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    assert api.post("/api/v1/members", "clerk", enrolment(1)).status_code == 201
    made: list[int] = []
    original = EnrolIn.__init__

    def counted(self: EnrolIn, *args: Any, **kwargs: Any) -> None:
        made.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(EnrolIn, "__init__", counted)
    for seed in (2, 3, 4):
        assert api.post("/api/v1/members", "clerk", enrolment(seed)).status_code == 201
    assert made == []


def test_requests_sharing_a_schema_each_get_their_own_errors(api: Api) -> None:
    assert api.post("/api/v1/programs", "admin", programme()).status_code == 201
    no_name = api.post("/api/v1/members", "clerk", {**enrolment(5), "name": ""})
    bad_decile = api.post("/api/v1/members", "clerk", {**enrolment(6), "decile": "x"})
    fine = api.post("/api/v1/members", "clerk", enrolment(7))
    assert no_name.status_code == bad_decile.status_code == 422
    assert set(no_name.get_json()["errors"]) == {"name"}
    assert set(bad_decile.get_json()["errors"]) == {"decile"}
    assert fine.status_code == 201, fine.get_json()
