"""The speech draft page: original text beside the drafts with each item's span highlighted, a
corrected text re-parsed as a new draft, links to the tasks once created."""

import pytest

from kaifang.meetings.models import SpeechDraft
from kaifang.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

INLINE = "会议要求，各地区要（一）抓好外贸订单保障；（二）加快外资项目落地。"


def test_each_item_is_highlighted_in_the_original_with_its_number(client_for, province):
    c = client_for(province)
    response = c.post("/meetings/parse/", {"text": INLINE})
    page = c.get(response["Location"]).content.decode()
    first = '<mark class="item-span" id="span-1" data-item="1"><span class="span-no">1</span>'
    assert first + "（一）抓好外贸订单保障；</mark>" in page
    assert 'id="span-2"' in page and "（二）加快外资项目落地。</mark>" in page
    assert 'href="#span-2"' in page  # the table row links to its span


def test_a_corrected_boundary_is_parsed_again_as_a_new_draft(client_for, province):
    c = client_for(province)
    c.post("/meetings/parse/", {"text": "会议要求，各地区要（一）抓订单、（二）拓市场；（三）扩外资。"})
    first = SpeechDraft.objects.get()
    assert len(first.items()) == 3
    corrected = "会议要求，各地区要（一）抓订单、拓市场；（二）扩外资。"
    response = c.post(f"/meetings/parse/{first.pk}/reparse/", {"text": corrected})
    second = SpeechDraft.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"/meetings/parse/{second.pk}/"
    assert [i["title"] for i in second.items()] == ["抓订单、拓市场", "扩外资"]
    assert len(SpeechDraft.objects.get(pk=first.pk).items()) == 3  # the first result is kept


def test_someone_else_cannot_reparse_my_draft(client_for, province, hunnan):
    client_for(province).post("/meetings/parse/", {"text": INLINE})
    draft = SpeechDraft.objects.get()
    assert client_for(hunnan).post(f"/meetings/parse/{draft.pk}/reparse/", {"text": INLINE}).status_code in (403, 404)
    assert SpeechDraft.objects.count() == 1


def test_after_confirming_the_page_links_to_the_created_tasks(client_for, province):
    c = client_for(province)
    c.post("/meetings/parse/", {"text": INLINE})
    draft = SpeechDraft.objects.get()
    swt = str(OrgUnit.objects.get(code="SWT").pk)
    form = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"}
    for i, item in enumerate(draft.items()):
        form.update(
            {
                f"form-{i}-selected": "on",
                f"form-{i}-speaker": "会议",
                f"form-{i}-title": item["title"],
                f"form-{i}-body": item["text"],
                f"form-{i}-lead_unit": swt,
                f"form-{i}-deadline": "2018-12-31",
            }
        )
    page = c.post(f"/meetings/parse/{draft.pk}/", form, follow=True).content.decode()
    draft.refresh_from_db()
    first = draft.task_ids[0]
    assert f'href="/supervision/tasks/{first}/"' in page and "抓好外贸订单保障" in page
    assert "已生成的督办事项" in page and "重新解析" not in page
