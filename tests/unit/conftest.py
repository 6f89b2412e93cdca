"""The fast unit tier: the domain's pure rules, with no store, no server and no files.

Nothing here opens a database: the fixtures are rule sets and values only, so
``pytest tests/unit`` runs alone in seconds. Tests that need SQLite or PostgreSQL live beside
the code they exercise (``tests/ledger``, ``tests/projections``, ...) and take the fixtures of
``tests/conftest.py``.
"""

from __future__ import annotations

import pytest

from ledger.benefits import BenefitRules, rules
from ledger.rule_sets import TEST_RULE_SET, RuleBook, rule_book_with_test_set


@pytest.fixture
def v1() -> BenefitRules:
    """The rule set every claim so far was decided under (PP 44/2015 jo. PP 82/2019)."""
    return rules()


@pytest.fixture
def later() -> BenefitRules:
    """The test rule set: other figures from 1 July 2026 (a fixture, not a regulation)."""
    return TEST_RULE_SET


@pytest.fixture
def test_book() -> RuleBook:
    """The real rule sets followed by the test set (v1 then ends on 30 June 2026)."""
    return rule_book_with_test_set()
