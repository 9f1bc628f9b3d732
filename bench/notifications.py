"""The deadline-near fan-out at national scale: one scheduler pass that reminds every
organization of a collection closing within a day, then the e-mail queue drained.

    .venv/bin/python bench/notifications.py [--organizations 45000] [--no-tracemalloc]

Builds a temporary SQLite database (or uses DATABASE_URL=postgres://…/fisoko_bench_notif, a
database of its own): `seed_scale` (organizations with one user each), an e-mail address per
organization, one collection with every organization closing in 20 hours, 10 % of them already
submitted (no reminder for them). Prints time and peak Python memory (tracemalloc) of:
- the baseline: `bulk_create` of the same number of bare notification rows (the least any fan-out
  must write), measured in the same run;
- the pass (`deadlines_near`): notices and e-mail rows for every organization not submitted;
- a second pass at once (nothing new: what every minute of the scheduler loop costs);
- draining the e-mail queue (the dummy mail backend: building and recording each message).
The ratio pass / baseline is the figure to watch.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TRACE = True


def measure(label, function):
    if TRACE:
        tracemalloc.start()
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    peak = ""
    if TRACE:
        peak = f"   peak {tracemalloc.get_traced_memory()[1] / 2**20:8.1f} MiB"
        tracemalloc.stop()
    print(f"{label:<52} {elapsed:8.2f} s{peak}")
    return result, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=45_000)
    parser.add_argument("--no-tracemalloc", action="store_true")
    options = parser.parse_args()
    global TRACE
    TRACE = not options.no_tracemalloc
    workdir = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fisoko.settings.test"  # DEBUG off: no query log
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    # The queue is drained below, on its own clock, instead of inside the pass.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    try:
        run(options)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


def build(options):
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Value
    from django.db.models.functions import Concat
    from django.utils import timezone

    from accounts.models import Organization
    from datacollection.demo import build_forms
    from datacollection.models import Collection, Report, Study

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_scale", organizations=options.organizations, stdout=quiet)
    with transaction.atomic():
        Organization.objects.update(email=Concat("login", Value("@example.ru")))
        form = build_forms()["results"]
        study = Study.objects.create(code="bench_notif", title="НИКО (замер)", year=2026)
        now = timezone.now()
        collection = Collection.objects.create(
            form=form,
            study=study,
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(hours=20),
        )
        ids = list(Organization.objects.values_list("pk", flat=True))
        through = Collection.organizations.through
        through.objects.bulk_create(
            (through(collection_id=collection.pk, organization_id=pk) for pk in ids),
            batch_size=5000,
        )
        Report.objects.bulk_create(
            (
                Report(
                    collection=collection,
                    organization_id=pk,
                    status=Report.Status.SUBMITTED,
                    submitted_at=now,
                )
                for pk in ids[::10]
            ),
            batch_size=5000,
        )
    return collection, len(ids)


def run(options):
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import User
    from datacollection.notification_sources import deadlines_near
    from notifications.models import EmailDelivery, Kind, Notification
    from notifications.services import send_queued_emails

    started = time.perf_counter()
    _, organizations = build(options)
    print(
        f"{connection.vendor}: {organizations} организаций, данные за "
        f"{time.perf_counter() - started:.1f} s; загрузка: {os.getloadavg()[0]:.2f}"
    )
    user_ids = list(User.objects.filter(organization__isnull=False).values_list("pk", flat=True))

    def baseline():
        with transaction.atomic():
            Notification.objects.bulk_create(
                (
                    Notification(
                        recipient_id=pk, kind=Kind.DEADLINE_NEAR, text="x", event_key="baseline"
                    )
                    for pk in user_ids[: len(user_ids) * 9 // 10]
                ),
                batch_size=2000,
            )
            transaction.set_rollback(True)

    _, base = measure("база: bulk_create тех же уведомлений", baseline)
    now = timezone.now()
    created, elapsed = measure("проход планировщика (скоро срок)", lambda: deadlines_near(now=now))
    deliveries = EmailDelivery.objects.count()
    print(
        f"  уведомлений {created}, писем в очереди {deliveries}; "
        f"отношение к базе {elapsed / base:.1f}"
    )
    again, _ = measure("второй проход сразу (ничего нового)", lambda: deadlines_near(now=now))
    sent, _ = measure("отправка очереди писем (dummy backend)", send_queued_emails)
    print(f"  второй проход создал {again}; отправлено {sent}")
    assert again == 0 and sent == deliveries
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"пик памяти процесса (ru_maxrss) {rss:.0f} MiB")


if __name__ == "__main__":
    main()
