"""The app's page (the live practice and replay pages come with their own issue)."""
from streamlit.testing.v1 import AppTest

from tests.helpers import ROOT


def test_app_page_runs_and_lists_the_routine():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Stroke Coach"
    assert any("Swedish massage" in s.value for s in at.subheader)
    assert any("python -m vision analyze" in i.value for i in at.info)
