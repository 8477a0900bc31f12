"""kaifang assess / publish / bulletin."""

from __future__ import annotations

import io
import json
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kaifang.assessment.models import AssessmentSnapshot


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_assess_json_lists_units_whose_totals_are_the_sum_of_their_items(two_cities):
    data = json.loads(run("assess", "--scheme", "KH-TWO", "--period", "2018-06", "--json"))
    assert [(u["code"], u["name"], u["rank"], u["grade"]) for u in data["units"]] == [
        ("210200", "大连市", 1, "优秀"),
        ("210100", "沈阳市", 2, "优秀"),
    ]
    for unit in data["units"]:
        assert Decimal(unit["total"]) == sum(Decimal(i["points"]) for i in unit["items"])
        assert all({"points", "inputs", "formula"} <= set(i) for i in unit["items"])
    assert "已计算 2 个单位" in run("assess", "--scheme", "KH-TWO", "--period", "2018-06")


def test_publish_needs_commit_and_says_what_it_did(two_cities):
    assert "加 --commit 执行" in run("publish", "--scheme", "KH-TWO", "--period", "2018-06")
    assert not AssessmentSnapshot.objects.exists()
    assert "第1版" in run("publish", "--scheme", "KH-TWO", "--period", "2018-06", "--commit")
    with pytest.raises(CommandError, match=r"说明原因|无需重新发布"):
        run("publish", "--scheme", "KH-TWO", "--period", "2018-06", "--commit")
    with pytest.raises(CommandError, match="2018年内"):
        run("assess", "--scheme", "KH-TWO", "--period", "2017-12")


def test_bulletin_writes_a_pdf_with_the_units_and_scores(two_cities, tmp_path):
    target = tmp_path / "b.pdf"
    assert "已生成" in run(
        "bulletin", "--period", "2018-06", "--scheme", "KH-TWO", "--format", "pdf", "-o", str(target)
    )
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, check=True).stdout.decode()
    assert "大连市" in text and "110.00" in text and "沈阳市" in text and "94.00" in text
