"""Forms of the meeting pages. They validate shapes; services validate rules and scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaifang.meetings.models import MeetingKind, RelayForm
from kaifang.orgs.forms import UnitMultiPicker, UnitPicker
from kaifang.orgs.models import OrgUnit, UnitKind

VENUE_SETS = [
    (UnitKind.CITY, _("各市")),
    (UnitKind.COUNTY, _("各县（市、区）")),
    (UnitKind.DEPARTMENT, _("省直部门")),
    (UnitKind.PLATFORM, _("开放平台")),
]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
NUMERIC = {"inputmode": "numeric", "pattern": "[0-9]*"}  # phones open the number pad


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), required=False, widget=DateTimeInput(), input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
    )
    main_room = forms.CharField(label=_("主会场地点"), max_length=200, required=False)
    main_contact = forms.CharField(label=_("主会场联系人"), max_length=50, required=False)
    main_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    conference_link = forms.CharField(
        label=_("视频会议室链接"), max_length=500, required=False, help_text=_("仅保存链接，视频由现有会议系统提供。")
    )
    late_grace_minutes = forms.IntegerField(label=_("迟到宽限（分钟）"), min_value=0, max_value=120, initial=5)
    agenda = forms.CharField(label=_("会议议程"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    venue_sets = forms.MultipleChoiceField(
        label=_("分会场"), choices=VENUE_SETS, required=False, widget=forms.CheckboxSelectMultiple
    )
    venue_units = forms.ModelMultipleChoiceField(
        label=_("其他分会场单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=UnitMultiPicker(),
        help_text=_("输入名称、拼音首字母或代码查找，可勾选多个或按分组选入；与上面勾选的类别合并。"),
    )

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["venue_units"].queryset = units  # type: ignore[attr-defined]


class ReceiptForm(forms.Form):
    attending = forms.TypedChoiceField(
        label=_("回执"),
        choices=[("1", _("参会")), ("0", _("请假"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    leader_name = forms.CharField(label=_("参会领导"), max_length=50, required=False)
    leader_title = forms.CharField(label=_("职务"), max_length=100, required=False)
    head_count = forms.IntegerField(
        label=_("参会人数"), min_value=0, max_value=500, required=False, widget=forms.NumberInput(attrs=NUMERIC)
    )
    leave_reason = forms.CharField(label=_("请假事由"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VenueForm(forms.Form):
    room = forms.CharField(label=_("会场地点"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("签到码"),
        max_length=12,
        help_text=_("输入主会场屏幕上显示的 6 位数字（每 30 秒更换）。"),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autocomplete": "off",
                "enterkeyhint": "go",
                "class": "code-input",
            }
        ),
    )


class ManualCheckInForm(forms.Form):
    unit = forms.CharField(max_length=32, widget=forms.HiddenInput)
    note = forms.CharField(label=_("补签原因"), max_length=200)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    speaker = forms.CharField(label=_("讲话人"), max_length=100, required=False)
    text = forms.CharField(label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    file = forms.FileField(label=_("或上传文件（txt、docx）"), required=False, allow_empty_file=True)


class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("事项"), max_length=300)
    excerpt = forms.CharField(label=_("原文摘录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    speaker = forms.CharField(label=_("讲话人"), max_length=100, required=False)
    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("（请选择）"),
        widget=UnitPicker(),
    )
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=DateInput())

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]


class ResolutionTaskForm(forms.Form):
    """The lead unit and deadline a resolution needs before it becomes a task."""

    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("（牵头单位）"),
        widget=UnitPicker(type_ahead=False),  # one per row of the table
    )
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=DateInput())

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]


class RelayReportForm(forms.Form):
    relayed_on = forms.DateField(label=_("传达日期"), widget=DateInput())
    form = forms.ChoiceField(label=_("传达形式"), choices=RelayForm.choices)
    attendees = forms.IntegerField(
        label=_("参加人数"), min_value=0, max_value=100000, initial=0, widget=forms.NumberInput(attrs=NUMERIC)
    )
    text = forms.CharField(label=_("落实情况"), widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SpeechInputForm(forms.Form):
    text = forms.CharField(
        label=_("粘贴讲话稿或会议报道"), required=False, widget=forms.Textarea(attrs={"rows": 14}), max_length=200_000
    )
    file = forms.FileField(label=_("或上传文件（txt、docx，2 MB 以内）"), required=False, allow_empty_file=True)
    meeting = forms.TypedChoiceField(label=_("所属会议"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, meetings: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [("", _("（不关联会议）"))] + [(m.pk, m.title) for m in meetings]  # type: ignore[attr-defined]


class DraftItemForm(forms.Form):
    """One editable row of the parsed draft."""

    selected = forms.BooleanField(label=_("选用"), required=False)
    speaker = forms.CharField(label=_("讲话人"), max_length=100, required=False)
    ordinal = forms.IntegerField(label=_("序号"), required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("事项"), max_length=200, required=False)
    body = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    places = forms.CharField(label=_("涉及地区"), max_length=300, required=False)
    lead_unit = forms.ModelChoiceField(
        label=_("牵头单位"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("（请选择）"),
        widget=UnitPicker(type_ahead=False),  # one per row of the draft table
    )
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=DateInput())

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("selected"):
            if not data.get("title"):
                self.add_error("title", _("请填写事项名称。"))
            if not data.get("lead_unit"):
                self.add_error("lead_unit", _("请选择牵头单位。"))
            if not data.get("deadline"):
                self.add_error("deadline", _("请填写完成时限。"))
        return data


DraftItemFormSet = forms.formset_factory(DraftItemForm, extra=0, max_num=300, absolute_max=300)
