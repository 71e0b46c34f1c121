#!/usr/bin/env python
"""Django's command-line utility, for developers. Users run ``overgang``."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "overgang.settings")
    os.environ.setdefault("OVERGANG_MODE", "development")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
