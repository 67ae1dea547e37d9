"""Tenancy fails closed: tenant data is read through selectors, never ``Model.objects``.

A tenant model is one whose default manager hands out a ``TenantQuerySet`` (found through
django.apps, so a new app's models are covered the day they exist). Its rows belong to a
unit; the only reads that respect that are the ones that go through ``visible_to`` /
``get_visible_or_404`` or take an object the caller already resolved that way — which is
what selectors (reads) and services (writes) do. A view, form, template tag or task that
writes ``<TenantModel>.objects`` is one forgotten filter away from another unit's data, so
this test parses the project's code (ast) and fails on any such use outside the modules
whose job it is.

Why a test rather than django-scopes-style managers that raise unless a scope is active:
the services, selectors, Celery tasks, reminders and the demo legitimately read across
units (the central coordinator, the retention job, the sweepers), and each would need a
scope switched on by hand — the same convention, moved, and failing at run time in
production rather than in CI. Here the rule is checked on every test run, and where a read
is allowed is written down below.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from institutions.tenancy import TenantQuerySet

ROOT = Path(settings.BASE_DIR).resolve()

# Modules whose job is to read or write tenant rows.
ALLOWED_FILES = {
    "services.py",  # writes (and the reads they lock)
    "selectors.py",  # reads, scoped by the caller's permissions
    "admin.py",  # the admin site: superusers and the central office
    "demo.py",  # the demo data command's builders
    "printing.py",  # registered document sources (rendered by the worker)
    "reminders.py",  # registered reminder sources (run by the beat task)
    "personal_data.py",  # registered exporters and erasers (run by privacy.services)
}
ALLOWED_DIRS = {"migrations", "bench", "tests"}
# Service layers under another name: each entry says why, and goes when the module is split.
ALLOWED_MODULES = {
    "volunteers/outreach.py": "services of exports, CV downloads and bulk emails (audited writes)",
}
SKIPPED_DIRS = {".venv", "node_modules", "static", "locale", "build", "private", "templates"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def tenant_models() -> dict[tuple[str, str], type]:
    """(module, class name) → model, for every model whose default queryset is tenant-scoped."""
    found = {}
    for model in apps.get_models():
        if isinstance(model._default_manager.get_queryset(), TenantQuerySet):
            found[(model.__module__, model.__name__)] = model
    return found


def _allowed(relative: Path) -> bool:
    parts = relative.parts
    if parts[0] in ALLOWED_DIRS or "migrations" in parts:
        return True
    if "management" in parts and "commands" in parts:
        return True
    if relative.name in ALLOWED_FILES or {"services", "selectors"} & set(parts[:-1]):
        return True
    return relative.as_posix() in ALLOWED_MODULES


def _module_name(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts[:-1]) or relative.parts[0].startswith("."):
            continue
        yield relative


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def tenant_reads(source: str, module: str, is_package: bool, tenants) -> list[tuple[int, str]]:
    """(line, model) of every ``<TenantModel>.objects`` in the source, however the model was
    imported (``from .models import X``, ``as`` aliases, ``models.X``). ``X.objects.none()``,
    an empty queryset (a form field's placeholder), is not a read."""
    tree = ast.parse(source)
    names: dict[str, str] = {}  # local name → model name
    modules: dict[str, str] = {}  # local name → models module
    tenant_modules = {mod for mod, _name in tenants}
    for mod, name in tenants:
        if mod == module:
            names[name] = name
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source_module = _resolve(module, is_package, node)
            for alias in node.names:
                local = alias.asname or alias.name
                if (source_module, alias.name) in tenants:
                    names[local] = alias.name
                elif f"{source_module}.{alias.name}" in tenant_modules:
                    modules[local] = f"{source_module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in tenant_modules and alias.asname:
                    modules[alias.asname] = alias.name
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in MANAGERS):
            continue
        owner = node.value
        model = None
        if isinstance(owner, ast.Name) and owner.id in names:
            model = names[owner.id]
        elif isinstance(owner, ast.Attribute):
            dotted = ast.unparse(owner.value)
            module_name = modules.get(dotted, dotted)
            if (module_name, owner.attr) in tenants:
                model = owner.attr
        if model is None:
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) and parent.attr == "none":
            continue
        found.append((node.lineno, model))
    return found


def test_tenant_models_are_discovered():
    discovered = {name for _module, name in tenant_models()}
    assert {"Application", "Agreement", "Document", "Session", "AuditEvent"} <= discovered


def test_tenant_models_are_read_through_selectors_only():
    tenants = tenant_models()
    offenders = []
    for relative in _python_files():
        if _allowed(relative):
            continue
        source = (ROOT / relative).read_text(encoding="utf-8")
        module = _module_name(relative)
        for line, model in tenant_reads(source, module, relative.name == "__init__.py", tenants):
            offenders.append(f"{relative}:{line} {model}.objects")
    assert not offenders, (
        "Tenant models read outside services/selectors (move the read into the app's "
        "selectors.py, scoped by visible_to or by an object already resolved):\n" + "\n".join(offenders)
    )


def test_allowed_modules_exist():
    """An allow-listed module that was renamed or split must leave the list."""
    missing = [name for name in ALLOWED_MODULES if not (ROOT / name).exists()]
    assert not missing, f"Remove from ALLOWED_MODULES: {missing}"


def test_the_scanner_finds_every_spelling():
    tenants = {("volunteers.models", "Application"): object, ("trainings.models", "Session"): object}
    source = """
from volunteers.models import Application
from volunteers.models import Application as A
from volunteers import models
from trainings.models import Session
from django.contrib.sessions.models import Session as WebSession
import trainings.models as tm

Application.objects.filter(pk=1)
A._default_manager.all()
models.Application.objects.get(pk=1)
tm.Session.objects.all()
Session.objects.none()
WebSession.objects.all()
"""
    found = tenant_reads(source, "volunteers.views.x", False, tenants)
    assert [line for line, _model in found] == [9, 10, 11, 12]
    source = "from .models import Session\nSession.objects.all()\n"
    relative = tenant_reads(source, "trainings.forms", False, tenants)
    assert relative == [(2, "Session")]
