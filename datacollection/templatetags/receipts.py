from django import template

from datacollection.receipts import receipt_number as _receipt_number

register = template.Library()


@register.filter
def receipt_number(submission_pk):
    """`{{ pk|receipt_number }}`: the receipt's number, as on «Квитанция о сдаче отчета»."""
    return _receipt_number(submission_pk) if submission_pk else ""
