from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("账号"), required=False, max_length=150)
    action = forms.CharField(label=_("操作"), required=False, max_length=64)
    unit = forms.CharField(label=_("单位代码"), required=False, max_length=32)
    obj = forms.CharField(label=_("对象"), required=False, max_length=100)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
