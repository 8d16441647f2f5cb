"""The shape of the code: what may import what.

* Only ``search/engine/`` imports an engine library (Whoosh today).
* ``archive`` never imports ``search``, ``research``, ``api``, ``reuse`` or ``alerts``;
  ``search`` never imports ``research``, ``api``, ``reuse`` or ``alerts`` (they follow the
  index, the index knows nothing of them); ``research``, ``reuse`` and ``alerts`` never import
  ``api`` or each other (the API imports ``research`` and ``reuse`` to serve them as JSON).
* No two modules import each other, directly or through others (imports inside functions
  count too: they hide a loop rather than remove it).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("archive", "search", "research", "api", "config", "reuse", "alerts")
ENGINE_LIBRARIES = ("whoosh",)


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def imports_of(name: str, path: Path, modules=frozenset()) -> set[str]:
    """Every module ``name`` imports, at any depth of its code, as absolute names.

    ``from package import module`` imports the module (the package is already loading, or
    loaded); ``from module import name`` imports the module.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names}
            submodules &= set(modules)
            found |= submodules if submodules else {target}
            if not modules:
                found |= {f"{target}.{alias.name}" for alias in node.names}
    return found


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {
        name: {other for other in imports_of(name, path, frozenset(modules))
               if other in modules and other != name}
        for name, path in modules.items()
    }


def test_only_the_engine_package_imports_an_engine_library():
    offenders = []
    for name, path in project_modules().items():
        if name.startswith("search.engine."):
            continue
        for imported in imports_of(name, path):
            if imported.split(".")[0] in ENGINE_LIBRARIES:
                offenders.append(f"{name} imports {imported}")
    assert offenders == []


FORBIDDEN = {
    "archive": ("search", "research", "api", "reuse", "alerts"),
    "search": ("research", "api", "reuse", "alerts"),
    # research reads through search (one request, one engine contract); the API serves it.
    "research": ("api", "reuse", "alerts"),
    # reuse reads the archive and follows the index worker (search's signals).
    "reuse": ("api", "alerts", "research"),
    # alerts read the archive and run searches through search.request.
    "alerts": ("api", "reuse", "research"),
}


def test_dependencies_point_one_way():
    offenders = [
        f"{name} imports {other}"
        for name, others in graph().items()
        for other in others
        if other.split(".")[0] in FORBIDDEN.get(name.split(".")[0], ())
    ]
    assert offenders == []


def test_templates_load_only_the_tags_of_apps_their_app_may_import():
    """A page of one app that loads another app's tag library depends on that app as surely as
    an import does: the same one-way rules hold for ``{% load %}``.  Templates outside any
    app's folder (the site's base, includes, errors, the admin) are the archive's."""
    import re

    from django.template import engines

    # Each library's module path, Django's own and every installed app's.
    app_of_library = {name: module.split(".")[0]
                      for name, module in engines["django"].engine.libraries.items()}
    offenders = []
    folders = [(ROOT / "templates", None)] + [(ROOT / app / "templates", app) for app in APPS]
    for folder, owner in folders:
        for path in folder.rglob("*.*"):
            if path.suffix not in {".html", ".txt", ".xml"}:
                continue
            relative = path.relative_to(folder)
            app = owner or (relative.parts[0] if relative.parts[0] in APPS else "archive")
            for names in re.findall(r"{%\s*load\s+([^%]+?)\s*%}", path.read_text("utf-8")):
                for name in names.split():
                    if app_of_library.get(name, "django") in FORBIDDEN.get(app, ()):
                        offenders.append(f"{path.relative_to(ROOT)} loads {name}")
    assert offenders == []


def test_there_are_no_import_cycles():
    edges = graph()
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert cycles == []


def test_only_the_postgres_engine_speaks_postgresql_for_search():
    """PostgreSQL's driver and Django's PostgreSQL search are the PostgreSQL engine's own:
    the rest of the search app stays engine-neutral."""
    offenders = []
    for name, path in project_modules().items():
        if not name.startswith("search.") or name.startswith("search.engine.postgres"):
            continue
        for imported in imports_of(name, path):
            if imported.split(".")[0] == "psycopg2" or imported.startswith(
                    "django.contrib.postgres"):
                offenders.append(f"{name} imports {imported}")
    assert offenders == []
