"""Participating classes and their participant codes.

A code is issued once and never renamed: the number comes from `CodeSequence`, which only grows,
so re-issuing after a withdrawal gives new numbers and a paper list printed yesterday stays true.
"""

from django.db import transaction

from accounts.audit import record
from accounts.models import Organization, User
from datacollection.models import Study

from ..models import MAX_GRADE, MIN_GRADE, CodeSequence, ParticipantCode, SchoolClass, format_code
from .access import StudyError, check_school_writes

VARIANTS = 2

GRADE_OUT_OF_RANGE = f"Класс — число от {MIN_GRADE} до {MAX_GRADE}."
PUPILS_OUT_OF_RANGE = "Число обучающихся — от 0 до 60."
LETTER_TOO_LONG = "Литера класса — не длиннее 5 символов."
CODES_IN_PROTOCOL = (
    "Нельзя уменьшить число участников: коды {codes} уже отмечены в протоколе аудитории."
)


def _issue(*, study: Study, school_class: SchoolClass, count: int) -> list[ParticipantCode]:
    sequence, _ = CodeSequence.objects.select_for_update().get_or_create(
        study=study, grade=school_class.grade
    )
    already = school_class.codes.count()
    codes = []
    for offset in range(count):
        number = sequence.last + offset + 1
        codes.append(
            ParticipantCode(
                study=study,
                organization_id=school_class.organization_id,
                school_class=school_class,
                grade=school_class.grade,
                number=number,
                code=format_code(school_class.grade, number),
                variant=(already + offset) % VARIANTS + 1,
            )
        )
    sequence.last += count
    sequence.save(update_fields=["last"])
    return ParticipantCode.objects.bulk_create(codes)


def _withdraw(*, school_class: SchoolClass, count: int) -> list[str]:
    """The class's last `count` codes, unless any is already marked in a room protocol."""
    last = list(school_class.codes.order_by("-number")[:count])
    marked = [code.code for code in last if code.present_in.exists()]
    if marked:
        raise StudyError(CODES_IN_PROTOCOL.format(codes=", ".join(sorted(marked))))
    ParticipantCode.objects.filter(pk__in=[code.pk for code in last]).delete()
    return [code.code for code in last]


@transaction.atomic
def save_school_class(
    *,
    user: User,
    study: Study,
    organization: Organization,
    grade: int,
    letter: str = "",
    pupils: int,
    request=None,
) -> SchoolClass:
    """Create or update a participating class and bring its codes to `pupils`: new codes for
    new pupils, the last codes withdrawn for fewer. Existing codes keep their names."""
    check_school_writes(user=user, study=study, organization=organization)
    letter = letter.strip().upper()
    if not (MIN_GRADE <= grade <= MAX_GRADE):
        raise StudyError(GRADE_OUT_OF_RANGE)
    if not (0 <= pupils <= 60):
        raise StudyError(PUPILS_OUT_OF_RANGE)
    if len(letter) > 5:
        raise StudyError(LETTER_TOO_LONG)
    school_class, created = SchoolClass.objects.select_for_update().get_or_create(
        study=study,
        organization=organization,
        grade=grade,
        letter=letter,
        defaults={"pupils": pupils},
    )
    issued = school_class.codes.count()
    withdrawn = []
    if pupils > issued:
        _issue(study=study, school_class=school_class, count=pupils - issued)
    elif pupils < issued:
        withdrawn = _withdraw(school_class=school_class, count=issued - pupils)
    if not created and school_class.pupils != pupils:
        school_class.pupils = pupils
        school_class.save(update_fields=["pupils"])
    record(
        actor=user,
        action="studies.class_saved",
        organization=organization,
        target=f"{study.code}: {school_class.label}",
        request=request,
        pupils=pupils,
        issued=max(0, pupils - issued),
        withdrawn=withdrawn,
    )
    return school_class


@transaction.atomic
def remove_school_class(
    *, user: User, study: Study, organization: Organization, school_class_id: int, request=None
) -> None:
    check_school_writes(user=user, study=study, organization=organization)
    school_class = SchoolClass.objects.filter(
        pk=school_class_id, study=study, organization=organization
    ).first()
    if school_class is None:
        raise StudyError("Класс не найден.")
    withdrawn = _withdraw(school_class=school_class, count=school_class.codes.count())
    school_class.delete()
    record(
        actor=user,
        action="studies.class_removed",
        organization=organization,
        target=f"{study.code}: {school_class.label}",
        request=request,
        withdrawn=withdrawn,
    )
