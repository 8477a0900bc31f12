"""The catalogue form (province admin). It only cleans input; `catalogue.save_indicator` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaifang.indicators.models import (
    Authority,
    Direction,
    Indicator,
    ReportedAs,
    Source,
    TimeAggregation,
    UnitAggregation,
)
from kaifang.indicators.services.catalogue import EDITABLE


class IndicatorForm(forms.Form):
    code = forms.RegexField(
        label=_("指标代码"),
        regex=r"^[A-Za-z][A-Za-z0-9_]{1,31}$",
        max_length=32,
        help_text=_("大写字母、数字、下划线，如 FDI、EXPORT_SHARE；创建后不可修改。"),
    )
    name = forms.CharField(label=_("指标名称"), max_length=100)
    unit_of_measure = forms.CharField(label=_("计量单位"), max_length=16, help_text=_("万美元、亿元、个、人、%"))
    category = forms.CharField(label=_("类别"), max_length=40, required=False)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices)
    time_aggregation = forms.ChoiceField(label=_("时间汇总"), choices=TimeAggregation.choices)
    reported_as = forms.ChoiceField(label=_("报送口径"), choices=ReportedAs.choices)
    unit_aggregation = forms.ChoiceField(label=_("单位汇总"), choices=UnitAggregation.choices)
    decimals = forms.IntegerField(label=_("小数位数"), min_value=0, max_value=4, initial=2)
    source = forms.ChoiceField(label=_("数据来源"), choices=Source.choices)
    authority = forms.ChoiceField(label=_("权威口径"), choices=Authority.choices)
    formula = forms.CharField(
        label=_("计算公式"),
        required=False,
        max_length=500,
        help_text=_("仅“公式计算”指标填写，如 share(EXPORT, TRADE) * 100；可用 + − × ÷、括号、share、ratio、yoy。"),
    )
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    allow_negative = forms.BooleanField(
        label=_("允许负数"),
        required=False,
        help_text=_("流量指标的填报值（当月值或累计值）默认不能为负数；仅当该指标确实可能为负时勾选。"),
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instance_obj: Indicator | None = None, **kwargs: Any):
        if instance_obj is not None:
            kwargs["initial"] = {f: getattr(instance_obj, f) for f in [*EDITABLE, "code", "version"]}
        super().__init__(*args, **kwargs)
        self.instance_obj = instance_obj
        if instance_obj is not None:
            self.fields["code"].disabled = True
            self.fields["code"].required = False

    def clean_code(self) -> str:
        if self.instance_obj is not None:
            return self.instance_obj.code
        return str(self.cleaned_data["code"]).upper()
