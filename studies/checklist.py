"""«Что сделать сейчас»: the school organizer's checklist, in the words of the regional memo
(«Основные действия ответственного организатора образовательной организации…», seed 004).

Numbers are the memo's own (its «Подготовка» skips 4). Each item is one of:
- AUTO — ticks itself from an event the portal knows (the `event` names it);
- MANUAL — the school ticks it, with the date and who ticked (some need a scan or a memo);
- INFO — guidance without a state (the forum «при необходимости», working with the authorities).
"""

from dataclasses import dataclass

from .models import Stage

AUTO = "auto"
MANUAL = "manual"
INFO = "info"

# Events of AUTO items
MATERIALS_DOWNLOADED = "materials_downloaded"
REGISTRATION_SUBMITTED = "registration_submitted"
PARTICIPANTS_DISTRIBUTED = "participants_distributed"
ROOM_LISTS_ISSUED = "room_lists_issued"
SURVEY_SUBMITTED = "survey_submitted"
ROOM_PROTOCOLS_FILLED = "room_protocols_filled"
PROTOCOL_SUBMITTED = "protocol_submitted"
REPORT_OPENED = "report_opened"


@dataclass(frozen=True)
class Item:
    key: str
    stage: str
    number: int
    text: str
    kind: str
    event: str = ""
    needs_scan: bool = False  # a manual tick carries a scan (the order appointing specialists)
    needs_memo: bool = False  # a manual tick confirms the information-security memo
    short: str = ""  # the grid's column heading

    @property
    def tracked(self) -> bool:
        return self.kind != INFO


ITEMS: tuple[Item, ...] = (
    Item(
        "prep_documents",
        Stage.PREPARATION,
        1,
        "Знание нормативной документации и инструктивных материалов, определяющих порядок "
        "проведения НИКО.",
        MANUAL,
        short="Документы изучены",
    ),
    Item(
        "prep_specialists",
        Stage.PREPARATION,
        2,
        "Назначение специалистов, ответственных за организацию и проведение НИКО в ОО.",
        MANUAL,
        needs_scan=True,
        short="Приказ о назначении",
    ),
    Item(
        "prep_registration",
        Stage.PREPARATION,
        3,
        "Регистрация на портале ФИС ОКО (https://lk-fisoko.obrnadzor.gov.ru/) и получение доступа "
        "в личный кабинет ОО для предоставления сведений об ОО (исключая персональные данные) "
        "путем заполнения и отправки электронных форм.",
        AUTO,
        event=REGISTRATION_SUBMITTED,
        short="Сведения об ОО",
    ),
    Item(
        "prep_materials",
        Stage.PREPARATION,
        5,
        "Организация скачивания материалов для проведения НИКО в ОО.",
        AUTO,
        event=MATERIALS_DOWNLOADED,
        short="Материалы скачаны",
    ),
    Item(
        "prep_readiness",
        Stage.PREPARATION,
        6,
        "Подготовка и контроль готовности ОО к проведению НИКО: организация аудиторий для "
        "проведения НИКО в соответствии с техническими требованиями, наличие материалов для "
        "участников НИКО, организация рабочего места ответственного организатора ОО с "
        "персональным компьютером с выходом в Интернет.",
        MANUAL,
        short="ОО готова",
    ),
    Item(
        "prep_distribution",
        Stage.PREPARATION,
        7,
        "Распределение  участников НИКО по аудиториям.".replace("  ", " "),
        AUTO,
        event=PARTICIPANTS_DISTRIBUTED,
        short="Участники распределены",
    ),
    Item(
        "prep_authorities",
        Stage.PREPARATION,
        8,
        "Взаимодействие с ответственными специалистами органов управления образованием "
        "Ленинградской области по вопросам подготовки и проведения НИКО.",
        INFO,
    ),
    Item(
        "prep_forum",
        Stage.PREPARATION,
        9,
        "Обращение, при необходимости, в раздел «Форум поддержки НИКО» портала ФИС ОКО "
        "(https://lk-fisoko.obrnadzor.gov.ru/) по вопросам организации процедур исследования "
        "в режиме вопрос-ответ.",
        INFO,
    ),
    Item(
        "prep_security",
        Stage.PREPARATION,
        10,
        "Обеспечение информационной безопасности при проведении НИКО.",
        MANUAL,
        needs_memo=True,
        short="Памятка по ИБ",
    ),
    Item(
        "conduct_rooms",
        Stage.CONDUCT,
        1,
        "Контроль готовности аудиторий к проведению НИКО.",
        MANUAL,
        short="Аудитории готовы",
    ),
    Item(
        "conduct_observers",
        Stage.CONDUCT,
        2,
        "Контроль входа в ОО независимых наблюдателей, распределение по аудиториям в ОО.",
        MANUAL,
        short="Наблюдатели",
    ),
    Item(
        "conduct_briefing",
        Stage.CONDUCT,
        3,
        "Инструктаж для организаторов, технических специалистов, распределение по аудиториям "
        "и иным рабочим местам.",
        MANUAL,
        short="Инструктаж",
    ),
    Item(
        "conduct_lists",
        Stage.CONDUCT,
        4,
        "Выдача организаторам в аудиториях материалов для участников НИКО, списков участников "
        "по аудиториям.",
        AUTO,
        event=ROOM_LISTS_ISSUED,
        short="Списки выданы",
    ),
    Item(
        "conduct_surveys",
        Stage.CONDUCT,
        5,
        "Контроль и заполнение анкет НИКО с последующей отправкой на портал ФИС ОКО "
        "(https://lk-fisoko.obrnadzor.gov.ru/).",
        AUTO,
        event=SURVEY_SUBMITTED,
        short="Анкеты",
    ),
    Item(
        "conduct_order",
        Stage.CONDUCT,
        6,
        "Контроль за соблюдением установленного порядка проведения НИКО.",
        MANUAL,
        short="Порядок соблюден",
    ),
    Item(
        "completion_room_protocols",
        Stage.COMPLETION,
        1,
        "Прием от организаторов в аудитории протокола проведения НИКО в аудитории и обеспечение "
        "его сохранности.",
        AUTO,
        event=ROOM_PROTOCOLS_FILLED,
        short="Протоколы аудиторий",
    ),
    Item(
        "completion_protocol",
        Stage.COMPLETION,
        2,
        "Заполнение электронной формы протокола проведения НИКО в ОО и загрузка на портал "
        "ФИС ОКО (https://fioco.ru/ru/osoko/vpr/) .".replace(" .", "."),
        AUTO,
        event=PROTOCOL_SUBMITTED,
        short="Протокол в ОО",
    ),
    Item(
        "completion_report",
        Stage.COMPLETION,
        3,
        "Получение статистического отчета по проведению исследования в личном кабинете на "
        "портале ФИС ОКО (https://fioco.ru/ru/osoko/vpr/).",
        AUTO,
        event=REPORT_OPENED,
        short="Отчет получен",
    ),
)

BY_KEY = {item.key: item for item in ITEMS}
TRACKED = tuple(item for item in ITEMS if item.tracked)
MANUAL_ITEMS = tuple(item for item in ITEMS if item.kind == MANUAL)
