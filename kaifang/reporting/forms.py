"""Forms of the reporting pages: the entry form (one field, explanation and version per indicator),
a workflow action, an upload."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.periods import parse_period
from kaifang.reporting.selectors import EntryRow

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class EntryForm(forms.Form):
    """`v_<code>` the figure as typed (text: parsed by the validation rules, never float),
    `c_<code>` the explanation, `ver_<code>` the version the user loaded, `key` the idempotency key."""

    key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("save", _("保存草稿")), ("submit", _("提交"))], required=False)

    def __init__(self, rows: list[EntryRow], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = [r for r in rows if not r.read_only]
        for row in self.rows:
            code = row.indicator.code
            self.fields[f"v_{code}"] = forms.CharField(required=False, max_length=40, label=row.indicator.name)
            self.fields[f"c_{code}"] = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
            self.fields[f"ver_{code}"] = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
        if not self.is_bound:
            self.initial["key"] = uuid.uuid4().hex
            for row in self.rows:
                code = row.indicator.code
                self.initial[f"v_{code}"] = plain(row.value.reported) if row.value else ""
                self.initial[f"c_{code}"] = row.value.comment if row.value else ""
                self.initial[f"ver_{code}"] = row.value.version if row.value else None

    def typed(self) -> dict[str, str]:
        return {r.indicator.code: self.cleaned_data.get(f"v_{r.indicator.code}", "").strip() for r in self.rows}

    def comments(self) -> dict[str, str]:
        return {r.indicator.code: self.cleaned_data.get(f"c_{r.indicator.code}", "").strip() for r in self.rows}

    def entries(self, parsed: dict[str, Decimal | None]) -> list[ValueEntry]:
        """Entries for save_values from figures the validation rules parsed (invalid ones left out)."""
        out = []
        comments = self.comments()
        for row in self.rows:
            code = row.indicator.code
            if code not in parsed:
                continue
            out.append(ValueEntry(code, parsed[code], comments[code], self.cleaned_data.get(f"ver_{code}")))
        return out


def plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("submit", "submit"),
            ("approve", "approve"),
            ("return", "return"),
            ("unapprove", "unapprove"),
            ("lock", "lock"),
            ("withdraw", "withdraw"),
        ]
    )
    reason = forms.CharField(required=False, max_length=1000)
    key = forms.CharField(required=False, max_length=64)
    version = forms.IntegerField(required=False, min_value=1)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("填好的表格文件（.xlsx 或 .ods）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 10 MB。"))
        return upload


class RoundForm(forms.Form):
    """Opening a round: the month, the indicators, which units report, the dates."""

    period = forms.CharField(label=_("期间（YYYY-MM）"), max_length=7)
    name = forms.CharField(label=_("名称"), max_length=100)
    opens_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline_on = forms.DateField(label=_("截止日期（当天 24 时前）"), widget=forms.DateInput(attrs={"type": "date"}))
    grace_days = forms.IntegerField(label=_("宽限天数"), min_value=0, max_value=30, initial=2)
    indicators = forms.MultipleChoiceField(label=_("指标"), widget=forms.CheckboxSelectMultiple)
    cities = forms.MultipleChoiceField(
        label=_("这些市的全部县（市、区）报送"), widget=forms.CheckboxSelectMultiple, required=False
    )
    city_level = forms.MultipleChoiceField(
        label=_("市本级也报送的市"), widget=forms.CheckboxSelectMultiple, required=False
    )
    departments = forms.MultipleChoiceField(label=_("省直部门"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args: Any, indicators: list[Any], cities: list[Any], departments: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = {
            "indicators": [(i.code, f"{i.name}（{i.unit_of_measure}）") for i in indicators],
            "cities": [(u.code, u.name) for u in cities],
            "city_level": [(u.code, u.name) for u in cities],
            "departments": [(u.code, u.name) for u in departments],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = options

    def clean_period(self) -> Any:
        return parse_period(self.cleaned_data["period"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("cities") or data.get("city_level") or data.get("departments")):
            raise forms.ValidationError(_("请至少选择一类报送单位。"))
        if data.get("opens_on") and data.get("deadline_on") and data["deadline_on"] < data["opens_on"]:
            self.add_error("deadline_on", _("截止日期不能早于开始日期。"))
        return data


class CalendarForm(forms.Form):
    """The rule of a year's reporting calendar (`services.calendar.CalendarRule`)."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    months = forms.TypedMultipleChoiceField(
        label=_("报送月份"),
        coerce=int,
        choices=[(m, _("%(m)d月") % {"m": m}) for m in range(1, 13)],
        widget=forms.CheckboxSelectMultiple,
    )
    opens_day = forms.IntegerField(label=_("次月几日开始"), min_value=1, max_value=28, initial=1)
    deadline_day = forms.IntegerField(label=_("次月几日截止"), min_value=1, max_value=28, initial=10)
    grace_days = forms.IntegerField(label=_("宽限天数"), min_value=0, max_value=15, initial=2)
    weekend_to_monday = forms.BooleanField(label=_("截止日逢周末顺延到周一"), required=False, initial=True)
    unit_kinds = forms.MultipleChoiceField(
        label=_("报送单位"),
        choices=[
            ("county", _("县（市、区）")),
            ("city", _("市本级")),
            ("department", _("省直部门")),
            ("platform", _("开放平台")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = forms.MultipleChoiceField(label=_("报送指标"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, indicators: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(i.code, f"{i.name}（{i.unit_of_measure}）") for i in indicators]  # type: ignore[attr-defined]

    def rule(self) -> Any:
        from kaifang.reporting.services.calendar import CalendarRule

        data = self.cleaned_data
        return CalendarRule(
            year=data["year"],
            months=tuple(data["months"]),
            opens_day=data["opens_day"],
            deadline_day=data["deadline_day"],
            grace_days=data["grace_days"],
            weekend_to_monday=data["weekend_to_monday"],
            unit_kinds=tuple(data["unit_kinds"]),
            indicators=tuple(data["indicators"]),
        )
