"""Questionnaire answer saving against the form autosave, on one real server, in one run.

    .venv/bin/python bench/surveys.py [--requests 300] [--clients 4] [--workers 2]

Prepares the database as `bench/autosave.py` does (a temporary SQLite, or DATABASE_URL: use a
scratch database), adds a teacher questionnaire of the bench study (the demo definition,
imported through the service) and one access code per client. Then, with keep-alive
connections on one gunicorn:

  * form autosave: POST …/cells/ with one changed cell (the baseline, as in bench/autosave.py);
  * survey autosave: POST /surveys/answer/<id>/1/autosave/ with the first screen's fields,
    one changed, each client a respondent with its own code (in the session).

Prints requests per second of both and the ratio, then the SQL statements one survey autosave
costs. Loops are bounded; only loopback is used.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import autosave as form_bench  # noqa: E402  (bench/autosave.py: the baseline, same helpers)


def prepare_survey(clients: int) -> tuple[int, list[str]]:
    """The questionnaire and one code per client (after `form_bench.prepare_database`)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Organization, User
    from datacollection.models import Study
    from surveys import demo, services
    from surveys.models import AccessCode, Questionnaire, Respondent

    study = Study.objects.get(code="bench")
    operator = User.objects.filter(username="bench-operator").first() or User.objects.create(
        username="bench-operator", role=User.Role.OPERATOR, is_staff=True
    )
    questionnaire = Questionnaire.objects.filter(code="bench_teacher").first()
    if questionnaire is None:
        questionnaire = services.questionnaire_import(
            definition=demo._definition(demo.DEFINITIONS[Respondent.TEACHER]),
            study=study,
            code="bench_teacher",
            title="",
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=7),
            actor=operator,
        )
    organization = Organization.objects.get(login=form_bench.LOGIN)
    codes = [
        AccessCode.objects.create(questionnaire=questionnaire, organization=organization).code
        for _ in range(clients)
    ]
    return questionnaire.pk, codes


def enter(session: form_bench.Session, code: str) -> str:
    status, page = session.request("GET", "/surveys/answer/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = urlencode({"csrfmiddlewaretoken": token, "code": code})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"}
    status, _ = session.request("POST", "/surveys/answer/", body, headers)
    if status != 302:
        raise SystemExit(f"code refused: HTTP {status}")
    status, page = session.request("GET", session.screen)
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


def survey_client(session, requests: int, out: list):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"}
    errors = 0
    for step in range(requests):
        body = urlencode(
            {
                "csrfmiddlewaretoken": session.token,
                "q_years": str(step % 60),  # always a change
                "q_category": "Высшая",
                "q_training": "Да",
                "q_training_topic": "Смысловое чтение",
            }
        )
        status, data = session.request("POST", session.autosave, body, headers)
        errors += status != 200 or b'"errors": {}' not in data
    out.append(errors)


def sql_per_survey_autosave(questionnaire_pk: int, code: str) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.post(reverse("surveys:enter"), {"code": code})
    url = reverse("surveys:autosave", args=[questionnaire_pk, 1])
    client.post(url, {"q_years": "1", "q_category": "Высшая"})  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"q_years": "2", "q_category": "Высшая"})
    assert response.status_code == 200, response.content
    return [query["sql"] for query in queries.captured_queries]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per client")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    requests = max(1, min(args.requests, 5000))
    clients = max(1, min(args.clients, 32))

    tmp = tempfile.TemporaryDirectory(prefix="bench-surveys-")
    env = {
        "DJANGO_SETTINGS_MODULE": "fisoko.settings.test",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "AXES_FAILURE_LIMIT": "1000",
        "MEDIA_ROOT": str(Path(tmp.name) / "media"),
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}",
    }
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    _report_pk, form_path = form_bench.prepare_database(env)
    questionnaire_pk, codes = prepare_survey(clients + 1)
    port = form_bench.free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "fisoko.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            "--worker-class=gthread",
            "--threads=4",
            "--keep-alive=30",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        form_sessions = [form_bench.Session(port) for _ in range(clients)]
        for session in form_sessions:
            session.login()
        survey_sessions = [form_bench.Session(port) for _ in range(clients)]
        for session, code in zip(survey_sessions, codes, strict=False):
            session.screen = f"/surveys/answer/{questionnaire_pk}/1/"
            session.autosave = f"/surveys/answer/{questionnaire_pk}/1/autosave/"
            session.token = enter(session, code)
        measure = form_bench.measure
        measure(form_sessions, form_bench.autosave_client, lambda i, s: (s, form_path, i, 5))
        measure(survey_sessions, survey_client, lambda i, s: (s, 5))
        total = requests * clients
        form_time, form_errors = measure(
            form_sessions, form_bench.autosave_client, lambda i, s: (s, form_path, i, requests)
        )
        survey_time, survey_errors = measure(
            survey_sessions, survey_client, lambda i, s: (s, requests)
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
    statements = sql_per_survey_autosave(questionnaire_pk, codes[-1])
    tmp.cleanup()

    form_rate, survey_rate = total / form_time, total / survey_time
    print(
        f"Сервер: gunicorn, {args.workers} процесса × 4 потока, {database}; "
        f"клиентов: {clients}, запросов на клиента: {requests}"
    )
    print(f"Автосохранение формы (одна ячейка, одна ОО): {form_rate:8.1f} запросов/с"
          f"  ({total} за {form_time:.2f} с, ошибок: {form_errors})")  # fmt: skip
    print(f"Автосохранение анкеты (экран, свой код):     {survey_rate:8.1f} запросов/с"
          f"  ({total} за {survey_time:.2f} с, ошибок: {survey_errors})")  # fmt: skip
    print(f"Отношение анкета / форма: {survey_rate / form_rate:.2f}")
    print(f"SQL-запросов на одно автосохранение анкеты: {len(statements)}")
    for number, sql in enumerate(statements, 1):
        print(f"  {number:2}. {sql[:110]}")


if __name__ == "__main__":
    main()
