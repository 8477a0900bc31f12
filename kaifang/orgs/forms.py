"""The unit picker: one widget for every choice of a unit (牵头单位, 配合单位, 分会场, 责任单位 …).

It renders a native <select> grouped by city (it works without JavaScript) plus the data that
`kaifang/js/unitpicker.js` turns into a type-ahead: search by name, pinyin initials (sys → 沈阳市)
or code, full names where a name repeats (沈阳市铁西区 / 鞍山市铁西区), tick boxes, a whole city
or a unit group (沿海六市, 辽西北 …) at once, and the keyboard (↑ ↓ Enter Space Esc Backspace).

Use it through a ModelChoiceField / ModelMultipleChoiceField whose queryset is already limited to
what the user may choose; the choices' values are whatever the field uses (code or pk). Its
template lives in kaifang/orgs/templates/ because Django's form renderer looks in app folders.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaifang.core.listing import Filter
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.selectors import picker_entries, picker_groups

PICKER_TEMPLATE = "orgs/widgets/unit_picker.html"
TEXTS = {
    "search": _("输入名称、拼音首字母或代码"),
    "none": _("没有匹配的单位"),
    "remove": _("移除"),
    "groups": _("按分组选择"),
    "city": _("选本市全部"),
    "chosen": _("已选"),
    "clear": _("清空"),
    "results": _("个匹配"),
    "empty": _("未选择"),
}


class UnitPickerMixin:
    multiple: bool = False

    def __init__(self, attrs: dict[str, Any] | None = None, *, groups: bool = True, type_ahead: bool = True) -> None:
        """`type_ahead=False` renders the grouped native select only, without the data for the
        script: for a form repeated on every row of a table (a parsed speech's 30 draft items), where
        30 copies of every unit would weigh more than the page."""
        super().__init__(attrs)  # type: ignore[call-arg]
        self.offer_groups = groups
        self.type_ahead = type_ahead

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        css = context["widget"]["attrs"].get("class", "")
        context["widget"]["attrs"]["class"] = f"{css} unit-picker-native".strip()
        selected = {str(v) for v in context["widget"]["value"] if v not in (None, "")}
        pairs: list[tuple[str, OrgUnit]] = []
        empty_label = ""
        for option_value, option_label in self.choices:  # type: ignore[attr-defined]
            instance = getattr(option_value, "instance", None)
            if instance is None:
                empty_label = str(option_label) if str(option_value) == "" else empty_label
                continue
            pairs.append((str(option_value), instance))
        entries = picker_entries(pairs)
        groups: dict[str, list[dict[str, Any]]] = {}
        for e in entries:
            groups.setdefault(e.group, []).append({**e.__dict__, "selected": e.value in selected})
        value_of = {e.code: e.value for e in entries}
        unit_groups = picker_groups(set(value_of)) if self.multiple and self.offer_groups else []
        context["picker"] = {
            "type_ahead": self.type_ahead,
            "multiple": self.multiple,
            "empty_label": empty_label,
            "optgroups": list(groups.items()),
            "data_id": f"{context['widget']['attrs'].get('id') or name}-units",
            "data": {
                "entries": [e.__dict__ for e in entries],
                "groups": [{"name": g["name"], "values": [value_of[c] for c in g["members"]]} for g in unit_groups],
                "texts": {k: str(v) for k, v in TEXTS.items()},
            },
        }
        return context


class UnitPicker(UnitPickerMixin, forms.Select):
    """One unit (牵头单位, 责任单位 …)."""

    template_name = PICKER_TEMPLATE


class UnitMultiPicker(UnitPickerMixin, forms.SelectMultiple):
    """Several units (配合单位, 分会场 …): tick boxes, a whole city, or a unit group at once."""

    template_name = PICKER_TEMPLATE
    multiple = True


def unit_choice_field(units: Any, *, multiple: bool = False, **kwargs: Any) -> forms.Field:
    """A code-valued unit field on `units` with the picker (for filters built outside a Form)."""
    if multiple:
        return forms.ModelMultipleChoiceField(
            queryset=units, to_field_name="code", required=False, widget=UnitMultiPicker(), **kwargs
        )
    return forms.ModelChoiceField(queryset=units, to_field_name="code", required=False, widget=UnitPicker(), **kwargs)


def visible_unit_picker(user: Any) -> forms.Widget:
    """The picker over every current unit `user` may see (for a list's unit filter)."""
    return unit_choice_field(OrgUnit.objects.visible_to(user).current().order_by("path")).widget


def unit_filter(
    *, name: str = "unit", label: Any = None, relation: str = "unit", units: Any = None, subtree: bool = True
) -> Filter:
    """A list filter (kaifang.core.listing) on a unit, by default with everything below it (a city
    with its counties), offered through the picker over `units(user)` (default: the visible units).
    The list's queryset is already limited to what the user may see, so a code outside it finds nothing."""

    def lookup(queryset: Any, code: str) -> Any:
        if subtree:
            return queryset.filter(**{f"{relation}__path__contains": f"/{code}/"})
        return queryset.filter(**{f"{relation}__code": code})

    def widget_for(user: Any) -> Any:
        if units is None:
            return visible_unit_picker(user)
        return unit_choice_field(units(user).order_by("path")).widget

    return Filter(
        name, label or _("单位"), lookup=lookup, widget_for=widget_for, max_length=32, pattern=r"[A-Za-z0-9_-]{1,32}"
    )
