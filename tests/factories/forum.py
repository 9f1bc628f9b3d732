"""Forum helpers: questions are asked through the service, as the cabinet does, so derived
fields are what production would store."""

from forum import services
from forum.models import Category, Question

from .accounts import OrganizationUserFactory

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


def category(name="Организационные вопросы") -> Category:
    """The category the data migration creates; made again after a transactional test has
    flushed the database (browser tests)."""
    return Category.objects.get_or_create(name=name)[0]


def ask(author=None, *, organization=None, title="Вопрос о проведении НИКО", text="Текст", **kw):
    if author is None:
        author = organization.users.first() or OrganizationUserFactory(organization=organization)
    return services.question_ask(
        author=author,
        category=kw.pop("category", None) or category(),
        title=title,
        text=text,
        **kw,
    )


def answered(author, answerer, **kw) -> Question:
    question = ask(author, **kw)
    services.question_answer(question=question, author=answerer, text="Ответ координатора")
    question.refresh_from_db()
    return question


def faq_entry(author, operator, **kw) -> Question:
    question = answered(author, operator, **kw)
    return services.question_set_faq(question=question, published=True, actor=operator)
