"""Locust scenario for `bench/load.py` (which prepares the accounts and runs it; see docs/load.md).

Schools: each virtual school logs in with its own login, opens the cabinet, opens the form of
the «Сведения об ОО» collection (the fill link redirects to its own report) and autosaves edits
of its own cells with think time, following the versions the server answers. Every autosave
answered 200 «saved» is recorded (report, cell, value, version) so that load.py can check
afterwards that the database holds every acknowledged edit.

Coordinators (regional): log in, open the collection's statistics, the participant list and
the study's readiness grid.

The accounts come from LOAD_ACCOUNTS (JSON written by load.py); acknowledged edits go to
LOAD_ACKS (JSON lines). Loopback only: load.py passes --host http://127.0.0.1:<port>.
"""

import itertools
import json
import os
import re
import threading
import time

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_ACCOUNTS"], encoding="utf-8") as accounts_file:
    ACCOUNTS = json.load(accounts_file)
ACKS_PATH = os.environ["LOAD_ACKS"]
SAMPLES_PATH = os.environ["LOAD_SAMPLES"]
_schools = iter(ACCOUNTS["schools"])
_coordinators = itertools.cycle(ACCOUNTS["coordinators"])
_lock = threading.Lock()
_acks: list[dict] = []
# Every request (name, ms, failed, started at) and the moment the last user finished logging
# in: load.py reports the steady state after it beside locust's own whole-run figures.
_samples: list[tuple] = []
_ready = {"users": 0, "at": None}


@events.request.add_listener
def _sample(name, response_time, exception=None, start_time=None, **_):
    _samples.append((name, response_time, exception is not None, start_time or time.time()))


def _user_ready(user) -> None:
    with _lock:
        _ready["users"] += 1
        if _ready["users"] >= user.environment.parsed_options.num_users:
            _ready["at"] = time.time()


# The integer cells of «Сведения об ОО» a school types into (table, row, column).
CELLS = [
    ("classes", "grade4", "classes"),
    ("classes", "grade4", "listed"),
    ("classes", "grade8", "classes"),
    ("classes", "grade8", "listed"),
]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.test_stop.add_listener
def _write_acks(**_):
    with _lock, open(ACKS_PATH, "a", encoding="utf-8") as out:
        for ack in _acks:
            out.write(json.dumps(ack) + "\n")
        _acks.clear()
    with open(SAMPLES_PATH, "w", encoding="utf-8") as out:
        json.dump({"steady_from": _ready["at"], "stopped": time.time(), "samples": _samples}, out)


class Portal(HttpUser):
    abstract = True

    def login(self, username: str) -> bool:
        page = self.client.get("/accounts/login/", name="вход (форма)")
        match = TOKEN.search(page.text)
        if not match:
            return False
        with self.client.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": match.group(1),
                "username": username,
                "password": ACCOUNTS["password"],
            },
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False,
            name="вход",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"вход не удался: HTTP {response.status_code}")
                return False
        return True


class School(Portal):
    weight = 4
    wait_time = between(2, 5)  # a person types a number and moves to the next cell

    def on_start(self):
        with _lock:
            self.account = next(_schools, None)
        if self.account is None:
            raise RuntimeError("мало учетных записей школ для этого числа пользователей")
        self.versions = dict.fromkeys(CELLS, 0)
        self.step = 0
        self.report_url = None
        if self.login(self.account["login"]):
            self.client.get("/", name="кабинет")
            self.open_form()
        _user_ready(self)

    def open_form(self):
        response = self.client.get(
            f"/collections/{ACCOUNTS['collection']}/fill/",
            name="форма (переход)",
            allow_redirects=False,
        )
        location = response.headers.get("Location", "")
        if response.status_code == 302 and "/reports/" in location:
            self.report_url = location.split("://", 1)[-1].split("/", 1)[-1]
            self.report_url = "/" + self.report_url.lstrip("/")
            self.client.get(self.report_url, name="форма")

    @task(6)
    def autosave(self):
        if not self.report_url:
            return
        self.step += 1
        cell = CELLS[self.step % len(CELLS)]
        value = str(10 + (self.step * 7 + self.account["number"]) % 990)
        table, row, column = cell
        body = {
            "cells": [
                {
                    "table": table,
                    "row": row,
                    "column": column,
                    "value": value,
                    "version": self.versions[cell],
                }
            ]
        }
        headers = {
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": self.host + self.report_url,
        }
        with self.client.post(
            self.report_url + "cells/",
            json=body,
            headers=headers,
            name="автосохранение",
            catch_response=True,
        ) as response:
            try:
                result = response.json()["results"][0]
            except (ValueError, KeyError, IndexError):
                response.failure(f"HTTP {response.status_code}")
                return
            self.versions[cell] = result.get("version", self.versions[cell])
            if response.status_code == 200 and result.get("status") == "saved":
                with _lock:
                    _acks.append(
                        {
                            "report": self.report_url,
                            "table": table,
                            "row": row,
                            "column": column,
                            "value": value,
                            "version": result["version"],
                        }
                    )
            else:
                response.failure(f"HTTP {response.status_code}: {result.get('status')}")

    @task(1)
    def reopen(self):
        self.client.get("/", name="кабинет")
        if self.report_url:
            self.client.get(self.report_url, name="форма")


class Coordinator(Portal):
    weight = 1
    wait_time = between(3, 8)  # reads a page before the next one

    def on_start(self):
        with _lock:
            self.account = next(_coordinators)
        self.login(self.account["login"])
        _user_ready(self)

    @task(3)
    def statistics(self):
        self.client.get(f"/monitoring/collections/{ACCOUNTS['collection']}/", name="статистика")

    @task(2)
    def participants(self):
        self.client.get(
            f"/monitoring/collections/{ACCOUNTS['collection']}/participants/",
            name="список участников",
        )

    @task(2)
    def readiness(self):
        self.client.get(f"/studies/{ACCOUNTS['study']}/readiness/", name="готовность ОО")
