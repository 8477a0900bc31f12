"""Forms for tasks. They only parse input; the services validate the rules and write."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaifang.accounts.models import Role
from kaifang.orgs.forms import UnitMultiPicker, UnitPicker
from kaifang.orgs.models import OrgUnit, UnitKind
from kaifang.supervision.models import SourceKind, TaskCategory, TaskLevel
from kaifang.supervision.workflow import ACTIONS

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def assignable_units(user: Any) -> Any:
    """Units a task can be assigned to: the visible cities, counties, departments and platforms."""
    units = OrgUnit.objects.visible_to(user).current().exclude(kind=UnitKind.PROVINCE).order_by("kind", "path")
    if getattr(user, "role", None) == Role.CITY_OFFICER:  # a city issues to the units below it, not to itself
        units = units.exclude(pk=user.unit_id)
    return units


class TaskForm(forms.Form):
    title = forms.CharField(label=_("事项名称"), max_length=200)
    body = forms.CharField(label=_("工作要求"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    category = forms.ChoiceField(label=_("类别"), choices=TaskCategory.choices)
    level = forms.ChoiceField(
        label=_("督办等级"),
        choices=TaskLevel.choices,
        initial=TaskLevel.NORMAL,
        required=False,
        help_text=_("签收、复核的时限按类别和等级设定，立项后显示在事项页。"),
    )
    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"),
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        empty_label=_("请选择"),
        widget=UnitPicker(),
    )
    co_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        required=False,
        widget=UnitMultiPicker(),
        help_text=_("可输入名称、拼音首字母或代码查找，勾选多个，或按分组（如沿海六市）一次选入。"),
    )
    responsible_leader = forms.CharField(label=_("责任领导"), max_length=60, required=False)
    deadline = forms.DateField(label=_("办理时限"), widget=DATE_INPUT)
    report_day = forms.IntegerField(label=_("每月报送日"), min_value=1, max_value=28, required=False, initial=25)
    source_kind = forms.ChoiceField(label=_("来源类型"), choices=SourceKind.choices)
    source_title = forms.CharField(label=_("来源"), max_length=200, required=False)
    source_excerpt = forms.CharField(label=_("原文摘录"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    milestones = forms.CharField(
        label=_("工作节点"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "出台实施方案 2018-08-31"}),
        required=False,
        help_text=_("每行一个：节点名称 空格 日期（YYYY-MM-DD）"),
    )

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        units = assignable_units(user)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]

    def clean_milestones(self) -> list[tuple[str, datetime.date]]:
        steps = []
        for number, line in enumerate(self.cleaned_data["milestones"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            title, _sep, day = line.rpartition(" ")
            try:
                steps.append((title.strip(), datetime.date.fromisoformat(day.strip())))
            except ValueError:
                raise forms.ValidationError(_("第%(n)d行：请写成“节点名称 2018-08-31”。") % {"n": number}) from None
            if not title.strip():
                raise forms.ValidationError(_("第%(n)d行缺少节点名称。") % {"n": number})
        return steps


class TaskEditForm(TaskForm):
    """Editing a draft: the same fields minus source and milestones, plus the version it started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in ("source_kind", "source_title", "source_excerpt", "milestones", "request_key", "level"):
            del self.fields[name]


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    percent = forms.IntegerField(
        label=_("完成进度（%）"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*", "step": "1"}),
    )
    text = forms.CharField(label=_("进展情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(
        label=_("存在问题"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_needed = forms.CharField(
        label=_("需协调事项"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UrgeForm(forms.Form):
    message = forms.CharField(label=_("催办内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    requirement = forms.CharField(label=_("督办要求"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    reply_by = forms.DateField(label=_("回复时限"), required=False, widget=DATE_INPUT)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（可选，PDF/Word/Excel/图片）"))


class SplitForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("承办县（市、区）"), queryset=OrgUnit.objects.none(), to_field_name="code", widget=UnitPicker()
    )
    title = forms.CharField(label=_("子事项名称"), max_length=200, required=False)
    deadline = forms.DateField(label=_("办理时限"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, parent_unit: OrgUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = (  # type: ignore[attr-defined]
            OrgUnit.objects.current().filter(parent=parent_unit, kind=UnitKind.COUNTY).order_by("code")
        )


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("亮牌理由"), max_length=1900, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRequestForm(forms.Form):
    new_deadline = forms.DateField(label=_("申请延期至"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("refuse", _("不批准"))])
    note = forms.CharField(
        label=_("审批意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
