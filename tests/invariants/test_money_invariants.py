"""The model-based test of the shop's money (issue 18): random sequences of orders, payments,
invoices, shipments, cancellations, refunds, card redemptions, code purchases, gift-card mode
switches, rejected / deleted / erased customers and expiring cards, driven through the real
services on PostgreSQL, with every money invariant checked after each step
(``tests/invariants/machine.py``, ``tests/invariants/invariants.py``).

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (the default) is derandomised and bounded for CI;
``nightly`` runs many more, longer, random sequences — see README, "Development".
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from .machine import MoneyMachine

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "nightly",
    max_examples=600,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


@pytest.mark.django_db
def test_money_invariants_hold_for_any_sequence_of_operations():
    run_state_machine_as_test(MoneyMachine, settings=settings.get_profile(PROFILE))
