"""A running «Экспорт результатов» beats while it writes: a job whose worker was killed is seen
as interrupted a minute later (not after 15), says so in Russian and can be started again at
once; a run that was taken for dead and retried stops, so one job never has two writers.
The clock is a controlled one handed to the service: nothing here sleeps."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from monitoring import presenters, services
from monitoring.models import ExportJob
from tests.factories import make_collection, run_in_threads


class Clock:
    """Moves on by `step` each time it is read, as the worker's time would between rows."""

    def __init__(self, start, step=timedelta(seconds=0)):
        self.now, self.step = start, step

    def __call__(self):
        self.now += self.step
        return self.now


class Killed(BaseException):
    """SIGKILL mid-export: nothing after it runs, not even the failure handler."""


@pytest.fixture
def collection(org, org_same_municipality, org_other_municipality):
    return make_collection(organizations=[org, org_same_municipality, org_other_municipality])


@pytest.fixture
def running_job(regional, collection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.export_start(collection=collection, requester=regional)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    job.refresh_from_db()
    return job


def killed_after(rows, monkeypatch):
    real = services.selectors.export_records

    def records(*args, **kwargs):
        for number, record in enumerate(real(*args, **kwargs), 1):
            if number > rows:
                raise Killed
            yield record

    monkeypatch.setattr(services.selectors, "export_records", records)


def test_the_heartbeat_writes_every_few_seconds_not_every_row(running_job):
    start = timezone.now()
    clock = Clock(start)
    heartbeat = services.Heartbeat(running_job, clock=clock)
    heartbeat.beat()
    running_job.refresh_from_db()
    assert running_job.heartbeat_at == start

    clock.step = ExportJob.HEARTBEAT_EVERY / 2
    heartbeat.beat()  # half the interval on: no write
    running_job.refresh_from_db()
    assert running_job.heartbeat_at == start
    heartbeat.beat()  # the whole interval: written
    running_job.refresh_from_db()
    assert running_job.heartbeat_at == start + ExportJob.HEARTBEAT_EVERY
    # Progress is written at once, with the time.
    heartbeat.beat(progress_done=2)
    running_job.refresh_from_db()
    assert running_job.progress_done == 2
    assert running_job.heartbeat_at == start + ExportJob.HEARTBEAT_EVERY * 1.5


def test_a_beating_job_is_alive_and_a_silent_one_is_interrupted_after_a_minute(running_job):
    beat_at = timezone.now() - timedelta(hours=1)
    services.Heartbeat(running_job, clock=lambda: beat_at).beat()
    running_job.refresh_from_db()
    just_alive = beat_at + ExportJob.DEAD_AFTER - timedelta(seconds=1)
    dead = beat_at + ExportJob.DEAD_AFTER + timedelta(seconds=1)
    assert not running_job.is_interrupted(at=just_alive)
    assert not running_job.is_stalled(at=just_alive)
    assert running_job.is_interrupted(at=dead) and running_job.is_stalled(at=dead)
    # A queued job has no heartbeat: it waits for a worker for a quarter of an hour.
    ExportJob.objects.filter(pk=running_job.pk).update(
        status=ExportJob.Status.QUEUED, updated_at=beat_at
    )
    running_job.refresh_from_db()
    assert not running_job.is_stalled(at=dead)
    queued_too_long = beat_at + ExportJob.QUEUED_STALLED_AFTER + timedelta(seconds=1)
    assert running_job.is_stalled(at=queued_too_long)


def test_a_killed_export_says_it_was_interrupted_and_is_started_again_at_once(
    as_user, regional, collection, monkeypatch, django_capture_on_commit_callbacks
):
    client = as_user(regional)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("monitoring:export_start", args=[collection.pk]))
    job = ExportJob.objects.get()
    # The worker writes two organizations, beating on the clock of 61 s ago, and is killed.
    killed_at = timezone.now() - ExportJob.DEAD_AFTER - timedelta(seconds=1)
    killed_after(2, monkeypatch)
    with pytest.raises(Killed):
        services.export_run(job_id=job.pk, chunk_size=1, clock=Clock(killed_at))
    monkeypatch.undo()
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.heartbeat_at) == (
        ExportJob.Status.RUNNING,
        2,
        killed_at,
    )

    status = client.get(reverse("monitoring:export_status", args=[job.pk])).json()
    assert status["finished"] is True  # the polling page reloads
    assert status["messages"][-1] == presenters.INTERRUPTED_MESSAGE
    page = client.get(reverse("monitoring:export_detail", args=[job.pk])).content.decode()
    assert "Выгрузка прервана" in page and "Повторить экспорт" in page
    # «Экспорт» again is a new job, not the dead one; «Повторить» restarts the dead one.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitoring:export_retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempt, job.progress_done) == (ExportJob.Status.DONE, 2, 3)
    assert job.file


def test_a_run_taken_for_dead_and_retried_stops_and_leaves_no_file(
    regional, running_job, monkeypatch, django_capture_on_commit_callbacks, settings
):
    """The old worker was only frozen (a long pause): once it wakes after the retry, its next
    beat matches nothing and it stops; the retried run is the only writer."""
    ExportJob.objects.filter(pk=running_job.pk).update(status=ExportJob.Status.QUEUED)
    real = services.selectors.export_records

    def records_with_a_retry_meanwhile(*args, **kwargs):
        for number, record in enumerate(real(*args, **kwargs), 1):
            if number == 2:
                # Meanwhile the job was taken for dead and the user pressed «Повторить».
                ExportJob.objects.filter(pk=running_job.pk).update(
                    heartbeat_at=timezone.now() - timedelta(hours=1)
                )
                with django_capture_on_commit_callbacks(execute=False):
                    services.export_retry(job=running_job, actor=regional)
            yield record

    monkeypatch.setattr(services.selectors, "export_records", records_with_a_retry_meanwhile)
    clock = Clock(timezone.now(), step=ExportJob.HEARTBEAT_EVERY)  # every row beats
    services.export_run(job_id=running_job.pk, chunk_size=100, clock=clock)
    running_job.refresh_from_db()
    assert (running_job.status, running_job.attempt) == (ExportJob.Status.QUEUED, 2)
    assert not running_job.file and not list((settings.MEDIA_ROOT / "exports").glob("**/*.xlsx"))

    monkeypatch.undo()
    services.export_run(job_id=running_job.pk)  # the retried run's task
    running_job.refresh_from_db()
    assert running_job.status == ExportJob.Status.DONE and running_job.progress_done == 3


def test_a_second_click_while_an_export_runs_gives_the_same_job(regional, running_job, collection):
    again = services.export_start(collection=collection, requester=regional)
    assert again.pk == running_job.pk and ExportJob.objects.count() == 1
    # Once it is dead, «Экспорт» starts a new one.
    ExportJob.objects.filter(pk=running_job.pk).update(
        heartbeat_at=timezone.now() - ExportJob.DEAD_AFTER - timedelta(seconds=1)
    )
    fresh = services.export_start(collection=collection, requester=regional)
    assert fresh.pk != running_job.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_two_clicks_at_once_queue_one_export(regional, collection, monkeypatch):
    monkeypatch.setattr(services, "_enqueue_export", lambda job: None)  # it stays queued
    jobs = []

    def click():
        jobs.append(services.export_start(collection=collection, requester=regional).pk)

    run_in_threads(click, click, click)
    assert ExportJob.objects.count() == 1 and len(set(jobs)) == 1
