"""Reads of the assessment area: running scores, published results, entries — always scoped.

Scheme definitions (the rules) are readable by every signed-in user. Result rows are filtered by
the one visibility rule: a unit sees its own row (with its rank in the group), a city its own row
and its counties', the province every row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy

from kaifang.accounts.permissions import is_province_user, is_read_only
from kaifang.assessment import engine
from kaifang.assessment.inputs import Gathered, gather
from kaifang.assessment.models import (
    AdjustmentState,
    AssessmentScheme,
    AssessmentSnapshot,
    Bulletin,
    BulletinFormat,
    BulletinStatus,
    ManualAdjustment,
    SchemeStatus,
)
from kaifang.assessment.running import Rank as Rank
from kaifang.assessment.running import running_rank as running_rank
from kaifang.assessment.running import running_results as running_results
from kaifang.core.listing import Filter, Listing, ListSpec, Sort
from kaifang.orgs.forms import unit_filter
from kaifang.orgs.models import OrgUnit
from kaifang.orgs.scope import scope_root


@dataclass
class Run:
    """A scheme scored from the current data: not stored, recomputed on demand."""

    scheme: AssessmentScheme
    period: datetime.date
    gathered: Gathered
    outcome: engine.Outcome

    @cached_property
    def inputs(self) -> dict[str, Any]:
        """The inputs as JSON (built only when needed: publishing freezes them)."""
        return self.gathered.as_json()

    def results(self) -> dict[str, Any]:
        data = self.outcome.to_dict()
        data["period"] = f"{self.period:%Y-%m}"
        data["scheme_number"] = self.scheme.number
        return data


def assess(*, scheme: AssessmentScheme, period: datetime.date) -> Run:
    """Score the scheme's group for `period` from the data as it is now (a running score mid-year)."""
    gathered = gather(scheme, period)
    outcome = engine.score(scheme.to_engine(), gathered.data)
    return Run(scheme=scheme, period=period, gathered=gathered, outcome=outcome)


def scheme_queryset() -> Any:
    return AssessmentScheme.objects.select_related("group").prefetch_related("items__indicator")


def visible_schemes(user: Any) -> list[AssessmentScheme]:
    """The version in use (or the latest draft) of every scheme code; nothing for anonymous users."""
    if scope_root(user) is None:
        return []
    latest: dict[str, AssessmentScheme] = {}
    for scheme in scheme_queryset().order_by("code", "-number"):
        current = latest.get(scheme.code)
        if current is None or (scheme.status == SchemeStatus.ACTIVE and current.status != SchemeStatus.ACTIVE):
            latest[scheme.code] = scheme
    return sorted(latest.values(), key=lambda s: (-s.year, s.code))


def get_scheme_for_user(user: Any, code: str, number: int | None = None) -> AssessmentScheme:
    """The version in use of scheme `code` (or version `number`); 404 for anonymous users."""
    if scope_root(user) is None:
        raise Http404("scheme not found")
    schemes = scheme_queryset().filter(code=code[:32])
    scheme = (
        schemes.filter(number=number).first()
        if number
        else schemes.filter(status=SchemeStatus.ACTIVE).first() or schemes.order_by("-number").first()
    )
    if scheme is None:
        raise Http404("scheme not found")
    return scheme


def scheme_versions(code: str) -> list[AssessmentScheme]:
    return list(AssessmentScheme.objects.filter(code=code).order_by("-number"))


def visible_unit_codes(user: Any, codes: list[str]) -> set[str]:
    return set(OrgUnit.objects.visible_to(user).filter(code__in=codes).values_list("code", flat=True))


def visible_results(user: Any, results: dict[str, Any]) -> dict[str, Any]:
    """`results` (an Outcome as JSON) with only the unit rows `user` may see."""
    codes = visible_unit_codes(user, [u["code"] for u in results["units"]])
    return {
        **results,
        "units": [u for u in results["units"] if u["code"] in codes],
        "group_size": len(results["units"]),
    }


def unit_result(user: Any, results: dict[str, Any], unit_code: str) -> dict[str, Any]:
    """One unit's row of `results`, or 404 outside scope or outside the group."""
    for row in visible_results(user, results)["units"]:
        if row["code"] == unit_code:
            return row
    raise Http404("unit not in results")


