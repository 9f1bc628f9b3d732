"""«Список участников»: the rows written in Python (`monitoring.participant_html`)."""

from monitoring.participant_html import rows_html
from monitoring.presenters import Badge, Moment, ParticipantRow
from studies.extensions import ShareCell


class Column:
    def __init__(self, title):
        self.title = title


def row(**changes) -> ParticipantRow:
    values = {
        "pk": 7,
        "login": "edu470001",
        "name": 'Школа "Р<а>дуга" & сад',
        "region": "Ленинградская область",
        "municipality": "Гатчинский <район>",
        "badges": [Badge("Сдано", "status-badge status-submitted"), Badge("с опозданием", "x")],
        "started": Moment("01.12.2026", "10:00"),
        "submitted": Moment("02.12.2026", "11:30"),
        "saved": None,
        "receipt": "47-0001-000123",
        "data_url": "/monitoring/collections/1/participants/7/?q=a&sort=b",
        "extension_url": "/ext/7/",
        "return_url": "/return/7/",
        "share": [
            (Column("Анкета <учителя>"), ShareCell(3, 4)),
            (Column("Родители"), ShareCell(0, 0)),
        ],
    }
    values.update(changes)
    return ParticipantRow(**values)


def test_every_text_is_escaped():
    html = rows_html([row()], see_all_regions=True, can_act=True)
    assert "Школа &quot;Р&lt;а&gt;дуга&quot; &amp; сад" in html
    assert "Гатчинский &lt;район&gt;" in html
    assert "Анкета &lt;учителя&gt;: " in html
    assert "<а>" not in html and "<район>" not in html and "<учителя>" not in html
    assert 'href="/monitoring/collections/1/participants/7/?q=a&amp;sort=b"' in html


def test_a_row_carries_its_dates_badges_receipt_shares_and_actions():
    html = rows_html([row()], see_all_regions=True, can_act=True)
    assert html.startswith('<tr data-testid="participant-row" data-login="edu470001">')
    assert html.endswith("</tr>")
    assert '<td class="d-none d-lg-table-cell">Ленинградская область</td>' in html
    assert (
        ' <span class="badge status-badge status-submitted">Сдано</span>'
        ' <span class="badge x">с опозданием</span>'
    ) in html
    assert '01.12.2026 <span class="text-body-secondary">10:00</span>' in html
    assert '<td class="d-none d-xl-table-cell date-cell">—</td>' in html  # never saved
    assert 'data-testid="receipt-number">квитанция № 47-0001-000123</div>' in html
    assert "Начало ввода: 01.12.2026 10:00<br>Передано: 02.12.2026 11:30<br>Квитанция №" in html
    assert '3/4 <span class="small text-body-secondary">75 %</span>' in html
    assert '—<span class="visually-hidden"> коды не выданы</span>' in html
    assert 'href="/ext/7/">Продлить' in html and 'href="/return/7/">Вернуть' in html


def test_columns_and_actions_follow_the_role():
    html = rows_html(
        [row(return_url="", receipt="", submitted=None)], see_all_regions=False, can_act=False
    )
    assert "Ленинградская область" not in html
    assert "Продлить" not in html and "Вернуть" not in html
    assert "receipt-number" not in html and "Квитанция" not in html
    one_action = rows_html([row(return_url="")], see_all_regions=False, can_act=True)
    assert "Продлить" in one_action and "Вернуть" not in one_action


def test_a_page_is_its_rows_in_order():
    html = rows_html(
        [row(login="edu470001"), row(login="edu470002")], see_all_regions=False, can_act=False
    )
    assert html.count('data-testid="participant-row"') == 2
    assert html.index('data-login="edu470001"') < html.index('data-login="edu470002"')
    assert rows_html([], see_all_regions=True, can_act=True) == ""
