"""Tests of the pytest plugin (python3 -m pytest -p mailoauth
test_plugin.py): every test starts from the snapshot taken after the
session's mailoauth_setup."""

import pytest


@pytest.fixture(scope="session")
def mailoauth_setup(mailoauth_session):
    return mailoauth_session.token("google", "alice@gmail.test", ["https://mail.google.com/"])


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_from_the_snapshot(mailoauth, mailoauth_setup, run):
    assert mailoauth.messages("alice@gmail.test") == []
    mailoauth.deliver("alice@gmail.test", subject="run %d" % run)
    mailoauth.token("google", "bob@gmail.test", ["https://mail.google.com/"])
    assert [m["subject"] for m in mailoauth.messages("alice@gmail.test")] == ["run %d" % run]
    assert mailoauth_setup["refresh_token"]
