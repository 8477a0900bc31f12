"""Forms of the ledger pages. Unit choices are limited to what the user may see and write for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaifang.core import clock
from kaifang.ledgers.reference import ORIGIN_CHOICES, Currency, FollowUpKind, Industry, TalentKind, TalentLevel
from kaifang.ledgers.services import ProjectInput
from kaifang.ledgers.services.talents import TalentInput
from kaifang.orgs.forms import UnitPicker
from kaifang.orgs.models import OrgUnit, UnitKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def responsible_units(user: Any) -> Any:
    return (
        OrgUnit.objects.visible_to(user)
        .current()
        .of_kind(UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY, UnitKind.DEPARTMENT)
        .order_by("path")
    )


def platforms(user: Any) -> Any:
    """Platforms are listed province-wide: a county's project may sit in its city's zone."""
    return OrgUnit.objects.current().of_kind(UnitKind.PLATFORM).order_by("path")


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A unit through the unit picker (grouped by city, type-ahead by name, pinyin initials or code)."""

    widget = UnitPicker


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    investor_name = forms.CharField(label=_("投资方"), max_length=200)
    is_fortune500 = forms.BooleanField(label=_("世界500强企业"), required=False)
    origin = forms.ChoiceField(label=_("来源国家/地区"), choices=ORIGIN_CHOICES)
    industry = forms.ChoiceField(
        label=_("行业门类（GB/T 4754）"), choices=[(c, f"{c} {n}") for c, n in Industry.choices]
    )
    unit = UnitChoiceField(label=_("责任单位"), queryset=OrgUnit.objects.none(), empty_label=_("请选择单位"))
    platform = UnitChoiceField(
        label=_("所在平台"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("（不在开放平台）")
    )
    leader = forms.CharField(label=_("包保领导"), max_length=50, required=False)
    agreed_amount = forms.DecimalField(label=_("协议（意向）投资额"), min_value=0, max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices)
    lead_received_on = forms.DateField(label=_("线索获得日期"), widget=DATE_INPUT)
    description = forms.CharField(
        label=_("项目简介"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = responsible_units(user)  # type: ignore[attr-defined]
        self.fields["platform"].queryset = platforms(user)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["lead_received_on"].initial = clock.today()
            if getattr(user, "unit", None) is not None:
                self.fields["unit"].initial = user.unit.pk

    def to_input(self) -> ProjectInput:
        d = self.cleaned_data
        return ProjectInput(
            name=d["name"],
            investor_name=d["investor_name"],
            origin=d["origin"],
            industry=d["industry"],
            unit=d["unit"],
            platform=d["platform"],
            leader=d["leader"],
            agreed_amount=d["agreed_amount"],
            currency=d["currency"],
            lead_received_on=d["lead_received_on"],
            description=d["description"],
            is_fortune500=d["is_fortune500"],
        )


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=24, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    effective_on = forms.DateField(label=_("生效日期"), widget=DATE_INPUT)
    evidence = forms.CharField(label=_("依据说明"), max_length=2000, required=False)


class TransferForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_unit = UnitChoiceField(label=_("移交给"), queryset=OrgUnit.objects.none(), empty_label=_("请选择单位"))
    effective_on = forms.DateField(label=_("移交日期"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("原因"), max_length=2000, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = responsible_units(user)  # type: ignore[attr-defined]


class AmountForm(forms.Form):
    amount = forms.DecimalField(label=_("金额"), min_value=0, max_digits=16, decimal_places=2)
    currency = forms.ChoiceField(label=_("币种"), choices=Currency.choices)
    on = forms.DateField(label=_("日期"), widget=DATE_INPUT)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class MilestoneForm(forms.Form):
    milestone = forms.ChoiceField(choices=[("respond", _("响应")), ("assess", _("研判")), ("feedback", _("反馈"))])
    on = forms.DateField(label=_("日期"), widget=DATE_INPUT)


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=FollowUpKind.choices)
    text = forms.CharField(label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TalentForm(forms.Form):
    name = forms.CharField(label=_("姓名/团队名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=TalentKind.choices)
    headcount = forms.IntegerField(label=_("人数"), min_value=1, max_value=500, initial=1)
    field = forms.CharField(label=_("专业领域"), max_length=100)
    level = forms.ChoiceField(label=_("人才层次"), choices=TalentLevel.choices)
    programme = forms.CharField(label=_("人才计划"), max_length=100, required=False)
    employer = forms.CharField(label=_("用人单位"), max_length=200)
    unit = UnitChoiceField(label=_("责任单位"), queryset=OrgUnit.objects.none(), empty_label=_("请选择单位"))
    introduced_on = forms.DateField(label=_("引进日期"), widget=DATE_INPUT)
    source_region = forms.ChoiceField(label=_("来源地"), choices=ORIGIN_CHOICES)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    id_number = forms.CharField(label=_("身份证件号码"), max_length=18, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = responsible_units(user)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["introduced_on"].initial = clock.today()
            if getattr(user, "unit", None) is not None:
                self.fields["unit"].initial = user.unit.pk

    def to_input(self) -> TalentInput:
        d = self.cleaned_data
        return TalentInput(
            name=d["name"],
            kind=d["kind"],
            headcount=d["headcount"],
            field=d["field"],
            level=d["level"],
            programme=d["programme"],
            employer=d["employer"],
            unit=d["unit"],
            introduced_on=d["introduced_on"],
            source_region=d["source_region"],
            phone=d.get("phone", ""),
            id_number=d.get("id_number", ""),
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("台账文件（.xlsx）"))
    commit = forms.BooleanField(required=False, widget=forms.HiddenInput)
