#!/usr/bin/env python
"""Django's command-line utility for Switchboard."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "switchboard.settings")
    from switchboard.config import ConfigError, load

    # A wrong configuration stops here with one clear line instead of a traceback.
    try:
        load()
    except ConfigError as error:
        sys.exit(f"Configuration error: {error}")

    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
