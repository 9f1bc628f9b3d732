"""Every report belongs to a participant of its collection (what «Список участников» counts
on: monitoring.selectors.participants). Before, the collection's admin form could drop a
participant and leave its report behind. Such reports are settled once, as removal now does
(`collection_remove_organizations`): an empty one (never edited, nothing entered) goes; one
with entered data makes its organization a participant again — its data is never dropped and
monitoring shows it again."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Q


def settle(apps, schema_editor):
    Collection = apps.get_model("datacollection", "Collection")
    Report = apps.get_model("datacollection", "Report")
    Through = Collection.organizations.through
    orphans = Report.objects.exclude(
        Exists(
            Through.objects.filter(
                collection_id=OuterRef("collection_id"),
                organization_id=OuterRef("organization_id"),
            )
        )
    )
    entered = (
        ~Q(status="not_started")
        | Exists(apps.get_model("datacollection", "Cell").objects.filter(report=OuterRef("pk")))
        | Exists(
            apps.get_model("datacollection", "ReportRow").objects.filter(report=OuterRef("pk"))
        )
        | Exists(apps.get_model("datacollection", "CellFile").objects.filter(report=OuterRef("pk")))
        | Exists(
            apps.get_model("datacollection", "Submission").objects.filter(report=OuterRef("pk"))
        )
    )
    Through.objects.bulk_create(
        [
            Through(collection_id=collection_id, organization_id=organization_id)
            for collection_id, organization_id in orphans.filter(entered).values_list(
                "collection_id", "organization_id"
            )
        ],
        batch_size=1000,
    )
    orphans.exclude(entered).delete()


class Migration(migrations.Migration):
    dependencies = [("datacollection", "0006_report_fk_served_by_unique_index")]

    operations = [migrations.RunPython(settle, migrations.RunPython.noop)]
