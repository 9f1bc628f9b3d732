"""The country's geography and accounts: 89 regions of 20 municipalities, the organizations
spread over them, and a login for every organization (COPY on PostgreSQL). Existing rows are
kept: only what is missing is added."""

from accounts.models import Municipality, Organization, Region, User

from . import bulk

REGION_COUNT = 89
MUNICIPALITIES_PER_REGION = 20


def regions_and_municipalities() -> tuple[list[Region], dict[int, list[Municipality]]]:
    codes = [f"{n:02d}" for n in range(1, REGION_COUNT + 1)]
    existing = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    Region.objects.bulk_create(
        Region(code=code, name=f"Регион {code}") for code in codes if code not in existing
    )
    regions = list(Region.objects.filter(code__in=codes).order_by("code"))
    wanted = {
        f"reg{region.code}_m{n:03d}": region
        for region in regions
        for n in range(1, MUNICIPALITIES_PER_REGION + 1)
    }
    existing = set(Municipality.objects.values_list("code", flat=True))
    Municipality.objects.bulk_create(
        (
            Municipality(code=code, region=region, name=f"Муниципалитет {code[-3:]}")
            for code, region in wanted.items()
            if code not in existing
        ),
        batch_size=bulk.BATCH_SIZE,
    )
    by_region: dict[int, list[Municipality]] = {}
    for municipality in Municipality.objects.filter(code__in=wanted).order_by("code"):
        by_region.setdefault(municipality.region_id, []).append(municipality)
    return regions, by_region


def organizations(regions, municipalities, total: int) -> int:
    """Organizations up to `total`, spread evenly over the regions; returns how many were added."""
    missing = total - Organization.objects.count()
    created = []
    if missing > 0:
        taken = set(Organization.objects.values_list("login", flat=True))
        per_region = -(-missing // len(regions))
        for region in regions:
            number, made = 0, 0
            region_municipalities = municipalities[region.pk]
            while made < per_region and len(created) < missing and number < 9999:
                number += 1
                login = f"edu{region.code}{number:04d}"
                if login in taken:
                    continue
                created.append(
                    Organization(
                        login=login,
                        name=f"Образовательная организация № {number} ({region.name})",
                        kind=Organization.Kind.COLLEGE if number % 9 == 0 else "school",
                        region=region,
                        municipality=region_municipalities[number % len(region_municipalities)],
                    )
                )
                made += 1
        bulk.write_models(Organization, created)
    return len(created)


def organization_logins(password: str) -> int:
    """A login for every organization without one (named as the organization)."""
    return new_users(
        User(
            username=login,
            password=password,
            role=User.Role.ORGANIZATION,
            region_id=region_id,
            municipality_id=municipality_id,
            organization_id=pk,
        )
        for pk, login, region_id, municipality_id in Organization.objects.filter(
            users__isnull=True
        ).values_list("pk", "login", "region_id", "municipality_id")
    )


def new_users(users) -> int:
    """Users whose login is not taken yet (COPY on PostgreSQL); returns how many."""
    users = list(users)
    taken = set(User.objects.values_list("username", flat=True))
    return bulk.write_models(User, [u for u in users if u.username not in taken])
