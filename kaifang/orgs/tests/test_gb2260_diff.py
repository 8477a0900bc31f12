"""A new GB/T 2260 list, diffed against the tree, proposes the changes it implies (Liaoning 2015 → 2018)."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from kaifang.orgs.gb2260 import Row, diff, read_rows
from kaifang.orgs.models import DivisionChange, OrgUnit

pytestmark = pytest.mark.django_db

LIST_2018 = (Path(settings.BASE_DIR) / "data" / "liaoning_divisions.csv").read_text(encoding="utf-8")
# The 2015 list: 辽中县 and 大洼县 were counties until 2016 (国函〔2016〕), everything else as in 2018.
LIST_2015 = LIST_2018.replace("210115,辽中区,", "210122,辽中县,").replace("211104,大洼区,", "211121,大洼县,")


def test_the_2015_to_2018_liaoning_changes_are_proposed_as_county_to_district_recodes():
    found = diff(read_rows(LIST_2015), read_rows(LIST_2018))
    assert [(p["kind"], p["sources"], [r["code"] for r in p["results"]]) for p in found.proposals] == [
        ("rename", ["210122"], ["210115"]),
        ("rename", ["211121"], ["211104"]),
    ]
    assert found.lines() == [
        "撤县设区：辽中县（210122） → 辽中区（210115）",
        "撤县设区：大洼县（211121） → 大洼区（211104）",
    ]
    assert not found.unmatched


def test_renames_moves_merges_and_splits_are_recognised():
    old = [
        Row("210112", "东陵区", "210100", "county"),
        Row("210181", "新民市", "210100", "county"),
        Row("211102", "双台子区", "211100", "county"),
        Row("211103", "兴隆台区", "211100", "county"),
        Row("211321", "朝阳县", "211300", "county"),
        Row("211402", "连山区", "211400", "county"),
        Row("211403", "龙港区", "211400", "county"),
        Row("211404", "南票区", "211400", "county"),
    ]
    new = [
        Row("210112", "浑南区", "210100", "county"),
        Row("210181", "新民市", "211100", "county"),
        Row("211190", "盘锦市区", "211100", "county"),
        Row("211391", "甲区", "211300", "county"),
        Row("211392", "乙区", "211300", "county"),
        Row("211490", "葫芦岛市东区", "211400", "county"),
        Row("211491", "葫芦岛市西区", "211400", "county"),
    ]
    kinds = [(p["kind"], p["sources"], [r["code"] for r in p["results"]]) for p in diff(old, new).proposals]
    assert kinds == [
        ("rename", ["210112"], ["210112"]),
        ("move", ["210181"], ["210181"]),
        ("merge", ["211102", "211103"], ["211190"]),
        ("split", ["211321"], ["211391", "211392"]),
    ]
    split = diff(old, new).proposals[3]
    assert [r["share"] for r in split["results"]] == ["0.500000", "0.500000"] and "份额待核定" in split["label"]
    # three districts became two: too ambiguous to guess, left for a person
    assert diff(old, new).unmatched == [
        "撤销 连山区（211402）",
        "撤销 龙港区（211403）",
        "撤销 南票区（211404）",
        "新设 葫芦岛市东区（211490）",
        "新设 葫芦岛市西区（211491）",
    ]


def test_the_command_diffs_against_the_tree_and_proposes_then_dry_runs(tmp_path):
    """A 2019 list in which 双台子区 and 兴隆台区 became one 盘锦市中心城区 (a made-up change)."""
    lines = [ln for ln in LIST_2018.splitlines() if not ln.startswith(("211102,", "211103,"))]
    file = tmp_path / "liaoning_2019.csv"
    file.write_text("\n".join([*lines, "211190,盘锦市中心城区,211100,county"]) + "\n", encoding="utf-8")
    out = StringIO()
    call_command("division_change", "diff", str(file), "--effective", "2019-01", "--propose", stdout=out)
    assert "合并：双台子区（211102）、兴隆台区（211103） → 盘锦市中心城区（211190）" in out.getvalue()
    change = DivisionChange.objects.get(state="proposed")
    assert (change.kind, change.effective) == ("merge", datetime.date(2019, 1, 1))
    out = StringIO()
    call_command("division_change", "apply", str(change.pk), "--dry-run", stdout=out)
    assert "试运行（未写入）" in out.getvalue() and "[单位] 211190 盘锦市中心城区：新设" in out.getvalue()
    assert "[单位] 211102 双台子区：于 2018-12-31 停用" in out.getvalue()
    assert not OrgUnit.objects.filter(code="211190").exists()
