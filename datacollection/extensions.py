"""Checks other apps add to «Сдать отчет» without datacollection importing them.

`settings.DATACOLLECTION_REPORT_CHECKS` lists dotted paths of functions
`check(report, definitions, rows, values) -> list[ReportError]` (arguments as in
`validation.validate_report`); their errors join the form's own, so a report with any of them
is not transferred. The study cycle uses it to keep the results form to the issued codes.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def extra_report_errors(report, definitions, rows, values) -> list:
    errors = []
    for path in getattr(settings, "DATACOLLECTION_REPORT_CHECKS", ()):
        errors += import_string(path)(report, definitions, rows, values)
    return errors
