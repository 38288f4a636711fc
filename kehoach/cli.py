"""The `kehoach` command: Django management with the project's settings and kebab-case aliases."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehoach.settings.base")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "kehoach"
    if len(argv) > 1 and not argv[1].startswith("-"):
        # `kehoach import-plan` and `kehoach import_plan` are the same command.
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
