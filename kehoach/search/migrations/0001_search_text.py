"""Trigram indexes on the folded `search_text` columns, on PostgreSQL only.

The search matches `search_text LIKE '%word%'` (core.search). PostgreSQL answers that from a GIN index
with `gin_trgm_ops` (extension pg_trgm, trusted: the database owner may create it) instead of reading
every row, which matters for a city or the country (~3,300 communes). SQLite, which serves one commune,
reads its few thousand rows and needs nothing: there the migration does nothing.
"""

from django.db import migrations

# (app label, model) of every searched table; register tables are those of kehoach.registers' specs.
MODELS = [
    ("plans", "Plan"),
    ("plans", "Task"),
    ("plans", "Indicator"),
    ("reports", "Report"),
    ("registers", "Village"),
    ("registers", "Coverage5G"),
    ("registers", "Enterprise"),
    ("registers", "ProgrammeStep"),
    ("registers", "Initiative"),
    ("registers", "OutreachItem"),
    ("registers", "CommunityTechTeam"),
    ("registers", "Official"),
    ("registers", "DigitalSkillCourse"),
    ("registers", "CourseAttendance"),
    ("registers", "DigitalLiteracyCompletion"),
    ("registers", "ProcedureMonth"),
    ("registers", "TraceableProduct"),
    ("registers", "PeriodicReportDue"),
]


def _index(table: str) -> str:
    return f"{table}_search_trgm"[:63]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    quote = schema_editor.quote_name
    for app_label, name in MODELS:
        table = apps.get_model(app_label, name)._meta.db_table
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(_index(table))} ON {quote(table)} "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for app_label, name in MODELS:
        table = apps.get_model(app_label, name)._meta.db_table
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(_index(table))}")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0004_search_text"),
        ("reports", "0002_search_text"),
        ("registers", "0004_register_import"),
    ]

    operations = [migrations.RunPython(create, drop)]
