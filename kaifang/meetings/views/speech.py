"""The speech parser pages: paste or upload → parse → an editable draft → confirm into draft resolutions."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaifang.accounts.permissions import user_of
from kaifang.meetings import clock
from kaifang.meetings.forms import DraftItemFormSet, SpeechInputForm
from kaifang.meetings.models import SpeechDraft
from kaifang.meetings.permissions import can_parse_speeches
from kaifang.meetings.selectors import get_meeting_for_user
from kaifang.meetings.services import resolutions
from kaifang.meetings.speech import SpeechFileError, read_speech_file
from kaifang.meetings.views import apply_errors, meetings_for_parser


def _require_parser(request: HttpRequest) -> Any:
    user = user_of(request)
    if not can_parse_speeches(user):
        raise PermissionDenied
    return user


@login_required
def parse(request: HttpRequest) -> HttpResponse:
    user = _require_parser(request)
    meetings = meetings_for_parser(user)
    initial: dict[str, Any] = {}
    if doc := request.GET.get("document"):
        meeting_id = request.GET.get("meeting", "")
        if meeting_id.isdigit() and doc.isdigit():
            source = get_meeting_for_user(user, int(meeting_id))
            document = source.documents.filter(pk=int(doc)).first()
            if document is not None:
                initial = {"text": document.text, "meeting": source.pk}
    form = SpeechInputForm(request.POST or None, request.FILES or None, meetings=meetings, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = next((m for m in meetings if m.pk == data["meeting"]), None)
        try:
            text = data["text"] or ""
            if data["file"] is not None:
                text = read_speech_file(data["file"].read(), filename=data["file"].name)
            draft = resolutions.save_speech_draft(actor=user, text=text, meeting=meeting)
        except SpeechFileError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("meetings:draft", pk=draft.pk)
    return render(request, "meetings/parse.html", {"form": form})


def _initial_rows(draft: SpeechDraft, unit_ids: dict[str, int]) -> list[dict[str, Any]]:
    year_end = datetime.date(clock.today().year, 12, 31)
    rows = []
    for item in draft.items():
        suggested = [s["code"] for s in item.get("suggested_units", []) if s["code"] in unit_ids]
        rows.append(
            {
                "selected": False,
                "speaker": item.get("speaker", ""),
                "ordinal": item.get("ordinal"),
                "title": item.get("title", "")[:200],
                "body": item.get("text", ""),
                "places": "、".join(p["name"] for p in item.get("places", [])),
                "lead_unit": unit_ids[suggested[0]] if suggested else None,
                "deadline": year_end,
            }
        )
    return rows


def source_pieces(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The cleaned text cut into plain runs and item spans (numbered as in the table), for the page
    that shows the original beside the drafts."""
    text = result.get("text") or ""
    spans = []
    number = 0
    for segment in result.get("segments", []):
        for item in segment.get("items", []):
            number += 1
            start, end = (item.get("span") or [0, 0])[:2]
            if 0 <= start < end <= len(text):
                spans.append((start, end, number))
    pieces: list[dict[str, Any]] = []
    cursor = 0
    for start, end, number in sorted(spans):
        if start < cursor:
            continue
        if start > cursor:
            pieces.append({"text": text[cursor:start], "n": None})
        pieces.append({"text": text[start:end], "n": number})
        cursor = end
    if cursor < len(text):
        pieces.append({"text": text[cursor:], "n": None})
    return pieces


@login_required
def reparse(request: HttpRequest, pk: int) -> HttpResponse:
    """The corrected text (a boundary moved, a marker added or removed) parsed again as a new draft."""
    user = _require_parser(request)
    item = SpeechDraft.objects.select_related("meeting").filter(pk=pk, created_by=user).first()
    if item is None:
        raise Http404
    if request.method != "POST":
        return redirect("meetings:draft", pk=item.pk)
    try:
        new = resolutions.save_speech_draft(actor=user, text=request.POST.get("text", ""), meeting=item.meeting)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("meetings:draft", pk=item.pk)
    messages.success(request, _("已按修改后的文字重新解析。"))
    return redirect("meetings:draft", pk=new.pk)


@login_required
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_parser(request)
    item = SpeechDraft.objects.select_related("meeting").filter(pk=pk, created_by=user).first()
    if item is None:
        raise Http404
    units = resolutions.assignable_units()
    unit_ids = dict(units.values_list("code", "pk"))
    if request.method == "POST":
        formset = DraftItemFormSet(request.POST, form_kwargs={"units": units})
        if formset.is_valid():
            chosen = [
                resolutions.ConfirmedItem(
                    title=f["title"],
                    body=f["body"],
                    lead_unit=f["lead_unit"],
                    deadline=f["deadline"],
                    speaker=f["speaker"],
                    places=f["places"],
                )
                for f in formset.cleaned_data
                if f.get("selected")
            ]
            try:
                ids = resolutions.confirm_speech_draft(actor=user, draft=item, items=chosen)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("已生成 %(n)d 项督办事项（草稿），待审核后下发。") % {"n": len(ids)})
                return redirect("meetings:draft", pk=item.pk)
        else:
            messages.error(request, _("有的条目填写不完整，请检查标红的行。"))
    else:
        formset = DraftItemFormSet(initial=_initial_rows(item, unit_ids), form_kwargs={"units": units})
    from kaifang.supervision.selectors.detail import task_links

    context = {
        "draft": item,
        "formset": formset,
        "result": item.result,
        "pieces": source_pieces(item.result),
        "task_links": task_links(user, list(item.task_ids or [])),
    }
    return render(request, "meetings/draft.html", context)
