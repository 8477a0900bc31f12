"""The shared list helper: filters that combine, a sort whitelist, pages with the total, bad input
dropped with a message naming the filter, and the API's bounded limit/offset."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kaifang.core.listing import ApiPagination, Filter, ListSpec, Sort
from kaifang.orgs.models import OrgUnit, UnitKind

pytestmark = pytest.mark.django_db

UNITS = ListSpec(
    filters=(
        Filter("kind", "类型", lookup="kind", choices=UnitKind.choices),
        Filter("parent", "上级", lookup="parent__code", pattern=r"\d{6}"),
    ),
    search=("name", "code"),
    sorts=(Sort("path", "路径", ("path",)), Sort("name", "名称", ("name", "path")), Sort("light", "灯色")),
    page_size=5,
    sizes=(5, 10),
)


def test_filters_combine_and_the_total_counts_every_page():
    # Shenyang (210100) has 13 current districts and counties: kind=county AND parent=210100.
    listing = UNITS.read({"kind": "county", "parent": "210100", "page": "2"})
    rows = listing.apply(OrgUnit.objects.current())
    page = listing.page(rows)
    assert page.count == 13 and page.num_pages == 3  # 5 + 5 + 3
    assert (page.start, page.end) == (6, 10)
    first = [u.code for u in UNITS.read({"kind": "county", "parent": "210100"}).page(rows)]
    assert set(first).isdisjoint(u.code for u in page)  # page 2 is not page 1 again
    assert page.prev_url == "?kind=county&parent=210100" and page.next_url == "?kind=county&parent=210100&page=3"


def test_a_page_past_the_end_shows_the_last_page_and_a_bad_page_the_first():
    rows = OrgUnit.objects.current().filter(parent__code="210100", kind="county").order_by("path")  # 13: 3 pages
    assert UNITS.read({"page": "99"}).page(rows).number == 3
    assert UNITS.read({"page": "-1"}).page(rows).number == 1
    assert UNITS.read({"page": "abc"}).page(rows).number == 1


def test_unknown_values_are_dropped_with_a_message_naming_the_filter():
    listing = UNITS.read({"kind": "galaxy", "parent": "21'; drop", "sort": "salary", "size": "1000"})
    assert listing.values == {} and listing.sort == "path" and listing.size == 5
    assert listing.errors == [
        "筛选条件“类型”的值“galaxy”无效，已忽略。",
        "筛选条件“上级”的值“21'; drop”格式不对，已忽略。",
        "排序方式“salary”无效，已按默认排序。",
    ]
    with pytest.raises(ValidationError):
        listing.strict()  # the API refuses instead of dropping


def test_search_looks_in_every_named_field_and_sorting_follows_the_whitelist():
    listing = UNITS.read({"q": "铁西", "sort": "name"})
    names = [u.name for u in listing.apply(OrgUnit.objects.current())]
    assert names == ["铁西区", "铁西区"]  # 沈阳 and 鞍山 each have one
    by_code = UNITS.read({"q": "210106"}).apply(OrgUnit.objects.all())
    assert [u.name for u in by_code] == ["铁西区"]


def test_a_sort_without_fields_leaves_the_order_to_the_view():
    listing = UNITS.read({"sort": "light"})
    assert listing.sort == "light" and listing.sort_fields == ()
    assert listing.querystring() == "sort=light"


def test_the_export_audit_describes_the_filters_search_and_sort():
    listing = UNITS.read({"kind": "county", "q": "区", "sort": "name", "page": "3"})
    assert listing.described() == {"kind": "county", "q": "区", "sort": "name"}


def test_the_api_pagination_is_bounded():
    assert ApiPagination.Input.model_fields["limit"].metadata[1].le == 500
    with pytest.raises(ValueError):
        ApiPagination.Input(limit=501, offset=0)
