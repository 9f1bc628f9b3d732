"""Participating classes and participant codes of the demo study, as `save_school_class` gives
them: a 4 «А» and an 8 «Б» of 25 pupils, numbers from the study's `CodeSequence` per grade
(unique within the study), variants alternating, one audit row per class."""

import json
from datetime import datetime

from accounts.models import AuditEvent
from datacollection.models import Study
from studies.models import CodeSequence, ParticipantCode, SchoolClass, format_code

from . import bulk
from .typed import CLASS_SIZE, GRADES

LETTERS = {4: "А", 8: "Б"}
AUDIT_TABLE = AuditEvent._meta.db_table
AUDIT_COLUMNS = ["created_at", "actor_id", "organization_id", "action", "target", "details"]


class TooManyCodesError(ValueError):
    pass


TOO_MANY = (
    "Кодов участников больше, чем помещается в столбец «Код участника» формы результатов "
    "({length} знаков): последний был бы {code}."
)


def issue(
    study: Study,
    organizations: list[int],
    users: dict[int, int],
    at: datetime,
    code_length: int | None = None,
) -> dict[int, list[str]]:
    """Classes and codes for `organizations` (ids) that have no class in the study yet;
    returns their codes in the results form's order (4th grade, then 8th, by number).
    `code_length`: the results form's limit (7 characters fit 999,999 pupils of a grade, about
    47,000 schools with the seed's classes)."""
    started = set(SchoolClass.objects.filter(study=study).values_list("organization_id", flat=True))
    fresh = [pk for pk in organizations if pk not in started]
    if not fresh:
        return {}
    first: dict[int, int] = {}
    for grade in GRADES:
        sequence, _ = CodeSequence.objects.select_for_update().get_or_create(
            study=study, grade=grade
        )
        first[grade] = sequence.last + 1
        sequence.last += CLASS_SIZE * len(fresh)
        last = format_code(grade, sequence.last)
        if code_length and len(last) > code_length:
            raise TooManyCodesError(TOO_MANY.format(length=code_length, code=last))
        sequence.save(update_fields=["last"])
    class_id = bulk.next_id(SchoolClass._meta.db_table)
    classes, codes, events = [], [], []
    issued: dict[int, list[str]] = {}
    issued_at = bulk.stamp(at)
    for rank, organization in enumerate(fresh):
        issued[organization] = []
        for grade in GRADES:
            classes.append((class_id, study.pk, organization, grade, LETTERS[grade], CLASS_SIZE))
            start = first[grade] + rank * CLASS_SIZE
            numbered = [
                (number, format_code(grade, number)) for number in range(start, start + CLASS_SIZE)
            ]
            issued[organization].extend(code for _, code in numbered)
            prefix = f"{study.pk}\t{organization}\t{class_id}\t{grade}\t"
            codes.append(
                "".join(
                    f"{prefix}{number}\t{code}\t{index % 2 + 1}\t{issued_at}\n"
                    for index, (number, code) in enumerate(numbered)
                )
            )
            details = {"pupils": CLASS_SIZE, "issued": CLASS_SIZE, "withdrawn": []}
            events.append(
                (
                    at,
                    users.get(organization),
                    organization,
                    "studies.class_saved",
                    f"{study.code}: {grade} {LETTERS[grade]}",
                    json.dumps(details),
                )
            )
            class_id += 1
    bulk.write(
        SchoolClass._meta.db_table,
        ["id", "study_id", "organization_id", "grade", "letter", "pupils"],
        classes,
    )
    bulk.write_text(
        ParticipantCode._meta.db_table,
        [
            "study_id",
            "organization_id",
            "school_class_id",
            "grade",
            "number",
            "code",
            "variant",
            "issued_at",
        ],
        codes,
    )
    bulk.write(AUDIT_TABLE, AUDIT_COLUMNS, events)
    return issued
