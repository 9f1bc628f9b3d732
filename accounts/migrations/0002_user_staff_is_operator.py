from django.db import migrations, models


def staff_follows_role(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="operator").update(is_staff=True)
    User.objects.exclude(role="operator").update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(staff_follows_role, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_staff", True), ("role", "operator"))
                | (~models.Q(("role", "operator")) & models.Q(("is_staff", False))),
                name="user_staff_is_operator",
                violation_error_message=(
                    "Доступ к администрированию есть только у федерального оператора, "
                    "и у каждого оператора он есть."
                ),
            ),
        ),
    ]
