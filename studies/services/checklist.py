"""Ticks the school sets itself, and the events of the checklist that only this app sees
(a room's list printed, the statistical report opened)."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.audit import record
from accounts.models import Organization, User
from accounts.permissions import acts_for_organization
from core.files import atomic_with_files, upload_stored
from datacollection.models import Study

from .. import checklist
from ..models import ChecklistTick, Room, StatisticalReportOpened
from ..readiness import checklist_settings
from .access import StudyError, check_school_writes
from .protocols import checked_scan

NOT_MANUAL = "Этот пункт отмечается автоматически."
SCAN_REQUIRED = "Приложите скан приказа о назначении ответственных специалистов."
MEMO_REQUIRED = "Памятка по информационной безопасности еще не опубликована."


@atomic_with_files()
def tick_item(
    *,
    user: User,
    study: Study,
    organization: Organization,
    item_key: str,
    scan=None,
    request=None,
) -> ChecklistTick:
    check_school_writes(user=user, study=study, organization=organization)
    item = checklist.BY_KEY.get(item_key)
    if item is None or item.kind != checklist.MANUAL:
        raise StudyError(NOT_MANUAL)
    if item.needs_scan and scan is None:
        raise StudyError(SCAN_REQUIRED)
    if item.needs_memo and checklist_settings(study).security_memo_id is None:
        raise StudyError(MEMO_REQUIRED)
    scan_name = checked_scan(scan) if scan is not None else ""
    tick = (
        ChecklistTick.objects.select_for_update()
        .filter(study=study, organization=organization, item=item.key)
        .first()
    ) or ChecklistTick(study=study, organization=organization, item=item.key)
    old_file = tick.file.name if scan_name and tick.file else None
    tick.ticked_at = timezone.now()
    tick.ticked_by = user
    if scan_name:
        tick.file_name = scan_name
    # The scan is written first; FileStorageUnavailable (a ServiceError) leaves nothing behind.
    with upload_stored(tick.file, scan if scan_name else None, name=scan_name):
        tick.save()
        record(
            actor=user,
            action="studies.item_ticked",
            organization=organization,
            target=f"{study.code}: {item.key}",
            request=request,
            file=scan_name,
        )
    if old_file:
        transaction.on_commit(lambda: default_storage.delete(old_file))
    return tick


@transaction.atomic
def untick_item(
    *, user: User, study: Study, organization: Organization, item_key: str, request=None
) -> None:
    check_school_writes(user=user, study=study, organization=organization)
    item = checklist.BY_KEY.get(item_key)
    if item is None or item.kind != checklist.MANUAL:
        raise StudyError(NOT_MANUAL)
    ticks = ChecklistTick.objects.filter(study=study, organization=organization, item=item.key)
    paths = [tick.file.name for tick in ticks if tick.file]
    ticks.delete()
    for path in paths:
        transaction.on_commit(lambda path=path: default_storage.delete(path))
    record(
        actor=user,
        action="studies.item_unticked",
        organization=organization,
        target=f"{study.code}: {item.key}",
        request=request,
    )


def room_list_issued(*, user: User, room: Room) -> None:
    """The school printed or downloaded the room's list: the first time counts («Проведение»,
    п. 4). Coordinators looking at it do not issue it."""
    if not acts_for_organization(user, room.organization_id):
        return
    Room.objects.filter(pk=room.pk, list_issued_at__isnull=True).update(
        list_issued_at=timezone.now()
    )


def statistical_report_opened(*, user: User, study: Study, organization: Organization) -> None:
    """The school opened its statistical report («Завершение», п. 3): the hook a report page
    calls. Only the school's own opening counts, and only the first."""
    if not acts_for_organization(user, organization.pk):
        return
    StatisticalReportOpened.objects.get_or_create(study=study, organization=organization)
