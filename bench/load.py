"""Load figures (issue 16, docs/load.md): one command runs it all.

    .venv/bin/python bench/load.py [--organizations 10000] [--users 16 32 64] [--seconds 60]

1. The scratch database (LOAD_DATABASE_URL, default postgres://…/fisoko_ops) is migrated and
   filled with `seed_scale --organizations N` when it has fewer organizations.
2. collectstatic, then gunicorn on 127.0.0.1 (2 workers × 4 threads, gthread) with the local
   settings and DEBUG=false, Redis as the cache.
3. Locust (its own virtualenv .venv-locust, pinned in bench/requirements-load.txt, not a
   dependency of the portal) runs bench/locustfile.py headless for each user count, pinned to
   one core with taskset when there is more than one; each run its own fresh schools.
4. Prints per user count and endpoint: requests, requests/s, p50/p95/p99 (ms), failures; then
   checks that every autosave acknowledged with 200 is in the Cell table.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import portal

LOCUST_VENV = portal.ROOT / ".venv-locust"
REQUIREMENTS = portal.ROOT / "bench" / "requirements-load.txt"


def locust_binary() -> str:
    binary = LOCUST_VENV / "bin" / "locust"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run(
            [str(LOCUST_VENV / "bin" / "pip"), "install", "-q", "-r", str(REQUIREMENTS)], check=True
        )
    return str(binary)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run_locust(users: int, seconds: int, port: int, accounts: Path, acks: Path, prefix: Path):
    command = [
        locust_binary(),
        "-f",
        str(portal.ROOT / "bench" / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(max(1, users // 4)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        command = ["taskset", "-c", str((os.cpu_count() or 1) - 1), *command]
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": str(accounts),
        "LOAD_ACKS": str(acks),
        "LOAD_SAMPLES": f"{prefix}_samples.json",
    }
    done = subprocess.run(command, env=env, timeout=seconds + 120, capture_output=True, text=True)
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust: {done.stderr[-3000:]}")


def report(prefix: Path, users: int, seconds: int, load: str) -> list[str]:
    lines = [
        f"\n### {users} пользователей, {seconds} с\n",
        f"Нагрузка машины: `{load}`\n",
        "Весь прогон (locust, вместе со входом):\n",
        "| Адрес | Запросов | Запросов/с | p50, мс | p95, мс | p99, мс | Ошибок |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            name = "**всего**" if row["Name"] == "Aggregated" else row["Name"]
            lines.append(
                f"| {name} | {row['Request Count']} | {float(row['Requests/s']):.1f} | "
                f"{row['50%']} | {row['95%']} | {row['99%']} | {row['Failure Count']} |"
            )
    lines += steady_state(prefix)
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failures:
        for row in csv.DictReader(failures):
            lines.append(f"\nОшибка: {row['Name']} — {row['Error']} ×{row['Occurrences']}")
    return lines


def _percentile(ordered: list[float], share: float) -> int:
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))])


def steady_state(prefix: Path) -> list[str]:
    """The same table for the requests started after every user had logged in."""
    with open(f"{prefix}_samples.json", encoding="utf-8") as source:
        data = json.load(source)
    if not data["steady_from"]:
        return ["\nУстановившийся режим: не наступил (не все пользователи успели войти)."]
    window = data["stopped"] - data["steady_from"]
    by_name: dict[str, list] = {}
    for name, ms, failed, started in data["samples"]:
        if started >= data["steady_from"]:
            by_name.setdefault(name, []).append((ms, failed))
            by_name.setdefault("**всего**", []).append((ms, failed))
    lines = [
        f"\nУстановившийся режим (после входа всех пользователей, {window:.0f} с):\n",
        "| Адрес | Запросов | Запросов/с | p50, мс | p95, мс | p99, мс | Ошибок |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in sorted(by_name, key=lambda n: (n == "**всего**", n)):
        ordered = sorted(ms for ms, _ in by_name[name])
        failed = sum(f for _, f in by_name[name])
        lines.append(
            f"| {name} | {len(ordered)} | {len(ordered) / window:.1f} | "
            f"{_percentile(ordered, 0.5)} | {_percentile(ordered, 0.95)} | "
            f"{_percentile(ordered, 0.99)} | {failed} |"
        )
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--users", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    seconds = max(10, min(args.seconds, 300))
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = portal.server_env(work)
    portal.django_setup(env)
    portal.ensure_data(env, args.organizations)
    portal.collectstatic(env)
    from accounts.models import Organization
    from datacollection.models import Cell

    print(f"Данные: организаций {Organization.objects.count():,}, ячеек {Cell.objects.count():,}")
    acks = work / "acks.jsonl"
    port = portal.free_port()
    server = portal.start_gunicorn(env, port)
    out = [
        f"Машина: {os.cpu_count()} ядра, {uptime()}",
        f"Организаций в базе: {Organization.objects.count():,}",
    ]
    try:
        skip = 0
        for users in args.users:
            accounts = portal.school_accounts(users, skip=skip)
            skip += users
            path = work / f"accounts-{users}.json"
            path.write_text(json.dumps(accounts), encoding="utf-8")
            load = uptime()
            run_locust(users, seconds, port, path, acks, work / f"u{users}")
            out += report(work / f"u{users}", users, seconds, load)
            print(f"{users} пользователей: готово", flush=True)
    finally:
        portal.stop(server)
    records = [json.loads(line) for line in acks.read_text().splitlines()] if acks.exists() else []
    total, cells, missing = portal.check_acknowledged(records)
    out.append(
        f"\nПодтвержденных автосохранений (200): {total}; ячеек: {cells}; "
        f"нет в базе: {len(missing)}"
    )
    out += missing[:20]
    print("\n".join(out))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
