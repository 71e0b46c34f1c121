import pytest

from overgang import testing


@pytest.fixture
def world(db):
    return testing.make_world()


@pytest.fixture
def login(client):
    def _login(user):
        return testing.login(client, user)

    return _login
