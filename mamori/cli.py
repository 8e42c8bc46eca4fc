"""The ``mamori`` console command: Django's management commands under friendlier names.

mamori demo [--pack NAME]
mamori regulations list | show PACK [ARTICLE] | validate [FILE]
mamori import staff FILE [--apply]
mamori records verify
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line

# ``import`` is a Python keyword, so its management command is called import_data.
ALIASES = {"import": "import_data"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        args[0] = ALIASES.get(args[0], args[0])
    execute_from_command_line(["mamori", *args])


if __name__ == "__main__":
    main()