def snapshots_of(scheme_code: str, period: datetime.date | None = None) -> list[AssessmentSnapshot]:
    snapshots = AssessmentSnapshot.objects.filter(scheme_code=scheme_code).select_related("scheme")
    if period:
        snapshots = snapshots.filter(period=period)
    return list(snapshots.defer("inputs", "results").order_by("-period", "-number"))


def get_snapshot_for_user(user: Any, pk: int | str) -> AssessmentSnapshot:
    """A published snapshot (rows filtered at display); 404 for anonymous users or unknown ids."""
    if scope_root(user) is None or not str(pk).isdigit():
        raise Http404("snapshot not found")
    snapshot = AssessmentSnapshot.objects.select_related("scheme", "scheme__group").filter(pk=pk).first()
    if snapshot is None:
        raise Http404("snapshot not found")
    return snapshot


def outdated_rules(snapshot: AssessmentSnapshot) -> str:
    """Why a snapshot computed under older scoring rules should be republished ("" when current). The
    snapshot itself never changes: the correction is a new version with a reason and its diff."""
    version = int(snapshot.results.get("rules_version") or 1)
    changes = [text for number, text in sorted(engine.RULES_CHANGES.items()) if number > version]
    return "；".join(changes)


def latest_snapshot(scheme_code: str, period: datetime.date | None = None) -> AssessmentSnapshot | None:
    snapshots = AssessmentSnapshot.objects.filter(scheme_code=scheme_code)
    if period:
        snapshots = snapshots.filter(period=period)
    return snapshots.order_by("-period", "-number").first()


PERIOD = r"(19|20)\d{2}-(0[1-9]|1[0-2])"  # a real month: "0000-00" is refused, not a 500


def _in_month(field: str) -> Any:
    def lookup(queryset: Any, value: str) -> Any:
        year, month = value.split("-")
        return queryset.filter(**{f"{field}__year": int(year), f"{field}__month": int(month)})

    return lookup


def _period_filter() -> Filter:
    label = gettext_lazy("期间（YYYY-MM）")
    return Filter("period", label, lookup=_in_month("period"), pattern=PERIOD, input_type="text")


def _schemes_of(user: Any) -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in visible_schemes(user)]


ADJUSTMENT_LIST = ListSpec(
    filters=(
        Filter("state", gettext_lazy("状态"), lookup="state", choices=AdjustmentState.choices),
        Filter("scheme", gettext_lazy("考核方案"), lookup="scheme_code", choices_for=_schemes_of),
        unit_filter(label=gettext_lazy("单位")),
        Filter(
            "period", gettext_lazy("期间（YYYY-MM）"), lookup=_in_month("period"), pattern=PERIOD, input_type="text"
        ),
    ),
    search=("reason", "evidence", "item_code"),
    search_label=gettext_lazy("事由、依据或考核项"),
    sorts=(
        Sort("pending", gettext_lazy("待审批在前"), ("state", "-period", "unit__path", "id")),
        Sort("period", gettext_lazy("期间（新→旧）"), ("-period", "unit__path", "id")),
        Sort("points", gettext_lazy("分值（高→低）"), ("-points", "-period", "id")),
        Sort("unit", gettext_lazy("单位"), ("unit__path", "-period", "id")),
    ),
)


def visible_adjustments(user: Any, listing: Listing | None = None) -> Any:
    """The 加减分事项 `user` may see, narrowed by a reading of ADJUSTMENT_LIST (pending first)."""
    entries = ManualAdjustment.objects.visible_to(user).select_related("unit", "created_by", "approved_by")
    if listing is None:
        return entries.order_by("state", "-period", "unit__path")
    return listing.apply(entries)


