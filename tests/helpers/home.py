"""A home folder of the test's own, so nothing a test does reaches the user's real folders."""
from __future__ import annotations

from pathlib import Path


def private_home(tmp_path: Path) -> dict[str, str]:
    """Environment variables that send the user data, backups, caches and settings into tmp_path."""
    home = tmp_path / "home"
    return {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "config"), "LOCALAPPDATA": str(home / "local")}
