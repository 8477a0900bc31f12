"""Lists that page: query-string filters → queryset, a sort whitelist, paging with the total count.

Every list of Kaifang (projects, talents, relay reports, tasks, audit, inbox, bulletins, adjustments)
declares one `ListSpec`: its filters, the fields its search box looks in, the sorts it allows and its
page size. A page calls `SPEC.read(request.GET, user=user)` and gets a `Listing`: validated values
(anything unknown is dropped with a message naming the filter, never a 500), `apply(queryset)` with
the filters, search and sort, `page(items)` for one page with the total count, and the links of the
pager and the export (which exports exactly `apply(queryset)`, unpaged). The API reads the same spec
and pages with `ApiPagination` (django-ninja's limit/offset with a count, bounded).

Templates: `core/_list_controls.html` (search, filters, sort, page size, export link) and
`core/_pager.html` (总数, 第 n / N 页, previous/next).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

API_MAX_LIMIT = 500
API_DEFAULT_LIMIT = 100

Choices = Sequence[tuple[str, Any]]


@dataclass(frozen=True)
class Filter:
    """One query-string filter.

    `lookup` is a field lookup ("stage", "unit__code") or a callable (queryset, value) → queryset,
    or None when the view applies the value itself (a derived column such as a task's light).
    `choices` (or `choices_for(user)`) whitelists the values; without them the value is free text
    cut to `max_length`. `widget_for(user)` renders a custom control (the unit picker).
    """

    name: str
    label: Any
    lookup: str | Callable[[Any, str], Any] | None = None
    choices: Choices | None = None
    choices_for: Callable[[Any], Choices] | None = None
    widget_for: Callable[[Any], Any] | None = None
    max_length: int = 50
    pattern: str | None = None  # a regular expression the whole value must match (codes, dates)
    input_type: str = "select"  # select | text | date

    def allowed(self, user: Any) -> Choices | None:
        if self.choices_for is not None:
            return self.choices_for(user)
        return self.choices


@dataclass(frozen=True)
class Sort:
    """One allowed order. Empty `fields`: the view orders the rows itself (derived columns)."""

    key: str
    label: Any
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListSpec:
    filters: tuple[Filter, ...] = ()
    search: tuple[str, ...] = ()  # fields the search box looks in (icontains, any of them)
    search_label: Any = None
    sorts: tuple[Sort, ...] = ()
    page_size: int = 50
    sizes: tuple[int, ...] = (20, 50, 100, 200)

    @property
    def all_sizes(self) -> list[int]:
        return sorted({*self.sizes, self.page_size})

    def read(self, params: Mapping[str, Any], *, user: Any = None) -> Listing:
        """Validate the query string against the spec; unknown values are dropped with a message."""
        listing = Listing(spec=self, user=user)
        for flt in self.filters:
            raw = str(params.get(flt.name, "") or "").strip()
            if not raw:
                continue
            allowed = flt.allowed(user)
            if allowed is not None and raw not in {str(value) for value, _label in allowed}:
                listing.errors.append(_("筛选条件“%(f)s”的值“%(v)s”无效，已忽略。") % {"f": flt.label, "v": raw[:50]})
                continue
            if flt.pattern is not None and not re.fullmatch(flt.pattern, raw):
                message = _("筛选条件“%(f)s”的值“%(v)s”格式不对，已忽略。")
                listing.errors.append(message % {"f": flt.label, "v": raw[:50]})
                continue
            listing.values[flt.name] = raw[: flt.max_length]
        listing.q = str(params.get("q", "") or "").strip()[:50] if self.search else ""
        sort = str(params.get("sort", "") or "")
        keys = [s.key for s in self.sorts]
        if sort and sort not in keys:
            listing.errors.append(_("排序方式“%(v)s”无效，已按默认排序。") % {"v": sort[:30]})
        listing.sort = sort if sort in keys else (keys[0] if keys else "")
        size = str(params.get("size", "") or "")
        listing.size = int(size) if size.isdigit() and int(size) in self.all_sizes else self.page_size
        page = str(params.get("page", "") or "1")
        listing.page_number = int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1
        return listing


@dataclass
class Listing:
    """One request's reading of a `ListSpec`."""

    spec: ListSpec
    user: Any = None
    values: dict[str, str] = field(default_factory=dict)
    q: str = ""
    sort: str = ""
    size: int = 50
    page_number: int = 1
    errors: list[str] = field(default_factory=list)

    def strict(self) -> Listing:
        """For the API: refuse what a page would drop with a message (400 with the messages)."""
        if self.errors:
            raise ValidationError(self.errors)
        return self

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    @property
    def sort_fields(self) -> tuple[str, ...]:
        return next((s.fields for s in self.spec.sorts if s.key == self.sort), ())

    def apply(self, queryset: Any) -> Any:
        """The filters with a lookup, the search and the sort (when it has fields) on `queryset`."""
        for flt in self.spec.filters:
            value = self.values.get(flt.name)
            if value is None or flt.lookup is None:
                continue
            queryset = flt.lookup(queryset, value) if callable(flt.lookup) else queryset.filter(**{flt.lookup: value})
        if self.q and self.spec.search:
            match = Q()
            for name in self.spec.search:
                match |= Q(**{f"{name}__icontains": self.q})
            queryset = queryset.filter(match)
        if self.sort_fields:
            queryset = queryset.order_by(*self.sort_fields)
        return queryset

    def page(self, items: Any) -> ListPage:
        """One page of `items` (a queryset or a list); a page past the end shows the last page."""
        return ListPage(Paginator(items, self.size).get_page(self.page_number), self)

    # --- Links ------------------------------------------------------------------------------------

    def state(self) -> dict[str, str]:
        """The query string of the current list without the page number."""
        state = dict(self.values)
        if self.q:
            state["q"] = self.q
        default_sort = self.spec.sorts[0].key if self.spec.sorts else ""
        if self.sort and self.sort != default_sort:
            state["sort"] = self.sort
        if self.size != self.spec.page_size:
            state["size"] = str(self.size)
        return state

    def querystring(self, **changes: Any) -> str:
        state = self.state()
        for key, value in changes.items():
            if value in (None, ""):
                state.pop(key, None)
            else:
                state[key] = str(value)
        return urlencode(state)

    def page_link(self, number: int) -> str:
        return "?" + self.querystring(page=number if number > 1 else None)

    def described(self) -> dict[str, str]:
        """The active filters, search and sort, for the audit record of an export."""
        out = dict(self.values)
        if self.q:
            out["q"] = self.q
        if self.sort:
            out["sort"] = self.sort
        return out

    # --- Controls -----------------------------------------------------------------------------------

    def controls(self) -> list[dict[str, Any]]:
        """The filter controls for `core/_list_controls.html`, each with its current value."""
        out = []
        for flt in self.spec.filters:
            value = self.values.get(flt.name, "")
            control: dict[str, Any] = {"name": flt.name, "label": flt.label, "value": value, "type": flt.input_type}
            if flt.widget_for is not None:
                control["html"] = self.render_widget(flt, value)
            else:
                allowed = flt.allowed(self.user)
                if allowed is not None:
                    control["choices"] = [(str(v), label, str(v) == value) for v, label in allowed]
            out.append(control)
        return out

    def render_widget(self, flt: Filter, value: str) -> SafeString:
        assert flt.widget_for is not None
        widget = flt.widget_for(self.user)
        return format_html("{}", widget.render(flt.name, value or None, attrs={"id": f"filter-{flt.name}"}))

    @property
    def sort_choices(self) -> list[tuple[str, Any, bool]]:
        return [(s.key, s.label, s.key == self.sort) for s in self.spec.sorts]

    @property
    def size_choices(self) -> list[tuple[int, bool]]:
        return [(n, n == self.size) for n in self.spec.all_sizes]

    @property
    def is_filtered(self) -> bool:
        return bool(self.values or self.q)


@dataclass
class ListPage:
    """One page and the pager's links (`core/_pager.html`); iterating yields the page's rows."""

    page: Page[Any]
    listing: Listing

    def __iter__(self) -> Any:
        return iter(self.page.object_list)

    def __len__(self) -> int:
        return len(self.page.object_list)

    @property
    def rows(self) -> Any:
        return self.page.object_list

    @property
    def count(self) -> int:
        return int(self.page.paginator.count)

    @property
    def number(self) -> int:
        return int(self.page.number)

    @property
    def num_pages(self) -> int:
        return int(self.page.paginator.num_pages)

    @property
    def start(self) -> int:
        return int(self.page.start_index())

    @property
    def end(self) -> int:
        return int(self.page.end_index())

    @property
    def prev_url(self) -> str:
        return self.listing.page_link(self.number - 1) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.listing.page_link(self.number + 1) if self.page.has_next() else ""

    @property
    def first_url(self) -> str:
        return self.listing.page_link(1) if self.number > 2 else ""

    @property
    def last_url(self) -> str:
        return self.listing.page_link(self.num_pages) if self.number < self.num_pages - 1 else ""


# --- The API --------------------------------------------------------------------------------------


class ApiPagination(LimitOffsetPagination):
    """django-ninja's limit/offset pagination with the total count, bounded at `API_MAX_LIMIT` rows:
    `{"items": [...], "count": N}`; a larger limit is refused (422), not silently cut."""

    class Input(Schema):
        limit: int = Field(API_DEFAULT_LIMIT, ge=1, le=API_MAX_LIMIT, description=f"每页条数（1–{API_MAX_LIMIT}）")
        offset: int = Field(0, ge=0, le=10**7, description="跳过的条数")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=API_MAX_LIMIT, **kwargs)
