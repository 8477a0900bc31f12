"""Chinese is the default language; the switch in the top bar turns the interface into English."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils.translation.reloader import translation_file_changed

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue() -> None:
    """`make test` compiles the catalogue first; compile here too when the .mo is missing or stale."""
    compiled = CATALOGUE.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < CATALOGUE.stat().st_mtime:
        call_command("compilemessages", locale=["en"], verbosity=0)
        translation_file_changed(sender=None, file_path=compiled)  # forget catalogues loaded earlier


def switch_to_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_a_new_session_sees_chinese(client, client_for, province):
    login = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-CN">' in login and "登录" in login and "Sign in" not in login
    home = client_for(province).get("/").content.decode()
    assert "督查督办" in home and "指标数据" in home and "Supervision" not in home


def test_after_switching_to_english_the_main_pages_show_english_navigation(client_for, province):
    c = client_for(province)
    switch_to_english(c)
    for path in ["/", "/supervision/", "/indicators/"]:
        page = c.get(path).content.decode()
        assert '<html lang="en">' in page, path
        for label in ["Home", "Cockpit", "Supervision", "Indicators", "Reporting", "Assessment", "Sign out"]:
            assert f">{label}<" in page, (path, label)
        assert "督查督办" not in page and "退出" not in page, path


def test_switching_back_restores_chinese(client_for, province):
    c = client_for(province)
    switch_to_english(c)
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    home = c.get("/").content.decode()
    assert "督查督办" in home and "Supervision" not in home


def test_every_entry_of_the_english_catalogue_is_translated():
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]
    empty = [e for e in entries if not e.startswith("#~") and ('msgstr ""\n"' not in e and e.rstrip().endswith('""'))]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not empty and not fuzzy, (empty + fuzzy)[:3]


def test_an_english_browser_still_opens_in_chinese_until_the_user_switches(client):
    page = client.get("/accounts/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="zh-CN"' in page.content.decode()


def test_period_labels_follow_the_language_on_pages_but_stored_text_stays_chinese():
    import datetime

    from django.utils import translation

    from kaifang.indicators.periods import month_text, range_label, range_text, ytd_label, ytd_text

    june, march = datetime.date(2018, 6, 1), datetime.date(2018, 3, 1)
    with translation.override("zh-hans"):
        assert (ytd_text(june), month_text(june)) == ("2018年1-6月", "2018年6月")
        assert range_text(march, june) == "2018年3-6月"
        assert range_text(datetime.date(2017, 11, 1), march) == "2017年11月—2018年3月"
    with translation.override("en"):
        assert (ytd_text(june), month_text(june)) == ("months 1–6 of 2018", "June 2018")
        assert range_text(march, june) == "months 3–6 of 2018"
        assert ytd_text(datetime.date(2018, 1, 1)) == "January 2018"
        assert (ytd_label(june), range_label(march, june)) == ("2018年1-6月", "2018年3-6月")  # stored text


def test_the_explorer_in_english_labels_its_period_in_english(client_for, province, hunnan):
    import datetime
    from decimal import Decimal

    from kaifang.indicators.services import ValueEntry, save_values
    from kaifang.indicators.tests.factories import make_indicator, open_figures

    open_figures([make_indicator()], [hunnan.unit], datetime.date(2018, 3, 1))
    save_values(
        actor=hunnan, unit=hunnan.unit, period=datetime.date(2018, 3, 1), entries=[ValueEntry("T_EXPORT", Decimal(4))]
    )
    c = client_for(province)
    switch_to_english(c)
    page = c.get("/indicators/?indicator=T_EXPORT&unit=210100&from=2018-01&to=2018-03").content.decode()
    assert "months 1–3 of 2018" in page and "2018年1-3月" not in page
