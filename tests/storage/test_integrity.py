"""quick_check on open: a damaged catalogue is refused with one line and left exactly as it was."""
from __future__ import annotations

import pytest

from models.catalogue import Catalogue
from models.errors import DamagedCatalogue
from models.storage.backups import Backups
from tests.helpers.catalogues import file_digest
from tests.helpers.damage import damage_middle, damage_page_holding, many_rows, sidecars, truncate


@pytest.fixture
def full_file(tmp_path):
    path = tmp_path / "full.gpkg"
    with Catalogue.create(path) as cat:
        many_rows(cat)
    assert not sidecars(path)
    return path


@pytest.mark.parametrize("damage", [
    lambda p: damage_page_holding(p, b"Org 0300"),
    damage_middle,
    truncate,
], ids=["garbage page", "garbage in the middle", "truncated"])
@pytest.mark.parametrize("read_only", [False, True], ids=["writable", "read-only"])
def test_damaged_file_is_refused_and_left_untouched(full_file, tmp_path, damage, read_only):
    damage(full_file)
    digest = file_digest(full_file)
    backups = Backups(tmp_path / "Backups")
    with pytest.raises(DamagedCatalogue) as info:
        Catalogue.open(full_file, read_only=read_only, backups=backups)
    message = str(info.value)
    assert "\n" not in message and message.startswith("full.gpkg is damaged")
    assert info.value.path == full_file
    assert file_digest(full_file) == digest
    if not read_only:
        # A read-only SQLite connection cannot remove the -shm it needs for a WAL file;
        # a writable one removes what it created.
        assert not sidecars(full_file)
    assert not (tmp_path / "Backups").exists(), "a damaged file is never backed up"


def test_sound_file_opens_after_quick_check(full_file):
    with Catalogue.open(full_file) as cat:
        assert len(cat.organisations.all()) == 600
