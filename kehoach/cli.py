"""The `kehoach` command: Django management with the project's settings and kebab-case aliases."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehoach.settings.base")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "kehoach"
    if argv[1:] == ["help"]:
        import django
        from django.core.management import ManagementUtility

        django.setup()  # before listing, so the project's commands are found (the list is cached)
        utility = ManagementUtility(argv)
        text = utility.main_help_text()
        ours = sorted(name for name in _project_commands() if "_" in name)
        aliases = ", ".join(name.replace("_", "-") for name in ours)
        sys.stdout.write(f"{text}\n\nCũng gọi được với dấu gạch ngang: {aliases}\n")
        return
    if len(argv) > 1 and not argv[1].startswith("-"):
        # `kehoach import-plan` and `kehoach import_plan` are the same command.
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


def _project_commands() -> list[str]:
    from django.core.management import get_commands

    return [name for name, app in get_commands().items() if app.startswith("kehoach")]


if __name__ == "__main__":
    main()
