from django.apps import AppConfig


class DatacollectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "datacollection"
    verbose_name = "Сбор данных"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .definitions import definition_changed
        from .models import Column, CrossCheck, FixedRow, FormTable

        for model in (FormTable, Column, FixedRow, CrossCheck):
            post_save.connect(definition_changed, sender=model, dispatch_uid=f"version-{model}")
            post_delete.connect(definition_changed, sender=model, dispatch_uid=f"del-{model}")
