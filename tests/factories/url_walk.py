"""The URL walk shared by the access test (tests/test_url_access.py) and the accessibility walk
(tests/browser/test_accessibility.py): every application URL pattern with the status each role
gets (CASES), and the world of objects those URLs point at (WORLD_HOOKS, build_world).

A new URL gets one line in CASES (both-sided access expectations) and, if it needs objects, a
hook below; both walks pick it up from here.
"""

from dataclasses import dataclass, field
from datetime import date, time
from http import HTTPStatus

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from publications.models import Publication

__all__ = [
    "ADMIN_OPEN",
    "CASES",
    "LOGIN",
    "RESULTS_OTHER_SIDE",
    "ROLES",
    "WORLD_HOOKS",
    "Case",
    "admin_url",
    "application_url_names",
    "build_world",
    "iter_url_names",
    "iter_url_patterns",
    "unnamed_patterns",
]

LOGIN = "login"  # redirect to the login page
ROLES = ["anonymous", "operator", "regional", "municipal", "organization"]


@dataclass
class Case:
    expect: dict[str, int | str]
    method: str = "get"
    kwargs: object = None  # a callable taking the world dict, returning URL kwargs
    data: dict = field(default_factory=dict)

    def url(self, name, world):
        kwargs = self.kwargs(world) if self.kwargs else {}
        return reverse(name, kwargs=kwargs)


def by_role(operator, regional, municipal, organization, anonymous=LOGIN):
    """Expected statuses in the order of the roles' reach: operator, regional coordinator,
    municipal coordinator, organization; anonymous users go to the login page."""
    return {
        "anonymous": anonymous,
        "operator": operator,
        "regional": regional,
        "municipal": municipal,
        "organization": organization,
    }


def everyone_logged_in(status=HTTPStatus.OK, anonymous=LOGIN):
    return {
        "anonymous": anonymous,
        "operator": status,
        "regional": status,
        "municipal": status,
        "organization": status,
    }


OK = HTTPStatus.OK
FORBIDDEN = HTTPStatus.FORBIDDEN
NOT_FOUND = HTTPStatus.NOT_FOUND
FOUND = HTTPStatus.FOUND
NO_CONTENT = HTTPStatus.NO_CONTENT

MONITORING_READ = by_role(OK, OK, OK, FORBIDDEN)
MONITORING_ACT = {**MONITORING_READ, "municipal": FORBIDDEN}
MONITORING_EXPORT = {**MONITORING_READ, "municipal": NOT_FOUND}

SCHOOL_ONLY = by_role(NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)
GRID_READ = by_role(OK, OK, OK, NOT_FOUND)
RESULTS_REGION = by_role(OK, OK, FORBIDDEN, FORBIDDEN)
RESULTS_NATIONAL = by_role(OK, FORBIDDEN, FORBIDDEN, FORBIDDEN)

