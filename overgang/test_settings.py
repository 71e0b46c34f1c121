"""Settings for the test suite: the real settings module in test mode."""

import os

os.environ.setdefault("OVERGANG_MODE", "test")
os.environ.setdefault("OVERGANG_TOTP_WAIVED", "false")
# The key store: a file of this run's own (the database's test copy is made elsewhere).
os.environ.setdefault(
    "OVERGANG_KEY_STORE",
    "sqlite:///" + os.path.join(__import__("tempfile").gettempdir(), f"overgang-test-{os.getpid()}.keys.sqlite3"),
)

from overgang.settings import *  # noqa: E402,F401,F403

# A file, not SQLite's shared-cache in-memory database: the browser tests' server answers
# concurrent requests (an autosave and a page change), and only a file database waits on
# its lock the way production does (WAL, busy timeout) instead of failing at once.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"overgang-test-{os.getpid()}.sqlite3")
    }

# The test run's key store is thrown away at its end (conftest.py): its commits need not
# wait for the disk (SQLite's synchronous=NORMAL in WAL mode: still a real file, real
# transactions, real locking, only no fsync per commit, about 2 ms each on this kind of
# machine, a few thousand times a run). An installation's store keeps FULL (lib/keystore.py).
if OVERGANG_KEY_STORE and OVERGANG_KEY_STORE["ENGINE"].endswith("sqlite3"):  # noqa: F405
    OVERGANG_KEY_STORE["SYNCHRONOUS"] = "NORMAL"  # noqa: F405

# The read replica's alias, as a mirror of the test database: lib/replica.py's router
# sends nothing there unless a test turns OVERGANG_READ_REPLICA on (test_replica.py).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
