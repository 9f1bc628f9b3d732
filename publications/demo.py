"""Demo publications of a НИКО cycle with small materials generated here (DOCX, XLSX, ZIP).

Idempotent: a publication is found by its title, a file by its name within the publication.
"""

import io
import zipfile
from datetime import timedelta
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import Region

from . import services
from .models import Publication

DOCX_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""  # noqa: E501
DOCX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>"""  # noqa: E501
DOCX_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    """A minimal valid Word document: a bold title and plain paragraphs."""
    body = f"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>{escape(title)}</w:t></w:r></w:p>"
    body += "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
        for text in paragraphs
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{DOCX_NS}"><w:body>{body}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def xlsx_bytes(title: str, header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ORGANIZER_CHECKLIST = [
    "1. Изучить нормативную документацию и инструктивные материалы, определяющие порядок "
    "проведения НИКО.",
    "2. Назначить специалистов, ответственных за организацию и проведение НИКО в ОО.",
    "3. Скачать материалы для проведения НИКО в личном кабинете ФИС ОКО.",
    "4. Подготовить аудитории в соответствии с техническими требованиями.",
    "5. Распределить участников НИКО по аудиториям (участники указываются кодами).",
    "6. Заполнить анкеты НИКО и электронный протокол проведения НИКО в ОО.",
    "7. Загрузить скан протоколов проведения НИКО в аудиториях.",
]

TECHNICAL_REQUIREMENTS = [
    "Рабочее место ответственного организатора ОО: персональный компьютер с выходом в "
    "Интернет, браузер последней версии, принтер.",
    "Аудитории: отдельное место для каждого участника, часы, видимые всем участникам.",
    "Материалы для участников печатаются в ОО в день проведения, на белой бумаге формата A4.",
]


def _demo_publications(now):
    region = Region.objects.filter(code="47").first()
    return [
        {
            "title": "Порядок проведения НИКО в 2026 году",
            "published_at": now - timedelta(days=20),
            "pinned": True,
            "audience": Publication.Audience.EVERYONE,
            "body": (
                "Национальное исследование качества образования проводится в выбранных "
                "образовательных организациях по графику, утвержденному Рособрнадзором.\n\n"
                "**Основные этапы:**\n\n"
                "1. Подготовка: публикации и материалы, «Сведения об ОО», распределение "
                "участников по аудиториям.\n"
                "2. Проведение: анкеты и электронный протокол проведения НИКО в ОО.\n"
                "3. Завершение: форма сбора результатов, статистический отчет.\n\n"
                "Персональные данные участников в ФИС ОКО не передаются: участники "
                "указываются кодами.\n\n"
                "Вопросы по работе ЛК ФИС ОКО: [helpfisoko@fioco.ru](mailto:helpfisoko@fioco.ru)."
            ),
            "files": {
                "Порядок проведения НИКО.docx": lambda: docx_bytes(
                    "Порядок проведения НИКО в 2026 году", ORGANIZER_CHECKLIST
                ),
            },
        },
        {
            "title": "Инструкция для ответственного организатора ОО",
            "published_at": now - timedelta(days=12),
            "audience": Publication.Audience.ROLES,
            "for_organizations": True,
            "for_regional_coordinators": True,
            "for_municipal_coordinators": True,
            "body": (
                "Ответственный организатор ОО обеспечивает скачивание материалов, подготовку "
                "аудиторий и передачу данных в ФИС ОКО.\n\n"
                "- Заполните форму «Сведения об ОО» в блоке «Сбор данных».\n"
                "- Сохранение данных, введенных в таблицу, осуществляется автоматически.\n"
                "- После ввода нажмите «Сдать отчет»."
            ),
            "files": {
                "Инструкция ответственного организатора ОО.docx": lambda: docx_bytes(
                    "Инструкция для ответственного организатора ОО", ORGANIZER_CHECKLIST
                ),
                "Памятка по информационной безопасности.docx": lambda: docx_bytes(
                    "Памятка по информационной безопасности",
                    [
                        "Материалы НИКО не публикуются и не передаются третьим лицам.",
                        "Персональные данные участников не вводятся в ЛК ФИС ОКО.",
                    ],
                ),
            },
        },
        {
            "title": "Технические требования к аудиториям и рабочему месту организатора",
            "published_at": now - timedelta(days=7),
            "audience": Publication.Audience.EVERYONE,
            "body": "\n\n".join(TECHNICAL_REQUIREMENTS),
            "files": {
                "Технические требования НИКО.docx": lambda: docx_bytes(
                    "Технические требования", TECHNICAL_REQUIREMENTS
                ),
            },
        },
        {
            "title": "Материалы для проведения НИКО в Ленинградской области",
            "published_at": now - timedelta(days=2),
            "audience": Publication.Audience.REGIONS,
            "regions": [region] if region else [],
            "body": (
                "Архив с материалами для проведения НИКО и форма распределения участников по "
                "аудиториям. Скачайте материалы до дня проведения исследования.\n\n"
                "| Материал | Формат |\n|---|---|\n"
                "| Форма распределения участников по аудиториям | XLSX |\n"
                "| Материалы для проведения | ZIP |"
            ),
            "files": {
                "Распределение участников по аудиториям.xlsx": lambda: xlsx_bytes(
                    "Распределение",
                    ["Код участника", "Класс", "Аудитория"],
                    [
                        [f"8{n:04d}", "8А" if n <= 12 else "8Б", 1 if n <= 12 else 2]
                        for n in range(1, 25)
                    ],
                ),
                "Материалы для проведения НИКО.zip": lambda: zip_bytes(
                    {
                        "Инструкция для организатора в аудитории.docx": docx_bytes(
                            "Инструкция для организатора в аудитории",
                            [
                                "Проверьте готовность аудитории.",
                                "Раздайте материалы участникам.",
                                "Заполните протокол проведения НИКО в аудитории.",
                            ],
                        ),
                        "Протокол проведения в аудитории.docx": docx_bytes(
                            "Протокол проведения НИКО в аудитории",
                            ["Аудитория №", "Число участников", "Время начала", "Время окончания"],
                        ),
                    }
                ),
            },
        },
        {
            "title": "Статистические отчеты по результатам НИКО",
            "published_at": now + timedelta(days=30),
            "audience": Publication.Audience.EVERYONE,
            "body": "Статистические отчеты доступны в личном кабинете в разделе «Статистические отчеты».",  # noqa: E501
            "files": {},
        },
    ]


@transaction.atomic
def seed(*, stdout) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    created_count = 0
    for spec in _demo_publications(now):
        spec = dict(spec)
        files = spec.pop("files")
        regions = spec.pop("regions", [])
        publication = Publication.objects.filter(title=spec["title"]).first()
        if publication is None:
            publication = services.publication_save(publication=Publication(**spec), actor=None)
            publication.regions.set(regions)
            created_count += 1
        existing = set(publication.attachments.values_list("name", flat=True))
        for name, make in files.items():
            if name not in existing:
                services.attachment_add(
                    publication=publication, file=ContentFile(make(), name=name), actor=None
                )
    stdout.write(f"Публикации: создано {created_count}.")
