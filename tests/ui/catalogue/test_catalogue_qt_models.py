"""Every Qt model of the catalogue window passes Qt's own model checks, filled and after a reset."""


def test_partnership_list_model(qtmodeltester, window):
    qtmodeltester.check(window.catalogue_view.list.model)
    window.catalogue_view.list.search_box.setText("west")
    qtmodeltester.check(window.catalogue_view.list.model)


def test_members_model(qtmodeltester, window):
    cat = window.catalogue
    window.catalogue_view.list.select(cat.partnerships.find("West London Alliance").id)
    model = window.catalogue_view.editor.members.model
    assert model.rowCount() == 2
    qtmodeltester.check(model, force_py=True)


def test_citations_model(qtmodeltester, window):
    cat = window.catalogue
    window.catalogue_view.list.select(cat.partnerships.find("West London Alliance").id)
    model = window.catalogue_view.editor.citations.model
    assert model.rowCount() == 1
    qtmodeltester.check(model)


def test_organisations_models(qtmodeltester, window):
    view = window.organisations_view
    assert view.model.rowCount() == 3
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
