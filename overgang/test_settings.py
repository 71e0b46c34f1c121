"""Settings for the test suite: the real settings module in test mode."""

import os

os.environ.setdefault("OVERGANG_MODE", "test")
os.environ.setdefault("OVERGANG_TOTP_WAIVED", "false")

from overgang.settings import *  # noqa: E402,F401,F403
