"""The federal operator's admin at national scale: every changelist of the admin site, and the
add page and the change page of one object of every model (the largest of those whose page
grows with their children — the collection with the most participants, the table with the most
columns… — the first of the others: an organization, a report, a study…), each whole against
the bare login-protected view in the same process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_admin \\
        .venv/bin/python bench/admin.py [--organizations 45000] [--repeat 7] [--only collection]

The same machinery as `bench/monitoring.py` (`bench.pages`): the database is migrated and
filled by `seed_scale` when it holds fewer organizations than asked; each page is requested
through Django's test client once to warm up, then `--repeat` times right after the bare view;
medians in ms, their ratio, the SQL queries of one request, «> 15×» beside the pages over the
goal of issue 11. Pages come from the admin site's registry, so a model registered tomorrow is
measured without touching this file.

The operator is `operator_scale`, a superuser like every federal operator (`seed_demo`'s
`admin`, `createsuperuser`, tests' `OperatorFactory`): the admin lets operators in by
`accounts.permissions.may_administer` and the models' pages by Django's permissions, which a
superuser has. Databases seeded before `seed_scale` made it one are brought up to date here.
The demo's questionnaires with codes and answers are added once (`bench.readiness.questionnaires`,
as `bench/monitoring.py` does), so the pages of questionnaires, sections and codes have objects.
"""

import argparse
import shutil
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import run, setup, uptime
from bench.readiness import questionnaires

# The object measured of these models is the one with the most of what its page shows for
# each: participants (45,000 at national scale), a form's tables, a table's columns (the
# results' 14), a questionnaire's sections, a section's questions.
LARGEST_BY = {
    "datacollection.collection": "organizations",
    "datacollection.form": "tables",
    "datacollection.formtable": "columns",
    "surveys.questionnaire": "sections",
    "surveys.section": "questions",
}


def sample(model):
    """The object whose change page is measured: the largest (`LARGEST_BY`), the first object
    of any other model."""
    from django.db.models import Count

    children = LARGEST_BY.get(model._meta.label_lower)
    if children:
        return (
            model._default_manager.annotate(children=Count(children))
            .order_by("-children", "pk")
            .first()
        )
    return model._default_manager.order_by("pk").first()


def plan(only: str) -> list[tuple[str, str]]:
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    pages = []
    names = Counter(model._meta.model_name for model in admin.site._registry)
    for model, model_admin in sorted(
        admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower
    ):
        opts = model._meta
        if only and only != opts.model_name:
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        # The model's name, with its app where two apps have one (forum's and surveys' question).
        label = opts.model_name if names[opts.model_name] == 1 else opts.label_lower
        try:
            pages.append((f"{label}: список", reverse(f"{name}_changelist")))
        except NoReverseMatch:  # registered on the default site after the URLs were built
            continue
        if model_admin.has_add_permission(_Superuser()):
            pages.append((f"{label}: добавление", reverse(f"{name}_add")))
        obj = sample(model)
        if obj is not None:
            pages.append((f"{label}: {str(obj)[:30]}", reverse(f"{name}_change", args=[obj.pk])))
    return pages


class _Superuser:
    """Enough of a request for `has_add_permission` (a superuser may add what the admin
    lets anybody add)."""

    class user:
        is_active = is_staff = is_superuser = True

        @staticmethod
        def has_perm(*args):
            return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=45_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--only", default="", help="one model only, by its name (collection, participantcode…)"
    )
    options = parser.parse_args()
    print(f"load before: {uptime()}")
    workdir = setup(options.organizations)
    try:
        from django.db import connection

        from accounts.models import Organization, User
        from datacollection.models import Collection, Study
        from monitoring.scale import OPERATOR_LOGIN

        User.objects.filter(username=OPERATOR_LOGIN, is_superuser=False).update(is_superuser=True)
        # The questionnaires' pages (a questionnaire, its sections and questions, access codes)
        # need objects to measure: the demo's three, as `bench/readiness.py` seeds them.
        questionnaires(Study.objects.get(code="niko2026"))
        operator = User.objects.get(username=OPERATOR_LOGIN)
        print(f"База: {connection.vendor} ({connection.settings_dict['NAME']})")
        biggest = sample(Collection)
        print(f"ОО: {Organization.objects.count()}, участников в сборе «{biggest}»: "
              f"{biggest.organizations.count()}; повторов: {options.repeat} (медиана)")  # fmt: skip
        over = run({"оператор": plan(options.only)}, {"оператор": operator}, options.repeat)
        print(f"выше 15× простой страницы: {', '.join(over) if over else 'нет'}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
