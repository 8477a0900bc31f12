from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaifang.assessment.models import BulletinFormat
from kaifang.orgs.forms import UnitPicker
from kaifang.orgs.models import OrgUnit


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("发布说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdjustmentForm(forms.Form):
    item = forms.ChoiceField(label=_("考核项"))
    unit = forms.ModelChoiceField(
        label=_("单位"), queryset=OrgUnit.objects.none(), to_field_name="code", widget=UnitPicker()
    )
    period = forms.CharField(label=_("计入期间（YYYY-MM）"), max_length=7)
    points = forms.DecimalField(label=_("分值"), max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("事由"), max_length=200)
    evidence = forms.CharField(label=_("依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_file = forms.FileField(label=_("依据材料"), required=False)


class BulletinForm(forms.Form):
    period = forms.CharField(label=_("期间（YYYY-MM）"), max_length=7)
    kind = forms.ChoiceField(label=_("类型"), choices=[("monthly", _("月度通报")), ("quarterly", _("季度通报"))])
    format = forms.ChoiceField(label=_("格式"), choices=BulletinFormat.choices)
