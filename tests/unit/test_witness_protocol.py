"""The tlog-witness add-checkpoint bodies: the specification's example request and answer."""

from __future__ import annotations

import base64

import pytest

from ledger.errors import MalformedNoteError
from ledger.journal.tlog import parse_checkpoint
from witness.protocol import (
    SIZE_CONTENT_TYPE,
    Answer,
    format_add_checkpoint,
    parse_add_checkpoint,
)

SPEC_REQUEST = """old 20852014
PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=
5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=
/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=

example.com/behind-the-sofa
20852163
CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=

\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
\u2014 example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=
""".encode()  # noqa: E501 - the specification's example, verbatim

SPEC_ANSWER = """\u2014 witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==
\u2014 witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==
\u2014 witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==
""".encode()  # noqa: E501 - the specification's example, verbatim


def test_the_spec_request_reads_its_old_size_proof_and_checkpoint() -> None:
    request = parse_add_checkpoint(SPEC_REQUEST)
    assert request.old_size == 20852014
    assert len(request.proof) == 4
    assert request.proof[0] == base64.b64decode("PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=")
    checkpoint = parse_checkpoint(request.checkpoint)
    assert (checkpoint.body.origin, checkpoint.body.size) == ("example.com/behind-the-sofa",
                                                              20852163)
    assert len(checkpoint.note.signatures) == 2
    assert request.to_bytes() == SPEC_REQUEST


def test_the_spec_answer_reads_as_three_cosignature_lines() -> None:
    lines = Answer(200, SPEC_ANSWER).cosignatures
    assert [line.name for line in lines] == ["witness.example/w1", "witness.example/w1",
                                             "witness.example/w2"]
    assert all(len(line.signature) == 8 + 64 for line in lines)


def test_a_conflict_answer_names_the_stored_size() -> None:
    assert Answer(409, b"20852014\n", SIZE_CONTENT_TYPE).stored_size == 20852014
    assert Answer(409, b"forked\n").stored_size is None


def test_an_empty_proof_from_size_zero_is_written_as_the_spec_says() -> None:
    body = format_add_checkpoint(0, [], "o\n1\n" + "A" * 43 + "=\n\n\u2014 o AAAAAAA=\n")
    assert body.startswith(b"old 0\n\no\n1\n")


@pytest.mark.parametrize("body", [
    b"old 1\n",
    b"old 01\n\ncheckpoint\n",
    b"old -1\n\ncheckpoint\n",
    b"new 1\n\ncheckpoint\n",
    b"old 1\nnot base64!\n\ncheckpoint\n",
    b"old 1\nAAAA\n\ncheckpoint\n",
    b"old 1\n" + b"".join(base64.b64encode(bytes(32)) + b"\n" for _ in range(64))
    + b"\ncheckpoint\n",
])
def test_a_malformed_request_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedNoteError):
        parse_add_checkpoint(body)
