"""Background work of the study cycle (`manage.py db_worker`): reminders by e-mail."""

from django_tasks import task

from .services import reminders


@task()
def send_item_reminders(
    study_id: int, item_key: str, title: str, organization_ids: list[int]
) -> int:
    return reminders.reminders_deliver(
        study_id=study_id, item_key=item_key, title=title, organization_ids=organization_ids
    )
