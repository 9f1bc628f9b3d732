"""The code's shape, checked: where role rules live, which way apps depend, how long modules
grow. A newcomer who breaks one of these learns it here rather than in review."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(
    path.parent.name
    for path in ROOT.glob("*/apps.py")
    if path.parent.name not in {"fisoko"} and not path.parent.name.startswith(".")
)


def app_modules():
    for app in [*APPS, "fisoko"]:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & {*APPS, "fisoko"}


ROLE_ATTRIBUTE = re.compile(
    r"\.(is_operator|is_coordinator|is_regional_coordinator|is_municipal_coordinator|"
    r"is_organization)\b|\.role\s*==|\bis_staff\b"
)
# Where roles may be named: the model that defines them, the one module of role rules, the
# scoping module that turns a role into a set of organizations, and the admin-gate constraint.
ROLE_HOMES = {"accounts/models.py", "accounts/permissions.py", "accounts/scoping.py"}


def test_role_rules_are_asked_only_through_accounts_permissions():
    offenders = []
    for path in app_modules():
        relative = path.relative_to(ROOT).as_posix()
        if relative in ROLE_HOMES or "/management/commands/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_ATTRIBUTE.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(
                r"user\.(is_operator|is_coordinator|is_regional|is_municipal|"
                r"is_organization|is_staff|role)",
                line,
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, "Ask accounts.permissions (perms_niko in templates):\n" + "\n".join(
        offenders
    )


# A predicate's refusal written out by hand: `if not permissions.may_x(…): raise PermissionDenied`
# (or Http404), and the per-app `_require_x(user)` wrappers around it.
HAND_REFUSAL = re.compile(
    r"if not \(?\s*permissions\.\w+\(.*\)?:\s*\n\s*raise (PermissionDenied|Http404)\b"
    r"|^def _require\w*\(user\b",
    re.M,
)


def test_refusals_go_through_permissions_require():
    """One way to turn a predicate into a 403 or a 404: `permissions.require(…)`."""
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0).splitlines()[0]}"
        for path in app_modules()
        if path.relative_to(ROOT).as_posix() != "accounts/permissions.py"
        for match in HAND_REFUSAL.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "Use accounts.permissions.require:\n" + "\n".join(offenders)


# app → the apps it must never import (the dependency direction of docs/architecture.md)
FORBIDDEN_IMPORTS = {
    "core": set(APPS) - {"core"},
    "accounts": set(APPS) - {"core", "accounts"},
    # Low in the graph: other apps call `notify`; their timed events reach the scheduler through
    # their own `notification_sources` modules, autodiscovered.
    "notifications": set(APPS) - {"core", "accounts", "notifications"},
    # The sections of the cabinet: nothing of the study cycle, questionnaires, results or
    # monitoring above them (datacollection offers extension points instead).
    "publications": {"studies", "surveys", "results", "monitoring"},
    "datacollection": {"studies", "surveys", "results", "monitoring", "publications", "forum"},
    "forum": {"studies", "surveys", "results", "monitoring"},
    "studies": {"surveys", "results", "monitoring"},
}


@pytest.mark.parametrize("app", sorted(FORBIDDEN_IMPORTS))
def test_lower_apps_do_not_import_higher_ones(app):
    offenders = {
        f"{path.relative_to(ROOT)} imports {sorted(imported_apps(path) & FORBIDDEN_IMPORTS[app])}"
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and imported_apps(path) & FORBIDDEN_IMPORTS[app]
    }
    assert not offenders, sorted(offenders)


def test_nothing_imports_monitoring():
    offenders = [
        str(path.relative_to(ROOT))
        for path in app_modules()
        if "monitoring" in imported_apps(path)
        and path.relative_to(ROOT).parts[0] not in {"monitoring", "fisoko"}
    ]
    assert not offenders, offenders


def test_nothing_imports_results_and_results_imports_no_monitoring():
    """`results` sits at monitoring's level: it reads accounts, core and datacollection; only
    the URL configuration includes it (the demo step is named by a dotted path)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in app_modules()
        if "results" in imported_apps(path)
        and path.relative_to(ROOT).parts[0] not in {"results", "fisoko"}
    ]
    offenders += [
        str(path.relative_to(ROOT))
        for path in (ROOT / "results").rglob("*.py")
        if "monitoring" in imported_apps(path)
    ]
    assert not offenders, offenders


def test_nothing_imports_surveys():
    """The questionnaires sit at the top beside monitoring: only the URLconf includes them
    (and `seed_demo` names their demo step as a dotted path)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in app_modules()
        if "surveys" in imported_apps(path)
        and path.relative_to(ROOT).parts[0] not in {"surveys", "fisoko"}
    ]
    assert not offenders, offenders


MAX_LINES = 400
REASON = re.compile(r"^Long module:", re.MULTILINE)


def test_long_modules_say_why_they_are_long():
    """Past ~400 lines a module of several concerns becomes a package by concern; one that
    stays long says why in its docstring, in a paragraph starting «Long module:»."""
    offenders = []
    for path in app_modules():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES:
            docstring = ast.get_docstring(ast.parse(text)) or ""
            if not REASON.search(docstring):
                offenders.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not offenders, offenders
