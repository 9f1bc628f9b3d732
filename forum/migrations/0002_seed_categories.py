"""The three categories of «Форум поддержки НИКО»; the operator may add more in the admin."""

from django.db import migrations

CATEGORIES = ["Организационные вопросы", "Технические вопросы", "Сбор данных"]


def add_categories(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    for order, name in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"order": order})


def remove_categories(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    Category.objects.filter(name__in=CATEGORIES, questions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_questions_answers_and_faq")]

    operations = [migrations.RunPython(add_categories, remove_categories)]
