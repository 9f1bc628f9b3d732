"""Trigram indexes on the folded login and name of organizations, PostgreSQL only: the search
(`accounts.scoping.search_organizations`: LOWER(field) LIKE '%q%') reads them instead of
folding 45,000 names on every request. SQLite keeps its plain scan (nothing to do there)."""

from django.db import migrations

INDEXES = (
    ("accounts_organization_login_trgm", "login"),
    ("accounts_organization_name_trgm", "name"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, field in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON accounts_organization "
            f"USING gin ((LOWER({field})) gin_trgm_ops)"
        )
    # The planner's statistics of the folded columns come with the expression indexes.
    schema_editor.execute("ANALYZE accounts_organization")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _field in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_staff_is_operator")]

    operations = [migrations.RunPython(create, drop)]
