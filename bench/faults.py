"""Fault scripts (issue 16, docs/faults.md): what a school and a coordinator see when a part of
the portal fails, and whether anything acknowledged is lost.

    .venv/bin/python bench/faults.py worker|postgres|export|media|all

Same scratch database and server as bench/load.py (LOAD_DATABASE_URL, default fisoko_ops with
the scale data set; gunicorn 2 workers × 4 threads, DEBUG=false, 127.0.0.1 only).

* worker   — schools autosave; one gunicorn worker is killed with SIGKILL.
* postgres — schools autosave; the machine's PostgreSQL is restarted
             (`pg_ctlcluster --skip-systemctl-redirect 15 main restart`), started again at the
             end whatever happens.
* export   — an operator's «Экспорт результатов» runs in `db_worker`, which is killed (SIGKILL)
             mid-export; then what the job says, how long until its stale heartbeat marks it
             «Выгрузка прервана», and «Повторить» at once.
* media    — the media directory made unwritable (the server runs as `nobody` here, since root
             ignores file modes) during a protocol scan upload.

Each autosaving school follows the table editor: an edit not answered 200 is sent again (after
0.5 s) until it is; every 200 «saved» is an acknowledged edit, checked against the Cell table at
the end. Recovery time: from the fault to the first acknowledged edit after the last failure.
Every wait is bounded; everything stops by itself.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import itertools

import portal

PG_CTL = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main"]


# ------------------------------------------------------------------ autosaving schools


class Autosavers:
    """`count` schools, each its own login and report, autosaving until stopped."""

    def __init__(self, port: int, accounts: dict, count: int = 6, think: float = 0.2):
        self.port, self.accounts, self.think = port, accounts, think
        self.stopping = threading.Event()
        self.events: list[tuple[float, str]] = []  # (time, "ok" | "503" | "HTTP n" | error)
        self.acks: list[dict] = []
        self.lock = threading.Lock()
        self.clients = []
        for school in accounts["schools"][:count]:
            session = portal.Session(port, timeout=15)
            session.login(school["login"], accounts["password"])
            _status, headers, _ = session.request(
                "GET", f"/collections/{accounts['collection']}/fill/"
            )
            report_url = "/" + headers["Location"].split("://", 1)[-1].split("/", 1)[-1]
            if not report_url.startswith("/collections/reports/"):
                report_url = headers["Location"]
            self.clients.append((session, report_url, school["number"]))
        self.threads = [threading.Thread(target=self._run, args=c) for c in self.clients]

    def _record(self, kind: str, ack: dict | None = None):
        with self.lock:
            self.events.append((time.monotonic(), kind))
            if ack:
                self.acks.append(ack)

    def _run(self, session, report_url, number):
        versions = dict.fromkeys(portal.SCHOOL_CELLS, 0)
        step = 0
        while not self.stopping.is_set():
            step += 1
            cell = portal.SCHOOL_CELLS[step % len(portal.SCHOOL_CELLS)]
            value = str(100 + (step * 13 + number) % 900)
            while not self.stopping.is_set():  # the same edit until it is acknowledged
                try:
                    status, data = session.autosave(report_url, cell, value, versions[cell])
                except Exception as error:  # connection reset, refused, timeout
                    self._record(type(error).__name__)
                    time.sleep(0.5)
                    continue
                result = {}
                if status in (200, 409):
                    result = json.loads(data)["results"][0]
                    versions[cell] = result.get("version", versions[cell])
                if status == 200 and result.get("status") == "saved":
                    table, row, column = cell
                    self._record(
                        "ok",
                        {
                            "report": report_url,
                            "table": table,
                            "row": row,
                            "column": column,
                            "value": value,
                            "version": result["version"],
                        },
                    )
                    break
                self._record(f"HTTP {status}")
                if status != 409:
                    time.sleep(0.5)
            time.sleep(self.think)

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def summary(self, fault_at: float) -> dict:
        before = [kind for at, kind in self.events if at < fault_at]
        after = [(at, kind) for at, kind in self.events if at >= fault_at]
        failures = [(at, kind) for at, kind in after if kind != "ok"]
        kinds: dict[str, int] = {}
        for _, kind in failures:
            kinds[kind] = kinds.get(kind, 0) + 1
        recovered = None
        if failures:
            last = failures[-1][0]
            recovered = next((at for at, kind in after if kind == "ok" and at > last), None)
        oks = [at for at, kind in self.events if kind == "ok"]
        gaps = [b - a for a, b in itertools.pairwise(oks) if b >= fault_at]
        return {
            "acknowledged": len(self.acks),
            "acknowledged_before_fault": before.count("ok"),
            "failures_after_fault": kinds,
            "recovery_s": None if not failures else (recovered and round(recovered - fault_at, 2)),
            "longest_gap_without_ack_s": round(max(gaps), 2) if gaps else None,
        }


def check(acks) -> dict:
    from django.db import connection

    connection.close()  # a fresh connection: the server may have been restarted
    total, cells, missing = portal.check_acknowledged(acks)
    return {
        "acknowledged_checked": total,
        "cells": cells,
        "lost": len(missing),
        "lost_examples": missing[:5],
    }


# ------------------------------------------------------------------ the scenarios


def scenario_worker(env, port, server) -> dict:
    savers = Autosavers(port, portal.school_accounts(6))
    savers.start()
    time.sleep(4)
    workers = _children(server.pid)
    fault_at = time.monotonic()
    os.kill(workers[0], signal.SIGKILL)
    replaced = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = _children(server.pid)
        if len(now) == len(workers) and workers[0] not in now:
            replaced = round(time.monotonic() - fault_at, 2)
            break
        time.sleep(0.05)
    time.sleep(8)
    savers.stop()
    return {
        "killed_worker": workers[0],
        "new_worker_after_s": replaced,
        **savers.summary(fault_at),
        **check(savers.acks),
    }


def scenario_postgres(env, port, server) -> dict:
    savers = Autosavers(port, portal.school_accounts(6))
    savers.start()
    time.sleep(4)
    fault_at = time.monotonic()
    try:
        done = subprocess.run([*PG_CTL, "restart"], capture_output=True, text=True, timeout=120)
        restart_s = round(time.monotonic() - fault_at, 2)
        # What a person sees meanwhile: a page is answered 503 with the Russian message while
        # the database is away; probe it once during a second, short stop below.
        time.sleep(10)
    finally:
        savers.stop()
        _postgres_running()
    page = _page_during_outage(port)
    return {
        "restart_command_rc": done.returncode,
        "restart_took_s": restart_s,
        **savers.summary(fault_at),
        **check(savers.acks),
        "page_during_outage": page,
    }


def _page_during_outage(port) -> dict:
    """Stop PostgreSQL for ~3 s and ask for the login page and an autosave meanwhile."""
    from django.db import connection

    connection.close()  # ours was cut by the restart
    session = portal.Session(port, timeout=20)
    accounts = portal.school_accounts(1, skip=50)
    session.login(accounts["schools"][0]["login"], accounts["password"])
    _, headers, _ = session.request("GET", f"/collections/{accounts['collection']}/fill/")
    report_url = "/" + headers["Location"].split("://", 1)[-1].split("/", 1)[-1]
    try:
        subprocess.run([*PG_CTL, "stop", "-m", "fast"], capture_output=True, timeout=60)
        status, _, body = session.request("GET", "/")
        text = body.decode("utf-8", "replace")
        message = re.search(r"Сервис временно недоступен[^<]*", text)
        json_status, json_body = session.autosave(report_url, portal.SCHOOL_CELLS[0], "1", 0)
    finally:
        _postgres_running()
    return {
        "cabinet_status": status,
        "cabinet_message": message and message.group(0),
        "autosave_status": json_status,
        "autosave_body": json_body.decode("utf-8", "replace")[:200],
    }


def scenario_export(env, port, server) -> dict:
    from monitoring.models import ExportJob

    collection = _collection("niko_oo_info")
    session = portal.Session(port, timeout=60)
    session.login("operator_scale", portal.scale_password())
    status, headers, _ = session.request(
        "POST",
        f"/monitoring/collections/{collection.pk}/export/",
        urlencode({"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    job_id = int(re.search(r"/exports/(\d+)/", headers["Location"]).group(1))
    worker = _db_worker(env)
    started = time.monotonic()
    job = None
    while time.monotonic() - started < 300:
        job = ExportJob.objects.get(pk=job_id)
        if (job.status != ExportJob.Status.QUEUED and job.progress_done > 0) or job.is_finished:
            break
        time.sleep(0.2)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    killed_at = time.monotonic()
    job.refresh_from_db()
    result = {
        "killed_at_progress": f"{job.progress_done} из {job.progress_total}",
        "status_after_kill": job.status,
        "message_after_kill": job.message,
    }
    # A new worker comes up (as systemd restarts it): does it leave the job alone or finish it?
    worker = _db_worker(env)
    time.sleep(8)
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(timeout=30)
    job.refresh_from_db()
    result["status_after_new_worker"] = job.status
    _, _, body = session.request("GET", f"/monitoring/exports/{job_id}/status/")
    result["status_json"] = json.loads(body)
    # The page polls the status until the job is finished or interrupted: how long after the
    # kill does it say «Выгрузка прервана» (its heartbeat older than ExportJob.DEAD_AFTER)?
    while time.monotonic() - killed_at < ExportJob.DEAD_AFTER.total_seconds() + 30:
        _, _, body = session.request("GET", f"/monitoring/exports/{job_id}/status/")
        status_json = json.loads(body)
        if status_json["finished"]:
            break
        time.sleep(1)
    result["seconds_from_kill_to_interrupted"] = round(time.monotonic() - killed_at, 1)
    result["message_when_interrupted"] = status_json["messages"][-1]
    job.refresh_from_db()
    result["can_retry_when_interrupted"] = job.can_retry
    _, _, page = session.request("GET", f"/monitoring/exports/{job_id}/")
    page_text = page.decode("utf-8", "replace")
    result["page_offers_retry"] = f"/exports/{job_id}/retry/" in page_text
    status, _, _ = session.request(
        "POST",
        f"/monitoring/exports/{job_id}/retry/",
        urlencode({"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    result["retry_status"] = status
    retried = time.monotonic()
    subprocess.run(
        [portal.PYTHON, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=portal.ROOT,
        env=env,
        timeout=600,
        capture_output=True,
    )
    job.refresh_from_db()
    result["status_after_retry"] = job.status
    result["retry_export_s"] = round(time.monotonic() - retried, 1)
    session.connection.close()  # idle past gunicorn's keep-alive while the worker ran
    status, headers, _ = session.request("GET", f"/monitoring/exports/{job_id}/download/")
    result["download_status"] = status
    return result


def scenario_media(env, port, server, work: Path) -> dict:
    """The server runs as nobody; MEDIA_ROOT belongs to nobody and loses its write bit."""
    from datacollection.models import Cell, CellFile

    media = Path(env["MEDIA_ROOT"])
    collection = _collection("niko_protocol")
    accounts = portal.school_accounts(1, skip=60)
    accounts["collection"] = collection.pk
    session = portal.Session(port, timeout=30)
    session.login(accounts["schools"][0]["login"], accounts["password"])
    _, headers, _ = session.request("GET", f"/collections/{collection.pk}/fill/")
    report_url = "/" + headers["Location"].split("://", 1)[-1].split("/", 1)[-1]
    report_id = int(re.search(r"/reports/(\d+)/", report_url).group(1))
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    def upload(row):
        boundary = "----faults"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in (("table", "attendance"), ("row", row), ("column", "scan"))
        ]
        body = (
            "".join(parts).encode()
            + (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="protocol.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + pdf
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, _, data = session.request(
            "POST",
            f"{report_url}files/upload/",
            body,
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Accept": "application/json",
            },
        )
        return status, json.loads(data) if data.startswith(b"{") else data[:200].decode()

    def files_on_disk():
        return sorted(str(p) for p in media.rglob("*") if p.is_file())

    def state():
        return (
            Cell.objects.filter(report_id=report_id, column_key="scan").count(),
            CellFile.objects.filter(report_id=report_id).count(),
            len(files_on_disk()),
        )

    result = {"first_upload": upload("grade4")[0], "before": state()}
    subprocess.run(["chmod", "-R", "a-w", str(media)], check=True)
    try:
        status, body = upload("grade8")
        result.update(refused_status=status, refused_answer=body, after_refusal=state())
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(media)], check=True)
    result["after_restore_upload"] = upload("grade8")[0]
    result["final"] = state()
    return result


# ------------------------------------------------------------------ helpers


def _collection(code: str):
    from datetime import timedelta

    from django.utils import timezone

    from datacollection.models import Collection

    collection = Collection.objects.get(study__code="niko2026", form__code=code)
    now = timezone.now()
    if not collection.opens_at <= now <= collection.closes_at:  # scratch database: open it
        collection.opens_at, collection.closes_at = now - timedelta(days=1), now + timedelta(days=7)
        collection.save(update_fields=["opens_at", "closes_at"])
    return collection


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def _db_worker(env):
    return subprocess.Popen(
        [portal.PYTHON, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.5"],
        cwd=portal.ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _postgres_running() -> None:
    """PostgreSQL accepting connections again, whatever happened (bounded: 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], timeout=10)
        if ready.returncode == 0:
            return
        subprocess.run([*PG_CTL, "start"], capture_output=True, timeout=60)
        time.sleep(1)
    raise SystemExit("PostgreSQL не запустился за 60 с")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fault", choices=["worker", "postgres", "export", "media", "all"])
    args = parser.parse_args()
    faults = ["worker", "postgres", "export", "media"] if args.fault == "all" else [args.fault]
    work = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    work.chmod(0o755)
    env = portal.server_env(work)
    portal.django_setup(env)
    portal.ensure_data(env, 10_000)
    portal.collectstatic(env)
    print(f"Машина: {os.cpu_count()} ядра, {subprocess.getoutput('uptime')}", flush=True)
    results = {}
    try:
        for fault in faults:
            from django.db import connection

            connection.close()
            port = portal.free_port()
            media = Path(env["MEDIA_ROOT"])
            media.mkdir(exist_ok=True)
            server_env = env
            if fault == "media":
                shutil.chown(media, "nobody", "nogroup")
                # As nobody the Redis client does not import here (a module under root's
                # paths): one worker with its own memory cache, which holds the session too.
                server_env = {**env, "HOME": str(work), "CACHE_URL": "locmemcache://"}
            server = portal.start_gunicorn(
                server_env,
                port,
                workers=1 if fault == "media" else 2,
                as_user="nobody" if fault == "media" else None,
            )
            try:
                if fault == "media":
                    results[fault] = scenario_media(env, port, server, work)
                else:
                    results[fault] = globals()[f"scenario_{fault}"](env, port, server)
            finally:
                portal.stop(server)
                _postgres_running()
            print(
                f"{fault}: {json.dumps(results[fault], ensure_ascii=False, indent=1)}", flush=True
            )
    finally:
        _postgres_running()
        subprocess.run(["chmod", "-R", "u+w", str(work)], check=False)
        shutil.rmtree(work, ignore_errors=True)
    lost = sum(r.get("lost", 0) for r in results.values())
    print(f"Итого потеряно подтвержденных правок: {lost}; {subprocess.getoutput('uptime')}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
