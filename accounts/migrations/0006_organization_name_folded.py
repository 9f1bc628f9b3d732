"""An organization's name stored folded (`Organization.name_folded`, a stored generated column:
the database computes it from `name` on every write, and for the rows already there when the
column is added), and the search's trigram index moved from the expression LOWER(name)
(migration 0003) onto it, PostgreSQL only. The search then reads the folded names instead of
folding 45,000 of them on every request (~12 ms of PostgreSQL for a query matching them all)."""

import django.db.models.functions.text
from django.db import migrations, models


def name_trigram_index(indexed: str, *, analyze: bool = False):
    """A migration step that puts the name's trigram index on `indexed` (PostgreSQL only)."""

    def step(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS accounts_organization_name_trgm")
        schema_editor.execute(
            "CREATE INDEX accounts_organization_name_trgm ON accounts_organization "
            f"USING gin ({indexed} gin_trgm_ops)"
        )
        if analyze:  # the planner's statistics of the new column
            schema_editor.execute("ANALYZE accounts_organization")

    return step


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organization_login_lower_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="name_folded",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Lower("name"),
                output_field=models.CharField(max_length=500),
                verbose_name="наименование для поиска",
            ),
        ),
        migrations.RunPython(
            name_trigram_index("name_folded", analyze=True),
            name_trigram_index("(LOWER(name))"),
        ),
    ]