def get_adjustment_for_user(user: Any, pk: int | str) -> ManualAdjustment:
    entry = ManualAdjustment.objects.visible_to(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if entry is None:
        raise Http404("adjustment not found")
    return entry


def can_read_bulletins(user: Any) -> bool:
    """Bulletins rank the whole group: province users and leaders who see the province."""
    root = scope_root(user)
    return root is not None and root.parent_id is None and (is_province_user(user) or is_read_only(user))


BULLETIN_LIST = ListSpec(
    filters=(
        Filter("scheme", gettext_lazy("考核方案"), lookup="scheme_code", choices_for=_schemes_of),
        Filter(
            "kind",
            gettext_lazy("类型"),
            lookup="kind",
            choices=[("monthly", gettext_lazy("月度通报")), ("quarterly", gettext_lazy("季度通报"))],
        ),
        Filter("format", gettext_lazy("格式"), lookup="format", choices=BulletinFormat.choices),
        Filter("status", gettext_lazy("状态"), lookup="status", choices=BulletinStatus.choices),
        Filter(
            "period", gettext_lazy("期间（YYYY-MM）"), lookup=_in_month("period"), pattern=PERIOD, input_type="text"
        ),
    ),
    search=("title", "doc_number"),
    search_label=gettext_lazy("标题或文号"),
    sorts=(
        Sort("new", gettext_lazy("生成时间（新→旧）"), ("-created_at", "-id")),
        Sort("period", gettext_lazy("期间（新→旧）"), ("-period", "-created_at", "-id")),
        Sort("old", gettext_lazy("生成时间（旧→新）"), ("created_at", "id")),
    ),
)


def bulletins_for_user(user: Any, listing: Listing | None = None) -> Any:
    """The bulletins the user may read, newest first (none unless `can_read_bulletins`)."""
    if not can_read_bulletins(user):
        return Bulletin.objects.none()
    bulletins = Bulletin.objects.select_related("snapshot")
    return listing.apply(bulletins) if listing is not None else bulletins


def get_bulletin_for_user(user: Any, pk: int | str) -> Bulletin:
    bulletin = Bulletin.objects.filter(pk=pk).first() if str(pk).isdigit() and can_read_bulletins(user) else None
    if bulletin is None:
        raise Http404("bulletin not found")
    return bulletin


# --- Published results a corrected figure reaches (数据更正) ----------------------------------------


def touches(snapshot: AssessmentSnapshot, *, indicator_code: str, unit_codes: set[str], period: datetime.date) -> bool:
    """Does a corrected figure (`indicator_code` of one of `unit_codes` in the month `period`) reach
    the frozen inputs of `snapshot`?

    `unit_codes` are the corrected unit and its ancestors (a city's figure may be the sum of its
    counties'). An input is reached when it is a figure of the same indicator for one of those
    units as of a month of the same year at or after `period`: a year-to-date figure of that month
    or later (a snapshot of the same year), or the base month of a growth item (a snapshot of the
    next year compares against it)."""
    for unit in snapshot.inputs.get("units") or []:
        for item in (unit.get("items") or {}).values():
            for source in (item or {}).get("sources") or []:
                if (
                    source.get("type") == "value"
                    and source.get("indicator") == indicator_code
                    and source.get("unit") in unit_codes
                    and _at_or_after(str(source.get("period") or ""), period)
                ):
                    return True
    return False


def _at_or_after(text: str, period: datetime.date) -> bool:
    """ "2018-03" is at or after February 2018, in the same year."""
    year, month = text[:4], text[5:7]
    return year.isdigit() and month.isdigit() and int(year) == period.year and int(month) >= period.month


def snapshots_touching(indicator_code: str, unit_codes: set[str], period: datetime.date) -> list[AssessmentSnapshot]:
    """The published results a corrected figure reaches (see `touches`): the latest version of each
    scheme and period of the same year at or after `period` or of the next year, oldest period
    first. Snapshots are readable by every signed-in user (rows are filtered at display)."""
    candidates = (
        AssessmentSnapshot.objects.filter(
            Q(period__year=period.year, period__gte=period) | Q(period__year=period.year + 1)
        )
        .select_related("scheme")
        .defer("results", "diff")
        .order_by("scheme_code", "period", "-number")
    )
    latest: dict[tuple[str, datetime.date], AssessmentSnapshot] = {}
    for snapshot in candidates:
        latest.setdefault((snapshot.scheme_code, snapshot.period), snapshot)
    touched = [
        s for s in latest.values() if touches(s, indicator_code=indicator_code, unit_codes=unit_codes, period=period)
    ]
    return sorted(touched, key=lambda s: (s.period, s.scheme_code))


def bulletins_of_snapshots(user: Any, snapshots: list[AssessmentSnapshot]) -> list[Bulletin]:
    """The bulletins (通报) naming the scheme and period of any of `snapshots`, newest first, for a
    user who may read bulletins (none otherwise)."""
    keys = {(s.scheme_code, s.period) for s in snapshots}
    if not keys:
        return []
    query = Q(pk__in=[])
    for code, day in keys:
        query |= Q(scheme_code=code, period=day)
    return list(bulletins_for_user(user).filter(query).order_by("-created_at"))
