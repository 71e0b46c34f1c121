"""``/status/`` for load balancers (issue 15 item 6); the key store's part is in
``citizens/tests/test_key_store.py``."""

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_a_host_that_lost_its_database_answers_unavailable_not_an_error_page(client, monkeypatch):
    assert client.get("/status/").content == b"ok\n"

    def lost(*args, **kwargs):
        raise OperationalError("connection to server on socket failed")

    monkeypatch.setattr(connection, "cursor", lost)
    response = client.get("/status/")
    assert response.status_code == 503 and response.content == b"unavailable\n"
    assert b"socket" not in response.content
