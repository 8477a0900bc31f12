"""Forms of the correction pages: choosing the unit and month, the request itself, a step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaifang.corrections.models import CorrectionState
from kaifang.corrections.selectors import StoredRow
from kaifang.corrections.services import FigureChange
from kaifang.corrections.workflow import ACTIONS

PERIOD_PATTERN = r"^\d{4}-\d{2}$"


class ChooseForm(forms.Form):
    """Step one: whose figures, of which month (GET)."""

    unit = forms.ChoiceField(label=_("单位"))
    period = forms.RegexField(label=_("月份（YYYY-MM）"), regex=PERIOD_PATTERN, max_length=7)

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    """Step two: beside each typed indicator its stored value (`ver_<code>`: the version shown),
    the new value (`new_<code>`, left empty for figures that stay), the reason and evidence."""

    reason = forms.CharField(label=_("更正原因"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(label=_("依据材料（可选）"), required=False)
    action = forms.ChoiceField(choices=[("submit", _("提交审批")), ("draft", _("保存草稿"))], required=False)

    def __init__(self, rows: list[StoredRow], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            code = row.indicator.code
            self.fields[f"new_{code}"] = forms.CharField(required=False, max_length=40, label=row.indicator.name)
            self.fields[f"ver_{code}"] = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
            self.initial.setdefault(f"ver_{code}", row.version)

    def lines(self) -> list[dict[str, Any]]:
        """Each row with its two fields, for the template."""
        return [
            {"row": r, "new": self[f"new_{r.indicator.code}"], "ver": self[f"ver_{r.indicator.code}"]}
            for r in self.rows
        ]

    def changes(self) -> list[FigureChange]:
        """The figures the user typed a new value for (the others stay as they are)."""
        out = []
        for row in self.rows:
            code = row.indicator.code
            typed = (self.cleaned_data.get(f"new_{code}") or "").strip()
            if typed:
                seen = self.cleaned_data.get(f"ver_{code}")
                out.append(FigureChange(code, typed, seen if seen is not None else row.version))
        return out

    @property
    def submit(self) -> bool:
        return self.cleaned_data.get("action") != "draft"

    def field_for(self, key: str) -> str | None:
        """The form field a service error keyed by indicator code belongs to."""
        for name in (key, f"new_{key}"):
            if name in self.fields:
                return name
        return None


class StepForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = forms.IntegerField(min_value=1)
    reason = forms.CharField(required=False, max_length=2000)


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *CorrectionState.choices])
