"""The results form holds exactly the issued codes (a `DATACOLLECTION_REPORT_CHECKS` entry):
no code typed twice, none invented, none missing. Applies to the study's results collection
once the school has codes; other forms pass untouched."""

from collections import Counter

from datacollection.validation import ReportError

from .models import ChecklistSettings, ParticipantCode
from .services.results import CODE

TWICE = "Код участника {code} указан более одного раза."
INVENTED = "Кода участника {code} нет среди кодов, выданных вашей организации."
MISSING = (
    "Нет строки для участника {codes}: у каждого участника должен быть результат "
    "или «отсутствовал»."
)


def results_codes_check(report, definitions, rows, values) -> list[ReportError]:
    settings = ChecklistSettings.objects.filter(results_collection=report.collection_id).first()
    if settings is None:
        return []
    issued = set(
        ParticipantCode.objects.filter(
            study_id=settings.study_id, organization_id=report.organization_id
        ).values_list("code", flat=True)
    )
    if not issued:
        return []
    errors = []
    for definition in definitions:
        if not definition.table.is_dynamic or CODE not in {c.key for c in definition.columns}:
            continue
        table = definition.table
        entered = [
            (row_key, values.get((table.pk, row_key), {}).get(CODE, "").strip())
            for row_key, _ in rows.get(table.pk, [])
        ]
        counts = Counter(code for _, code in entered if code)
        for row_key, code in entered:
            message = None
            if code and counts[code] > 1:
                message = TWICE.format(code=code)
            elif code and code not in issued:
                message = INVENTED.format(code=code)
            if message:
                errors.append(
                    ReportError(table.key, row_key, CODE, message, f"{table.title}, {code}")
                )
        missing = sorted(issued - set(counts))
        if missing:
            errors.append(
                ReportError(
                    table.key, "", CODE, MISSING.format(codes=", ".join(missing)), table.title
                )
            )
    return errors