CASES: dict[str, Case] = {
    "cabinet": Case(everyone_logged_in()),
    "accounts:login": Case(
        # A logged-in user visiting the login page is sent on to the cabinet.
        everyone_logged_in(FOUND, anonymous=OK)
    ),
    "accounts:logout": Case(everyone_logged_in(FOUND, anonymous=FOUND), method="post"),
    "accounts:password_change": Case(everyone_logged_in()),
    "accounts:organization_list": Case(by_role(OK, OK, OK, FORBIDDEN)),
    "accounts:organization_password_reset": Case(
        by_role(OK, OK, FORBIDDEN, FORBIDDEN),
        method="post",
        kwargs=lambda w: {"pk": w["org_same_municipality"].pk},
    ),
    "publications:feed": Case(everyone_logged_in()),
    "publications:mark_read": Case(
        by_role(NO_CONTENT, NO_CONTENT, NOT_FOUND, NOT_FOUND),
        method="post",
        kwargs=lambda w: {"pk": w["publication_for_organizations"].pk},
    ),
    "publications:attachment_download": Case(
        by_role(OK, OK, NOT_FOUND, NOT_FOUND),
        kwargs=lambda w: {"pk": w["attachment_for_organizations"].pk},
    ),
    "publications:download_log": Case(by_role(OK, OK, OK, FORBIDDEN)),
    "publications:download_log_detail": Case(
        by_role(OK, OK, OK, FORBIDDEN),
        kwargs=lambda w: {"pk": w["publication_for_everyone"].pk},
    ),
    "datacollection:collection_list": Case(everyone_logged_in()),
    # Only the organization fills its own collections; nobody else has one to fill.
    "datacollection:collection_fill": Case(
        by_role(NOT_FOUND, NOT_FOUND, NOT_FOUND, FOUND),
        kwargs=lambda w: {"collection_pk": w["collection"].pk},
    ),
    # The report of `org` (region 47, m001): every scope containing it reads it.
    "datacollection:report_detail": Case(
        everyone_logged_in(), kwargs=lambda w: {"pk": w["report"].pk}
    ),
    # Writes: only the organization itself; coordinators in scope are refused.
    "datacollection:report_autosave": Case(
        {
            "anonymous": LOGIN,
            "operator": FORBIDDEN,
            "regional": FORBIDDEN,
            "municipal": FORBIDDEN,
            "organization": HTTPStatus.BAD_REQUEST,  # the empty walk payload is malformed
        },
        method="post",
        kwargs=lambda w: {"pk": w["report"].pk},
    ),
    "datacollection:report_row_add": Case(
        by_role(FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND),
        method="post",
        kwargs=lambda w: {"pk": w["report"].pk},
        data={"table": "results"},
    ),
    "datacollection:report_row_remove": Case(
        by_role(FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND),
        method="post",
        kwargs=lambda w: {"pk": w["report"].pk},
        data={"table": "results", "row": "missing"},
    ),
    "datacollection:report_submit": Case(
        {
            "anonymous": LOGIN,
            "operator": FORBIDDEN,
            "regional": FORBIDDEN,
            "municipal": FORBIDDEN,
            "organization": OK,  # an empty report: the page with the list of errors
        },
        method="post",
        kwargs=lambda w: {"pk": w["report"].pk},
    ),
    # «Скачать шаблон»: whoever reads the report; the upload is a write of the organization.
    # The receipt of the school edu470001 (region 47, m001): every scope containing it reads it.
    "datacollection:submission_receipt": Case(
        everyone_logged_in(), kwargs=lambda w: {"pk": w["submission"].pk}
    ),
    "datacollection:report_template": Case(
        everyone_logged_in(), kwargs=lambda w: {"pk": w["report"].pk}
    ),
    "datacollection:report_excel_import": Case(
        {
            "anonymous": LOGIN,
            "operator": FORBIDDEN,
            "regional": FORBIDDEN,
            "municipal": FORBIDDEN,
            "organization": FOUND,  # no file: back to the table with «Выберите файл»
        },
        method="post",
        kwargs=lambda w: {"pk": w["report"].pk},
    ),
    # Files of file cells: written by the organization, read by every scope containing it.
    "datacollection:report_file_upload": Case(
        {
            "anonymous": LOGIN,
            "operator": FORBIDDEN,
            "regional": FORBIDDEN,
            "municipal": FORBIDDEN,
            "organization": FOUND,  # no file chosen: back to the table with «Выберите файл.»
        },
        method="post",
        kwargs=lambda w: {"pk": w["report"].pk},
        data={"table": "protocol", "row": "grade4", "column": "scan"},
    ),
    "datacollection:report_file_remove": Case(
        by_role(FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND),
        method="post",
        kwargs=lambda w: {"pk": w["report"].pk},
        data={"table": "protocol", "row": "grade4", "column": "scan"},
    ),
    "datacollection:report_file_download": Case(
        everyone_logged_in(),
        kwargs=lambda w: {
            "pk": w["report"].pk,
            "table": "protocol",
            "row": "grade4",
            "column": "scan",
        },
    ),
    "forum:question_list": Case(everyone_logged_in()),
    "forum:faq": Case(everyone_logged_in()),
    "forum:similar": Case(everyone_logged_in()),
    "forum:queue": Case(by_role(OK, OK, FORBIDDEN, FORBIDDEN)),
    "forum:ask": Case(by_role(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    # A question of a school of another municipality (m002, region 47): its regional
    # coordinator and the operator see it; the municipal coordinator of m001 and the school
    # edu470001 get 404, as for a question that does not exist.
    "forum:question_detail": Case(
        by_role(OK, OK, NOT_FOUND, NOT_FOUND),
        kwargs=lambda w: {"pk": w["question_other_municipality"].pk},
    ),
    "forum:question_attachment": Case(
        by_role(OK, OK, NOT_FOUND, NOT_FOUND),
        kwargs=lambda w: {"pk": w["question_other_municipality"].pk},
    ),
    "forum:question_reply": Case(
        by_role(FOUND, FOUND, NOT_FOUND, NOT_FOUND),
        method="post",
        kwargs=lambda w: {"pk": w["question_other_municipality"].pk},
        data={"text": "Ответ"},
    ),
    "forum:question_close": Case(
        by_role(FOUND, FOUND, NOT_FOUND, NOT_FOUND),
        method="post",
        kwargs=lambda w: {"pk": w["question_other_municipality"].pk},
    ),
    # Moving, merging and the FAQ are the operator's: everyone else is refused before the
    # question is even looked up.
    "forum:question_move": Case(
        by_role(FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        method="post",
        kwargs=lambda w: {"pk": w["question_other_municipality"].pk},
        data={"category": "1"},
    ),
    "forum:question_merge": Case(
        by_role(FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        method="post",
        kwargs=lambda w: {"pk": w["question_other_municipality"].pk},
        data={"original": "999999"},
    ),
    "forum:question_faq": Case(
        by_role(FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN),
        method="post",
        kwargs=lambda w: {"pk": w["question_other_municipality"].pk},
        data={"published": "1"},
    ),
    "monitoring:overview": Case(by_role(OK, OK, OK, FORBIDDEN)),
    # Monitoring of the collection of `org` (region 47, m001): coordinators and the operator
    # watch it, organizations have nothing to monitor (403); municipal coordinators only
    # watch, so every action is 403 for them.
    "monitoring:collection_detail": Case(
        MONITORING_READ, kwargs=lambda w: {"pk": w["collection"].pk}
    ),
    # A region's drill-down of the national statistics: operators only.
    "monitoring:collection_region": Case(
        by_role(OK, NOT_FOUND, NOT_FOUND, FORBIDDEN),
        kwargs=lambda w: {"pk": w["collection"].pk, "region_pk": w["org"].region_id},
    ),
    "monitoring:participant_list": Case(
        MONITORING_READ, kwargs=lambda w: {"pk": w["collection"].pk}
    ),
    "monitoring:participant_data": Case(
        MONITORING_READ,
        kwargs=lambda w: {"pk": w["collection"].pk, "organization_pk": w["org"].pk},
    ),
    "monitoring:extension_grant": Case(
        MONITORING_ACT,
        kwargs=lambda w: {"pk": w["collection"].pk, "organization_pk": w["org"].pk},
    ),
    "monitoring:report_return": Case(
        MONITORING_ACT,
        kwargs=lambda w: {"pk": w["collection"].pk, "organization_pk": w["org"].pk},
    ),
    "monitoring:remind": Case(
        {**MONITORING_ACT, "operator": FOUND, "regional": FOUND},
        method="post",
        kwargs=lambda w: {"pk": w["collection"].pk},
        data={"target": "not_started"},
    ),
    "monitoring:export_start": Case(
        {**MONITORING_READ, "operator": FOUND, "regional": FOUND, "municipal": FOUND},
        method="post",
        kwargs=lambda w: {"pk": w["collection"].pk},
    ),
    # An export of the regional coordinator: only the requester and the operator see it; the
    # municipal coordinator, whose scope holds the same school, gets 404 all the same.
    "monitoring:export_detail": Case(
        MONITORING_EXPORT, kwargs=lambda w: {"pk": w["export_job"].pk}
    ),
    "monitoring:export_status": Case(
        MONITORING_EXPORT, kwargs=lambda w: {"pk": w["export_job"].pk}
    ),
    "monitoring:export_download": Case(
        MONITORING_EXPORT, kwargs=lambda w: {"pk": w["export_job"].pk}
    ),
    "notifications:list": Case(everyone_logged_in()),
    # A notice of the school edu470001: following it is for its recipient only; for everyone
    # else it does not exist.
    "notifications:open": Case(
        by_role(NOT_FOUND, NOT_FOUND, NOT_FOUND, FOUND),
        kwargs=lambda w: {"pk": w["notification"].pk},
    ),
    "notifications:mark_all_read": Case(everyone_logged_in(FOUND), method="post"),
    "notifications:preferences": Case(everyone_logged_in()),
    "monitoring:export_retry": Case(
        {**MONITORING_EXPORT, "operator": FOUND, "regional": FOUND},
        method="post",
        kwargs=lambda w: {"pk": w["export_job"].pk},
    ),
    # The study cycle of `org` (region 47, m001): its own pages are the school's alone (404 for
    # everyone else, coordinators included); the readiness grid is for monitors, reminding
    # for those who act (the municipal coordinator only watches: 403).
    "studies:school_study": Case(SCHOOL_ONLY, kwargs=lambda w: {"study_pk": w["study"].pk}),
    "studies:checklist_tick": Case(
        {**SCHOOL_ONLY, "organization": FOUND},
        method="post",
        kwargs=lambda w: {"study_pk": w["study"].pk, "item": "prep_documents"},
    ),
    "studies:checklist_file": Case(
        SCHOOL_ONLY, kwargs=lambda w: {"study_pk": w["study"].pk, "item": "prep_specialists"}
    ),
    "studies:participants": Case(SCHOOL_ONLY, kwargs=lambda w: {"study_pk": w["study"].pk}),
    "studies:codes_print": Case(SCHOOL_ONLY, kwargs=lambda w: {"study_pk": w["study"].pk}),
    "studies:rooms": Case(SCHOOL_ONLY, kwargs=lambda w: {"study_pk": w["study"].pk}),
    # The distribution's one save (the form of selects and the dragging): an empty change is
    # saved and sent back to the rooms page.
    "studies:rooms_assign": Case(
        {**SCHOOL_ONLY, "organization": FOUND},
        method="post",
        kwargs=lambda w: {"study_pk": w["study"].pk},
    ),
    "studies:room_list": Case(SCHOOL_ONLY, kwargs=lambda w: {"pk": w["room"].pk}),
    "studies:room_list_xlsx": Case(SCHOOL_ONLY, kwargs=lambda w: {"pk": w["room"].pk}),
    "studies:room_protocol": Case(SCHOOL_ONLY, kwargs=lambda w: {"pk": w["room"].pk}),
    "studies:room_protocol_scan": Case(SCHOOL_ONLY, kwargs=lambda w: {"pk": w["room"].pk}),
    "studies:grid": Case(GRID_READ, kwargs=lambda w: {"study_pk": w["study"].pk}),
    "studies:grid_xlsx": Case(GRID_READ, kwargs=lambda w: {"study_pk": w["study"].pk}),
    "studies:grid_remind": Case(
        {**GRID_READ, "operator": FOUND, "regional": FOUND, "municipal": FORBIDDEN},
        method="post",
        kwargs=lambda w: {"study_pk": w["study"].pk},
        data={"item": "prep_documents"},
    ),
    # «Анкеты»: a teacher questionnaire of the study that `org` (region 47, m001) takes part in.
    # The school's own pages are the organization's (coordinators 403; a school outside the
    # study gets 404: tests/test_surveys_school.py); completion and exports are the monitors'.
    "surveys:questionnaire_list": Case(everyone_logged_in()),
    "surveys:school_detail": Case(
        by_role(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK), kwargs=lambda w: {"pk": w["survey"].pk}
    ),
    "surveys:codes_issue": Case(
        by_role(FORBIDDEN, FORBIDDEN, FORBIDDEN, FOUND),
        method="post",
        kwargs=lambda w: {"pk": w["survey"].pk},
        data={"count": "1"},
    ),
    "surveys:codes_print": Case(
        by_role(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK), kwargs=lambda w: {"pk": w["survey"].pk}
    ),
    "surveys:summary": Case(everyone_logged_in(), kwargs=lambda w: {"pk": w["survey"].pk}),
    "surveys:completion": Case(MONITORING_READ, kwargs=lambda w: {"pk": w["survey"].pk}),
    "surveys:remind": Case(
        {**MONITORING_ACT, "operator": FOUND, "regional": FOUND},
        method="post",
        kwargs=lambda w: {"pk": w["survey"].pk},
        data={"below": "50"},
    ),
    # «Напомнить» from the readiness grid / «Список участников» (the questionnaire is a column of
    # its study; a foreign organization chosen: tests/test_surveys_coordination.py).
    "surveys:study_remind": Case(
        {**MONITORING_ACT, "operator": FOUND, "regional": FOUND},
        method="post",
        kwargs=lambda w: {"study_pk": w["survey"].study_id},
        data={"below": "50", "column": "survey-0"},
    ),
    "surveys:export_start": Case(
        {**MONITORING_READ, "operator": FOUND, "regional": FOUND, "municipal": FOUND},
        method="post",
        kwargs=lambda w: {"pk": w["survey"].pk},
    ),
    # An export of the regional coordinator: the requester and the operator only.
    "surveys:export_detail": Case(
        MONITORING_EXPORT, kwargs=lambda w: {"pk": w["survey_export"].pk}
    ),
    "surveys:export_retry": Case(
        {**MONITORING_EXPORT, "operator": FOUND, "regional": FOUND},
        method="post",
        kwargs=lambda w: {"pk": w["survey_export"].pk},
    ),
    "surveys:export_download": Case(
        MONITORING_EXPORT, kwargs=lambda w: {"pk": w["survey_export"].pk}
    ),
    # Public pages of respondents: no account needed; without a code in the session a screen
    # sends to the code page and autosave is refused (a code of another questionnaire: 404,
    # tests/test_surveys_respondent.py).
    "surveys:enter": Case(everyone_logged_in(anonymous=OK)),
    "surveys:done": Case(everyone_logged_in(anonymous=OK)),
    "surveys:leave": Case(everyone_logged_in(anonymous=OK), method="post"),
    "surveys:section": Case(
        everyone_logged_in(FOUND, anonymous=FOUND),
        kwargs=lambda w: {"questionnaire_pk": w["survey"].pk, "number": 1},
    ),
    "surveys:autosave": Case(
        everyone_logged_in(FORBIDDEN, anonymous=FORBIDDEN),
        method="post",
        kwargs=lambda w: {"questionnaire_pk": w["survey"].pk, "number": 1},
    ),
    # Statistical reports of `org` (region 47, m001), published. The school sees its own report;
    # areas are for coordinators in scope; the national report for operators. The other side
    # (another school, another region) is `RESULTS_OTHER_SIDE` below.
    "results:index": Case(everyone_logged_in()),
    "results:national": Case(RESULTS_NATIONAL, kwargs=lambda w: {"pk": w["results"].pk}),
    "results:national_xlsx": Case(RESULTS_NATIONAL, kwargs=lambda w: {"pk": w["results"].pk}),
    "results:region": Case(RESULTS_REGION, kwargs=lambda w: results_kwargs(w, region_pk="region")),
    "results:region_xlsx": Case(
        RESULTS_REGION, kwargs=lambda w: results_kwargs(w, region_pk="region")
    ),
    "results:municipality": Case(
        MONITORING_READ, kwargs=lambda w: results_kwargs(w, municipality_pk="municipality")
    ),
    "results:municipality_xlsx": Case(
        MONITORING_READ, kwargs=lambda w: results_kwargs(w, municipality_pk="municipality")
    ),
    "results:organization": Case(
        everyone_logged_in(), kwargs=lambda w: results_kwargs(w, organization_pk="org")
    ),
    "results:organization_xlsx": Case(
        everyone_logged_in(), kwargs=lambda w: results_kwargs(w, organization_pk="org")
    ),
}

# Another school of the same study and municipality, and the coordinator of another region
# (`other_school`, `other_regional` of the world), on the statistical reports.
RESULTS_OTHER_SIDE = {
    "results:organization": {"other_school": NOT_FOUND, "other_regional": NOT_FOUND},
    "results:organization_xlsx": {"other_school": NOT_FOUND, "other_regional": NOT_FOUND},
    "results:municipality": {"other_school": FORBIDDEN, "other_regional": NOT_FOUND},
    "results:municipality_xlsx": {"other_school": FORBIDDEN, "other_regional": NOT_FOUND},
    "results:region": {"other_school": FORBIDDEN, "other_regional": NOT_FOUND},
    "results:region_xlsx": {"other_school": FORBIDDEN, "other_regional": NOT_FOUND},
    "results:national": {"other_school": FORBIDDEN, "other_regional": FORBIDDEN},
    "results:national_xlsx": {"other_school": FORBIDDEN, "other_regional": FORBIDDEN},
}


def results_kwargs(world, **subjects):
    """{"pk": the published report, "<kind>_pk": the pk of org, its municipality or region}."""
    org = world["org"]
    objects = {"org": org, "municipality": org.municipality, "region": org.region}
    return {"pk": world["results"].pk, **{k: objects[v].pk for k, v in subjects.items()}}


def iter_url_patterns(resolver=None, namespace=""):
    """(namespaced name, pattern) of every URL pattern at any depth of includes; an unnamed
    pattern has only its namespace ("forum:", or "" at the root)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from iter_url_patterns(entry, prefix)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", entry


def iter_url_names():
    for name, entry in iter_url_patterns():
        if name and not name.endswith(":"):
            yield name, entry


def application_url_names():
    return sorted({name for name, _ in iter_url_names() if not name.startswith("admin:")})


def unnamed_patterns(resolver=None) -> list[str]:
    """Unnamed patterns anywhere (an app's urls.py included) cannot be reversed, so they could
    ship unchecked. The admin's own unnamed redirects are covered by the admin rule below."""
    return [
        f"{name}{entry.pattern}"
        for name, entry in iter_url_patterns(resolver)
        if (not name or name.endswith(":")) and not name.startswith("admin:")
    ]


def build_world(
    users_by_role,
    org,
    org_same_municipality,
    org_other_municipality,
    org_other_region,
    other_org_user,
):
    """The objects every URL of CASES points at, for the users of tests/conftest.py."""
    data = {
        "org": org,
        "org_same_municipality": org_same_municipality,
        "org_other_municipality": org_other_municipality,
        "org_other_region": org_other_region,
        "other_org_user": other_org_user,
        "users": users_by_role,
    }
    # Apps add objects for their own URLs through the hooks below.
    for hook in WORLD_HOOKS:
        data.update(hook(data))
    return data


WORLD_HOOKS: list = []


def _datacollection_world(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from datacollection.services import cell_file_upload
    from tests.factories import ReportFactory, make_collection, make_form

    collection = make_collection(organizations=[world["org"]], form=make_form(scan=True))
    report = ReportFactory(collection=collection, organization=world["org"])
    protocol = collection.form.tables.get(key="protocol")
    cell_file_upload(
        report=report,
        user=world["users"]["organization"],
        table=protocol,
        row="grade4",
        column=protocol.columns.get(key="scan"),
        upload=SimpleUploadedFile("Протокол.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    from datacollection.models import Submission

    submission = Submission.objects.create(
        report=report, submitted_by=world["users"]["organization"], data={"tables": []}
    )
    return {"collection": collection, "report": report, "submission": submission}


WORLD_HOOKS.append(_datacollection_world)


def publications_world(world):
    from tests.factories import PublicationFactory, add_attachment

    # Addressed to one school of another municipality: its regional coordinator and the
    # operator see it, the municipal coordinator and the school of m001 do not.
    for_organizations = PublicationFactory(
        audience=Publication.Audience.ORGANIZATIONS,
        organizations=[world["org_other_municipality"]],
    )
    for_everyone = PublicationFactory()
    add_attachment(for_everyone)
    return {
        "publication_for_organizations": for_organizations,
        "attachment_for_organizations": add_attachment(for_organizations),
        "publication_for_everyone": for_everyone,
    }


WORLD_HOOKS.append(publications_world)


def forum_world(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import PNG_BYTES, ask

    screenshot = SimpleUploadedFile("экран.png", PNG_BYTES, content_type="image/png")
    return {
        "question_other_municipality": ask(
            organization=world["org_other_municipality"], attachment=screenshot
        )
    }


WORLD_HOOKS.append(forum_world)


def monitoring_world(world):
    from django.core.files.base import ContentFile

    from monitoring.models import ExportJob

    job = ExportJob.objects.create(
        requester=world["users"]["regional"],
        collection=world["collection"],
        scope_description="Ленинградская область",
        status=ExportJob.Status.DONE,
    )
    job.file.save("walk.xlsx", ContentFile(b"PK walk"))
    return {"export_job": job}


WORLD_HOOKS.append(monitoring_world)


def studies_world(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from studies import services
    from tests.factories import give_class, give_room

    school = world["users"]["organization"]
    study = world["collection"].study
    give_class(school, study, pupils=3)
    room = give_room(school, study)
    services.distribute_codes(user=school, study=study, organization=school.organization)
    services.save_room_protocol(
        user=school,
        room=room,
        held_on=date(2026, 4, 15),
        started_at=time(10, 0),
        ended_at=time(10, 45),
        present_code_ids=list(room.codes.values_list("pk", flat=True)),
        observer_present=True,
        scan=SimpleUploadedFile("Протокол 101.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    services.tick_item(
        user=school,
        study=study,
        organization=school.organization,
        item_key="prep_specialists",
        scan=SimpleUploadedFile("Приказ.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    return {"study": study, "room": room}


WORLD_HOOKS.append(studies_world)


def surveys_world(world):
    from django.core.files.base import ContentFile

    from surveys.models import SurveyExport
    from tests.factories import make_questionnaire

    # Another collection of the same study as `collection`, so `org` takes part.
    survey = make_questionnaire(organizations=[world["org"]])
    job = SurveyExport.objects.create(
        requester=world["users"]["regional"],
        questionnaire=survey,
        status=SurveyExport.Status.DONE,
    )
    job.file.save("walk.xlsx", ContentFile(b"PK walk"))
    return {"survey": survey, "survey_export": job}


WORLD_HOOKS.append(surveys_world)


def notifications_world(world):
    from notifications.models import Kind, Notification

    notice = Notification.objects.create(
        recipient=world["users"]["organization"],
        organization=world["org"],
        kind=Kind.PUBLICATION,
        text="Новая публикация",
        link="/publications/",
        event_key="walk",
    )
    return {"notification": notice}


WORLD_HOOKS.append(notifications_world)


def results_world(world):
    """A published report on `collection`, which the school of the same municipality takes part
    in too: its user is «another school» of the same study, the sharpest other side."""
    from results.services import results_build
    from tests.factories import (
        OrganizationUserFactory,
        RegionalCoordinatorFactory,
        make_definition,
        result_row,
        submit_results,
    )

    collection = world["collection"]
    collection.organizations.add(world["org_same_municipality"])
    definition = make_definition(collection, grade=4, expected_on=None)
    submit_results(collection, world["org"], [result_row(4, 2, 1, "X")])
    submit_results(collection, world["org_same_municipality"], [result_row(4, 1, 1, 1)])
    results_build(collection_id=collection.pk)
    definition.refresh_from_db()
    return {
        "results": definition,
        "other_school": OrganizationUserFactory(organization=world["org_same_municipality"]),
        "other_regional": RegionalCoordinatorFactory(region=world["org_other_region"].region),
    }


WORLD_HOOKS.append(results_world)


def admin_url(entry, name):
    kwargs = {}
    for key in entry.pattern.converters:
        kwargs[key] = "accounts" if key == "app_label" else "1"
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a regex pattern without converters (app_list)
        return reverse(name, kwargs={"app_label": "accounts"})


ADMIN_OPEN = {"admin:login", "admin:logout", "admin:jsi18n", "admin:view_on_site"}
