"""«Выгрузка ответов» beats while it writes, as monitoring's export does (`core.jobs`): a job
whose worker was killed is seen as interrupted a minute later, says so in Russian and is
started again with «Повторить экспорт»; a run taken for dead and retried stops without a file;
two clicks make one job. The clock is a controlled one handed to the service: nothing sleeps."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.jobs import INTERRUPTED_MESSAGE, STALLED_MESSAGE
from surveys import services
from surveys.models import SurveyExport
from surveys.services import coordination
from tests.factories import make_questionnaire, run_in_threads, send_response


class Killed(BaseException):
    """SIGKILL mid-export: nothing after it runs, not even the failure handler."""


class Clock:
    """Moves on by `step` each time it is read (every beat reads it); `on_read[n]` runs at the
    n-th read: a kill, or a retry pressed meanwhile."""

    def __init__(self, start, step=timedelta(0), on_read=None):
        self.now, self.step, self.reads, self.on_read = start, step, 0, on_read or {}

    def __call__(self):
        self.reads += 1
        if self.reads in self.on_read:
            self.on_read[self.reads]()
        self.now += self.step
        return self.now


@pytest.fixture
def questionnaire(org, org_same_municipality):
    questionnaire = make_questionnaire(organizations=[org, org_same_municipality])
    for _ in range(3):
        send_response(questionnaire, org)
    return questionnaire


@pytest.fixture
def queued(regional, questionnaire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        return services.export_start(questionnaire=questionnaire, actor=regional)


def kill():
    raise Killed


@pytest.fixture
def retry_meanwhile(regional, queued, django_capture_on_commit_callbacks):
    """The job is taken for dead (its beat an hour old) and «Повторить» is pressed."""

    def retry():
        SurveyExport.objects.filter(pk=queued.pk).update(
            heartbeat_at=timezone.now() - timedelta(hours=1)
        )
        with django_capture_on_commit_callbacks(execute=False):
            services.export_retry(job=queued, actor=regional)

    return retry


def test_a_killed_export_says_it_was_interrupted_and_is_started_again(
    as_user, regional, questionnaire, django_capture_on_commit_callbacks
):
    client = as_user(regional)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("surveys:export_start", args=[questionnaire.pk]))
    job = SurveyExport.objects.get()
    # The worker takes the job, writes a row on the clock of 61 s ago and is killed at the
    # second (reads: the claim, row 1, row 2).
    killed_at = timezone.now() - SurveyExport.DEAD_AFTER - timedelta(seconds=1)
    with pytest.raises(Killed):
        services.export_run(export_id=job.pk, clock=Clock(killed_at, on_read={3: kill}))
    job.refresh_from_db()
    assert (job.status, job.heartbeat_at, bool(job.file)) == (
        SurveyExport.Status.RUNNING,
        killed_at,
        False,
    )

    page = client.get(reverse("surveys:export_detail", args=[job.pk])).content.decode()
    assert INTERRUPTED_MESSAGE in page and "Выгрузка прервана" in page
    assert "Повторить экспорт" in page
    assert "Статус: <strong>Прервана</strong>" in page and "Выполняется" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:export_retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempt, job.rows) == (SurveyExport.Status.DONE, 2, 3)
    assert job.file
    page = client.get(reverse("surveys:export_detail", args=[job.pk])).content.decode()
    assert "Загрузить отчет" in page and "Повторить экспорт" not in page


def test_a_beating_export_is_alive_and_a_silent_one_is_interrupted_after_a_minute(queued):
    beat_at = timezone.now() - timedelta(hours=1)
    SurveyExport.objects.filter(pk=queued.pk).update(
        status=SurveyExport.Status.RUNNING, heartbeat_at=beat_at
    )
    queued.refresh_from_db()
    just_alive = beat_at + SurveyExport.DEAD_AFTER - timedelta(seconds=1)
    dead = beat_at + SurveyExport.DEAD_AFTER + timedelta(seconds=1)
    assert not queued.is_stalled(at=just_alive)
    assert queued.is_interrupted(at=dead) and queued.is_stalled(at=dead)


def test_a_queued_export_nobody_takes_is_offered_again_after_a_quarter_of_an_hour(
    as_user, regional, queued
):
    client = as_user(regional)
    page = client.get(reverse("surveys:export_detail", args=[queued.pk])).content.decode()
    assert "Файл готовится в фоне" in page and "Повторить экспорт" not in page
    SurveyExport.objects.filter(pk=queued.pk).update(
        updated_at=timezone.now() - SurveyExport.QUEUED_STALLED_AFTER - timedelta(seconds=1)
    )
    page = client.get(reverse("surveys:export_detail", args=[queued.pk])).content.decode()
    assert STALLED_MESSAGE in page and "Повторить экспорт" in page
    assert "Статус: <strong>Не начата</strong>" in page


def test_a_failed_export_says_so_and_offers_a_retry(
    as_user, regional, queued, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise ValueError("диск недоступен")

    monkeypatch.setattr("surveys.xlsx.answers_workbook", broken)
    services.export_run(export_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == SurveyExport.Status.FAILED
    assert queued.error == "ValueError: диск недоступен" and queued.finished_at
    page = as_user(regional).get(reverse("surveys:export_detail", args=[queued.pk]))
    assert "Выгрузка не удалась" in page.content.decode()
    assert "Повторить экспорт" in page.content.decode()


def test_a_run_taken_for_dead_and_retried_stops_and_leaves_no_file(
    queued, retry_meanwhile, settings
):
    """The old worker was only frozen (a long pause): once it wakes after the retry, its next
    beat matches nothing and it stops; the retried run is the only writer."""

    # Every row beats (the clock moves a whole interval a read); the retry comes at row 2.
    clock = Clock(timezone.now(), step=SurveyExport.HEARTBEAT_EVERY, on_read={3: retry_meanwhile})
    services.export_run(export_id=queued.pk, clock=clock)
    queued.refresh_from_db()
    assert (queued.status, queued.attempt) == (SurveyExport.Status.QUEUED, 2)
    assert not queued.file
    assert not list((settings.MEDIA_ROOT / "survey-exports").glob("**/*.xlsx"))

    services.export_run(export_id=queued.pk)  # the retried run's task
    queued.refresh_from_db()
    assert (queued.status, queued.rows) == (SurveyExport.Status.DONE, 3)


def test_a_run_superseded_at_its_last_step_removes_its_file(queued, retry_meanwhile, settings):
    # Reads: the claim, 3 rows, the beat after the workbook, then the «done» write.
    clock = Clock(timezone.now(), step=SurveyExport.HEARTBEAT_EVERY, on_read={6: retry_meanwhile})
    services.export_run(export_id=queued.pk, clock=clock)
    queued.refresh_from_db()
    assert (queued.status, queued.attempt, bool(queued.file)) == (
        SurveyExport.Status.QUEUED,
        2,
        False,
    )
    assert not list((settings.MEDIA_ROOT / "survey-exports").glob("**/*.xlsx"))


def test_a_second_click_while_an_export_runs_gives_the_same_job(
    regional, queued, questionnaire, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = services.export_start(questionnaire=questionnaire, actor=regional)
    assert again.pk == queued.pk and SurveyExport.objects.count() == 1 and not callbacks
    # Once it is dead, «Выгрузить ответы» starts a new one.
    SurveyExport.objects.filter(pk=queued.pk).update(
        status=SurveyExport.Status.RUNNING,
        heartbeat_at=timezone.now() - SurveyExport.DEAD_AFTER - timedelta(seconds=1),
    )
    with django_capture_on_commit_callbacks(execute=False):
        fresh = services.export_start(questionnaire=questionnaire, actor=regional)
    assert fresh.pk != queued.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_two_clicks_at_once_queue_one_export(regional, questionnaire, monkeypatch):
    monkeypatch.setattr(coordination, "_enqueue_export", lambda job: None)  # it stays queued
    jobs = []

    def click():
        jobs.append(services.export_start(questionnaire=questionnaire, actor=regional).pk)

    run_in_threads(click, click, click)
    assert SurveyExport.objects.count() == 1 and len(set(jobs)) == 1
