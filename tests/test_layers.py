"""Services, documents, models, schemas and events sit below transport: no module there
reaches Socket.IO, the REST or web layer, or the request, not even through another module.

The walk reads every module's AST (function-level and TYPE_CHECKING imports included, so a
hidden import cannot slip past) and follows imports transitively inside the package."""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOWER_LAYERS = ("services", "documents", "models", "schemas", "events")
FORBIDDEN = (
    "{pkg}.realtime",
    "{pkg}.api",
    "{pkg}.extensions",
    "{pkg}.web",
    "flask_socketio",
    "flask.request",
)


def _modules(package_dir: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (a package is its __init__)."""
    found = {}
    for path in package_dir.rglob("*.py"):
        parts = [package, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(path: Path, name: str, is_package: bool) -> set[str]:
    """Every name an import in the file may load: `from a import b` gives a and a.b."""
    here = name.split(".") if is_package else name.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base_parts = here[: len(here) - node.level + 1] if node.level else []
            base = ".".join([*base_parts, *([node.module] if node.module else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def layer_violations(package_dir: Path, package: str) -> list[str]:
    """`module -> ... -> forbidden` for each lower-layer module that reaches a forbidden one."""
    modules = _modules(package_dir, package)
    graph = {
        name: _imports(path, name, path.name == "__init__.py") for name, path in modules.items()
    }
    forbidden = tuple(f.format(pkg=package) for f in FORBIDDEN)
    lower = tuple(f"{package}.{layer}" for layer in LOWER_LAYERS)

    def is_forbidden(name: str) -> bool:
        return any(name == f or name.startswith(f + ".") for f in forbidden)

    found = []
    for start in sorted(m for m in modules if m.startswith(lower)):
        came_from: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            # Importing a module runs its parent packages first.
            for target in sorted(graph.get(current, set()) | set(_parents(current))):
                if is_forbidden(target):
                    chain = [target, current]
                    while (prev := came_from[chain[-1]]) is not None:
                        chain.append(prev)
                    found.append(" -> ".join(reversed(chain)))
                    queue.clear()
                    break
                if target in modules and target not in came_from:
                    came_from[target] = current
                    queue.append(target)
    return found


def test_lower_layers_never_reach_transport() -> None:
    assert layer_violations(ROOT / "meetings", "meetings") == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / "app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root / "app"


def test_a_planted_violation_is_caught_through_other_modules(tmp_path: Path) -> None:
    package_dir = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "helpers.py": "def f():\n    from flask import request\n",
            "realtime/__init__.py": "",
            "realtime/events.py": "import flask_socketio\n",
            "services/__init__.py": "",
            "services/clean.py": "from app import helpers  # noqa\n",
            "services/direct.py": "from ..realtime import events\n",
            "models/__init__.py": "",
            "models/ok.py": "import sqlalchemy\nfrom flask import g\n",
            "web.py": "",
            "events/__init__.py": "from app import web\n",
        },
    )
    assert layer_violations(package_dir, "app") == [
        "app.events -> app.web",
        "app.services.clean -> app.helpers -> flask.request",
        "app.services.direct -> app.realtime",
    ]
