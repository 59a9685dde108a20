from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from meetings.db import db
from meetings.models import Bridge, Unit
from meetings.services.accounts.units import import_units
from tests.conftest import UNITS_JSON


def test_hanam_import_has_116_units_on_three_levels(app: Any) -> None:
    # The session fixture imported the file once; importing again must change nothing.
    counts = import_units(UNITS_JSON)
    assert (counts["created"], counts["updated"]) == (0, 0)
    hanam = Unit.path.startswith("/35/")
    depths = Counter(db.scalars(select(Unit.depth).where(hanam)))
    assert depths == {0: 1, 1: 6, 2: 109}
    assert db.scalar(select(func.count()).select_from(Bridge).join(Unit).where(hanam)) == 116
    commune = db.scalar(select(Unit).where(Unit.code == "13285"))
    assert commune is not None and commune.parent is not None
    assert commune.parent.code == "347" and commune.parent.parent is not None
    assert commune.path == "/35/347/13285/"


def test_import_updates_renamed_unit_and_supports_any_depth(app: Any) -> None:
    tree = {
        "code": "T99",
        "name": "Tỉnh Thử",
        "type": "Tỉnh",
        "children": [{"code": "T99-1", "name": "Xã Một", "type": "Xã"}],  # no district level
    }
    assert import_units(tree)["created"] == 2
    tree["children"][0]["name"] = "Xã Một Mới"  # type: ignore[index]
    counts = import_units(tree)
    assert (counts["created"], counts["updated"]) == (0, 1)
    unit = db.scalar(select(Unit).where(Unit.code == "T99-1"))
    assert unit is not None and unit.name == "Xã Một Mới" and unit.depth == 1
    assert unit.bridge.name == "Điểm cầu Xã Một"


def test_cli_import_is_idempotent(tmp_path: Any, seeded_url: str) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": seeded_url, "INSTANCE_DIR": str(tmp_path)}
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-m", "meetings", "units", "import", str(UNITS_JSON)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert "mới 0" in out.stdout


def test_units_api_lists_tree(login_as: Any) -> None:
    client = login_as("delegate01")
    units = client.get("/api/units").get_json()["units"]
    assert len([u for u in units if u["code"] in {"35", "347", "13285"}]) == 3
    province = next(u for u in units if u["code"] == "35")
    detail = client.get(f"/api/units/{province['id']}").get_json()
    assert detail["bridge_name"] == "Điểm cầu Tỉnh Hà Nam"
    assert client.get("/api/units/999999").status_code == 404


def test_units_api_needs_login(client: Any) -> None:
    response = client.get("/api/units")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_authenticated"


def test_source_file_is_read_from_shared_data() -> None:
    data = json.loads(UNITS_JSON.read_text("utf-8"))
    assert data["code"] == "35"
