from django.apps import AppConfig


class DatacollectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "datacollection"
    verbose_name = "Сбор данных"
