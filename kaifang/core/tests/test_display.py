"""The "大字" switch is a preference of this browser, kept in a cookie the base template reads; the
scripts' words come from Django's JavaScript catalogue, in English after the language switch."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation.reloader import translation_file_changed

pytestmark = pytest.mark.django_db

JS_CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "djangojs.po"


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue() -> None:
    compiled = JS_CATALOGUE.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < JS_CATALOGUE.stat().st_mtime:
        call_command("compilemessages", locale=["en"], verbosity=0)
        translation_file_changed(sender=None, file_path=compiled)


def test_large_text_is_off_until_switched_on_and_then_stays_on(client_for, hunnan):
    c = client_for(hunnan)
    page = c.get("/orgs/").content.decode()
    assert '<html lang="zh-CN">' in page and 'aria-pressed="false"' in page and ">大字<" in page
    assert '<a class="skip-link" href="#main">跳到正文</a>' in page and '<main class="page" id="main"' in page
    response = c.post("/display/text-size", {"size": "large", "next": "/supervision/"})
    assert response.status_code == 302 and response["Location"] == "/supervision/"
    cookie = response.cookies["kaifang_text"]
    assert cookie.value == "large" and cookie["max-age"] == 365 * 24 * 3600 and cookie["samesite"] == "Lax"
    page = c.get("/reporting/").content.decode()
    assert '<html lang="zh-CN" class="large-text">' in page and 'aria-pressed="true"' in page
    response = c.post("/display/text-size", {"size": "normal", "next": "/reporting/"})
    assert response.cookies["kaifang_text"].value == ""  # deleted
    assert '<html lang="zh-CN">' in c.get("/reporting/").content.decode()


def test_the_switch_never_redirects_off_site_and_only_accepts_post(client_for, hunnan):
    c = client_for(hunnan)
    response = c.post("/display/text-size", {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert c.get("/display/text-size").status_code == 405


def test_the_scripts_words_are_english_after_the_switch(client_for, province):
    c = client_for(province)
    chinese = c.get("/jsi18n/").content.decode()
    assert "Show as table" not in chinese
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = c.get("/jsi18n/").content.decode()
    for word in ("Show as table", "Drill down to %s", "Red light", "Yellow light", "%s fields need correcting:"):
        assert word in english, word
    home = c.get("/").content.decode()
    assert ">Skip to main content<" in home and ">Large text<" in home and "大字" not in home
