import pytest

from models.catalogue import dates


@pytest.mark.parametrize("text", ["2008", "2008-03", "2008-03-31", "2000-02-29"])
def test_partial_dates_accepted(text):
    assert dates.parse(text) == text


@pytest.mark.parametrize("text", ["2008-13-40", "2008-13", "2008-02-30", "1999-02-29", "08", "March 2008",
                                  "2008/03/01", "2008-3"])
def test_bad_dates_rejected(text):
    with pytest.raises(ValueError):
        dates.parse(text)


def test_span_logic():
    assert dates.latest("2008-02") == "2008-02-29"
    assert dates.earliest("2008") == "2008-01-01"
    # Northumbria 101 ended 31 March 2008: active in 2008, not in 2009
    assert dates.active_in("2006", "2008-03-31", "2008")
    assert not dates.active_in("2006", "2008-03-31", "2009")
    assert not dates.active_in("2010", None, "2009-12-31")
    assert dates.before("2007", "2008-01")
    assert not dates.before("2008", "2008-06")  # a year overlapping a month is not "before"
