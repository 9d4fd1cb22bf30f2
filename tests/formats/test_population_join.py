"""The population CSV's join: a plain table by columns, anything odd row by row."""
import pytest

from models.errors import CatalogueError
from models.formats import numbers_csv
from models.formats.numbers_csv import read_numbers

CODES = ["A", "B", "C", "D", "E"]


def write(tmp_path, text):
    path = tmp_path / "population.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plain_table_is_joined_without_reading_each_cell_alone(tmp_path, monkeypatch):
    path = write(tmp_path, "code,population,other\nA,10,1\nB,,2\nC, 3 ,\n,Total,13\nD,4\n")

    def no_cell_by_cell(*args):
        raise AssertionError("read cell by cell")

    monkeypatch.setattr(numbers_csv, "_count", no_cell_by_cell)
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


def test_a_table_with_quoted_names_and_windows_line_ends_is_split_without_csv_reader(tmp_path):
    text = 'code,name,population\r\nA,"Aston, part 1",10\r\nB,Bow,\r\n"C","Cam ""East""",3\r\n'
    header, column = numbers_csv._plain_table(text)
    assert header == ["code", "name", "population"]
    rows = sorted(zip(column(0), column(1), column(2)))
    assert rows == [("A", "Aston, part 1", "10"), ("B", "Bow", ""), ("C", 'Cam "East"', "3")]
    assert read_numbers(write(tmp_path, text), CODES, ["population"])["population"] == [10.0, None, 3.0, None, None]


@pytest.mark.parametrize("text", [
    'code,population\nA,"1\n2"\nB,3\n',        # a quoted cell over a line end
    'code,population\nA,"1\nB,3\n',             # a quote left open
    'code,population\nA,1\n\nB,3\n',           # a blank line
    'code,population\nA,1,9\nB,3\n',           # a row wider than the header
    'code,population\rA,1\rB,3\r',             # old Mac line ends
])
def test_tables_the_quick_split_does_not_take_are_left_to_csv_reader(text):
    assert numbers_csv._plain_table(text) is None


_CELLS = ["", " ", "A", "B", "C", "D", "7", "1.5", "nan", "-1", '"2"', '"1,200"', '"x\ny"', 'a"b', "E"]


@pytest.mark.parametrize("seed", range(40))
def test_the_quick_split_joins_as_csv_reader_does(tmp_path, monkeypatch, seed):
    import random

    rng = random.Random(seed)
    lines = ["code,population"] + [",".join(rng.choice(_CELLS) for _ in range(rng.choice([2, 2, 2, 3])))
                                   for _ in range(rng.randint(1, 8))]
    path = write(tmp_path, rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n"]))

    def join():
        try:
            return read_numbers(path, CODES, ["population"])
        except CatalogueError as e:
            return str(e)

    quick = join()
    monkeypatch.setattr(numbers_csv, "_plain_table", lambda text: None)
    assert quick == join()
