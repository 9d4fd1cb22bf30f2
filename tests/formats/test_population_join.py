"""The population CSV's join: a plain table by columns, anything odd row by row."""
import pytest

from models.errors import CatalogueError
from models.formats import boundary_import
from models.formats.boundary_import import read_numbers

CODES = ["A", "B", "C", "D", "E"]


def write(tmp_path, text):
    path = tmp_path / "population.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plain_table_is_joined_without_reading_each_cell_alone(tmp_path, monkeypatch):
    path = write(tmp_path, "code,population,other\nA,10,1\nB,,2\nC, 3 ,\n,Total,13\nD,4\n")

    def no_cell_by_cell(*args):
        raise AssertionError("read cell by cell")

    monkeypatch.setattr(boundary_import, "_count", no_cell_by_cell)
    got = read_numbers(path, CODES, ["population", "other"])
    assert got == {"population": [10.0, None, 3.0, 4.0, None],
                   "other": [1.0, 2.0, None, None, None]}


def test_odd_cells_are_still_read_and_named_by_line(tmp_path):
    path = write(tmp_path, "code,population\nA,\"1,200\"\nB,7\n")
    assert read_numbers(path, CODES, ["population"])["population"] == [1200.0, 7.0, None, None, None]
    with pytest.raises(CatalogueError, match="line 3: 'many' is not a number"):
        read_numbers(write(tmp_path, "code,population\nA,1\nB,many\n"), CODES, ["population"])
    with pytest.raises(CatalogueError, match="line 3: code A appears twice"):
        read_numbers(write(tmp_path, "code,population\nA,1\nA,2\n"), CODES, ["population"])
    with pytest.raises(CatalogueError, match="line 2: '-4' is not a count"):
        read_numbers(write(tmp_path, "code,population\nA,-4\n"), CODES, ["population"])
    with pytest.raises(CatalogueError, match="line 3: 'nan' is not a count"):
        read_numbers(write(tmp_path, "code,population\nA,1\nB,nan\n"), CODES, ["population"])
    with pytest.raises(CatalogueError, match="no code in population.csv"):
        read_numbers(write(tmp_path, "code,population\nZ,1\n"), CODES, ["population"])
