"""Where Partnership Atlas keeps its files on this computer, known without Qt so both faces agree.

    user data:  ~/.local/share/Partnership Atlas/        (Linux; $XDG_DATA_HOME if set)
                ~/Library/Application Support/Partnership Atlas/   (macOS)
                %LOCALAPPDATA%\\Partnership Atlas\\          (Windows)
    backups:    <user data>/Backups/
    caches:     ~/.cache/Partnership Atlas/ ($XDG_CACHE_HOME), ~/Library/Caches/…, %LOCALAPPDATA%\\…\\Cache

The GUI and the CLI both take their backups here, so an edit made from a script is
covered by the same daily copy as one made in the window.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "Partnership Atlas"
DEFAULT_CATALOGUE = "catalogue.gpkg"
BACKUPS_FOLDER = "Backups"


def _xdg(variable: str, fallback: str) -> Path:
    # The XDG spec says a relative value is invalid and must be ignored.
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / fallback


def user_data_folder() -> Path:
    """The one folder researchers expect: the platform's data folder plus our name."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    return _xdg("XDG_DATA_HOME", ".local/share") / APP_NAME


def default_catalogue_path() -> Path:
    """The catalogue opened when none is named (created on first run)."""
    return user_data_folder() / DEFAULT_CATALOGUE


def backups_folder(data_folder: Path | None = None) -> Path:
    return (data_folder or user_data_folder()) / BACKUPS_FOLDER


def cache_folder() -> Path:
    """Things that can be rebuilt (simplified map levels); safe to delete."""
    if sys.platform == "win32":
        return user_data_folder() / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_NAME
    return _xdg("XDG_CACHE_HOME", ".cache") / APP_NAME
