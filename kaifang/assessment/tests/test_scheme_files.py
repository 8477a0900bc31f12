"""Schemes as files: import (JSON and YAML) with full validation and the rule texts generated from
the file, export and re-import without a change, a new version for a known code, a hostile
corpus, and copying last year's scheme into a new year as a draft."""

from __future__ import annotations

import copy
import json

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kaifang.assessment.models import AssessmentScheme, SchemeStatus
from kaifang.assessment.services.schemes import copy_scheme_to_year, import_scheme, scheme_file
from kaifang.audit.models import AuditEvent
from kaifang.indicators.services.catalogue_files import adopt_starter_catalogue

pytestmark = pytest.mark.django_db

SCHEME = {
    "format": "kaifang.scheme",
    "version": 1,
    "code": "KH-2019-CITY",
    "name": "2019年度对外开放工作考核（各市）",
    "year": 2019,
    "group": "G-CITIES",
    "tie_rule": "item:fdi",
    "grading": {"mode": "thresholds", "bands": [["90", "优秀"], ["80", "良好"], ["60", "一般"]]},
    "items": [
        {"code": "fdi", "name": "实际利用外资", "kind": "completion", "weight": "60", "indicator": "FDI",
         "params": {"cap": "1.2"}},
        {"code": "trade", "name": "进出口增速", "kind": "growth", "weight": "20", "indicator": "TRADE",
         "params": {"target_growth": "0.05"}, "missing": "exclude"},
        {"code": "reporting", "name": "数据报送质量", "kind": "reporting", "weight": "20"},
        {"code": "bonus", "name": "加减分事项", "kind": "manual", "weight": "0",
         "params": {"max_bonus": "3", "max_penalty": "3"}},
    ],
}  # fmt: skip


@pytest.fixture(autouse=True)
def catalogue(admin_user):
    adopt_starter_catalogue(actor=admin_user)


def _yaml(document: dict) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True).encode()


def _import(actor, document, *, name="scheme.yaml", commit=True, **kw):
    data = _yaml(document) if name.endswith(".yaml") else json.dumps(document, ensure_ascii=False).encode()
    return import_scheme(actor=actor, data=data, filename=name, commit=commit, **kw)


def test_the_dry_run_generates_the_rule_texts_from_the_file_and_writes_nothing(province):
    result = _import(province, SCHEME, commit=False)
    assert result.ok and not AssessmentScheme.objects.exists()
    texts = dict(result.item_texts)
    # Weight 60 with a 120% cap: at most 60 × 1.2 = 72 points.
    assert texts["实际利用外资"].startswith("完成率÷时序进度×60分，最高按120%计（最多72分）")
    assert texts["进出口增速"].startswith("(1+同比增速)÷(1+目标增速5.0%)×20分")
    assert result.rules["tie"] == "总分相同时按“实际利用外资”得分高者在前；仍相同则名次并列，下一名次顺延（如1、1、3）"
    assert result.rules["grade"].startswith("总分90分及以上为优秀；总分80分及以上为良好")


def test_an_imported_scheme_is_a_draft_and_its_export_imports_back_unchanged(province):
    result = _import(province, SCHEME)
    scheme = result.scheme
    assert result.committed and (scheme.code, scheme.number, scheme.status) == ("KH-2019-CITY", 1, SchemeStatus.DRAFT)
    assert AuditEvent.objects.filter(action="assessment.scheme.import", object_id=str(scheme.pk)).exists()
    for fmt in ("json", "yaml"):
        again = import_scheme(actor=province, data=scheme_file(scheme, fmt), filename=f"x.{fmt}", commit=True)
        assert again.ok and again.unchanged == ["KH-2019-CITY"] and not again.committed
    assert AssessmentScheme.objects.count() == 1


def test_a_changed_file_for_a_known_code_becomes_its_next_version(province):
    _import(province, SCHEME, activate=True)
    changed = copy.deepcopy(SCHEME)
    changed["items"][0]["weight"], changed["items"][2]["weight"] = "50", "30"
    result = _import(province, changed, name="v2.json")
    assert result.committed and result.scheme.number == 2 and result.scheme.status == SchemeStatus.DRAFT
    assert result.scheme.change_reason == "从文件导入：v2.json"
    assert AssessmentScheme.objects.get(code="KH-2019-CITY", number=1).status == SchemeStatus.ACTIVE


def _broken(path: str, value: object) -> dict:
    document = copy.deepcopy(SCHEME)
    target: object = document
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]  # type: ignore[index]
    last = keys[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value  # type: ignore[index]
    return document


HOSTILE = {
    "unknown_kind": (_broken("items.0.kind", "luck"), "第 1 个考核项（fdi）：未知的考核项类型“luck”"),
    "negative_weight": (_broken("items.0.weight", "-5"), "第 1 个考核项（fdi）：权重应大于0"),
    "weighted_bonus": (_broken("items.3.weight", "5"), "第 4 个考核项（bonus）：加减分事项不占权重，权重应为0"),
    "unknown_param": (_broken("items.0.params", {"cap": "1.2", "luck": "1"}), "不支持参数：luck"),
    "unknown_indicator": (_broken("items.0.indicator", "GDP"), "指标代码“GDP”不存在"),
    "no_indicator": (_broken("items.0.indicator", None), "该类型须给出 indicator"),
    "unknown_group": (_broken("group", "G-NOWHERE"), "group（考核组）“G-NOWHERE”不存在"),
    "bad_band": (_broken("grading.bands", [["90", "顶呱呱"]]), "grading 第 1 档应为 [数值, 等次]"),
    "bad_year": (_broken("year", "2019年"), "year（年度）应为 2000–2100 的整数"),
    "duplicate_items": (_broken("items.1.code", "fdi"), "考核项代码重复"),
    "tie_to_nothing": (_broken("tie_rule", "item:nothing"), "并列规则应为 shared，或 item:<考核项代码>"),
    "bad_missing": (_broken("items.1.missing", "guess"), "missing 只能是 zero 或 exclude"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_schemes_are_refused_with_a_message_naming_the_item_and_nothing_is_written(province, case):
    document, message = HOSTILE[case]
    result = _import(province, document)
    assert any(message in str(p) for p in result.problems), [str(p) for p in result.problems]
    assert not AssessmentScheme.objects.exists()


def test_yaml_that_would_build_objects_is_refused(province):
    data = b"code: !!python/object/apply:os.system ['echo hi']\n"
    result = import_scheme(actor=province, data=data, filename="evil.yaml", commit=True)
    assert "文件格式不正确" in str(result.problems[0]) and not AssessmentScheme.objects.exists()


def test_a_known_code_cannot_change_its_year(province):
    _import(province, SCHEME)
    result = _import(province, {**SCHEME, "year": 2020})
    assert "已用于 2019 年度" in str(result.problems[0]) and AssessmentScheme.objects.count() == 1


def test_last_years_scheme_is_copied_into_the_new_year_as_a_draft(province):
    last = _import(province, SCHEME, activate=True).scheme
    new = copy_scheme_to_year(actor=province, scheme=last, year=2020)
    assert (new.code, new.name, new.year, new.number) == ("KH-2020-CITY", "2020年度对外开放工作考核（各市）", 2020, 1)
    assert new.status == SchemeStatus.DRAFT and new.group == last.group and new.tie_rule == "item:fdi"
    assert [(i.code, i.weight, i.params) for i in new.items.all()] == [
        (i.code, i.weight, i.params) for i in last.items.all()
    ]
    with pytest.raises(ValidationError, match="已存在"):
        copy_scheme_to_year(actor=province, scheme=last, year=2020)


def test_only_province_users_import_or_copy(client_for, province, shenyang, hunnan):
    for who in (shenyang, hunnan):
        with pytest.raises(PermissionDenied):
            _import(who, SCHEME)
    scheme = _import(province, SCHEME).scheme
    for who in (shenyang, hunnan):
        c = client_for(who)
        assert (
            c.post("/assessment/schemes/import/", {"file": SimpleUploadedFile("s.yaml", _yaml(SCHEME))}).status_code
            == 403
        )
        assert c.post(f"/assessment/schemes/{scheme.code}/copy/", {"year": "2020"}).status_code == 403
        assert c.get(f"/assessment/schemes/{scheme.code}/export.yaml").status_code == 200
    assert AssessmentScheme.objects.count() == 1


def test_the_import_page_checks_then_imports_and_activates(client_for, province):
    c = client_for(province)
    checked = c.post("/assessment/schemes/import/", {"file": SimpleUploadedFile("s.yaml", _yaml(SCHEME))})
    page = checked.content.decode()
    assert checked.status_code == 200 and 'id="rule-texts"' in page and "最多72分" in page
    done = c.post("/assessment/schemes/import/", {"token": checked.context["token"], "activate": "1"})
    assert done.status_code == 302
    assert AssessmentScheme.objects.get(code="KH-2019-CITY").status == SchemeStatus.ACTIVE


def test_the_api_imports_exports_and_copies_and_the_county_cannot(client_for, province, hunnan):
    upload = SimpleUploadedFile("s.yaml", _yaml(SCHEME))
    refused = client_for(hunnan).post("/api/v1/assessment/scheme-files", {"file": upload, "commit": "true"})
    assert refused.status_code == 403 and not AssessmentScheme.objects.exists()
    api = client_for(province)
    upload = SimpleUploadedFile("s.yaml", _yaml(SCHEME))
    body = api.post("/api/v1/assessment/scheme-files", {"file": upload, "commit": "true", "activate": "true"}).json()
    assert body["committed"] and (body["code"], body["number"]) == ("KH-2019-CITY", 1)
    assert body["rule_texts"]["实际利用外资"].startswith("完成率÷时序进度×60分")
    exported = client_for(hunnan).get("/api/v1/assessment/schemes/KH-2019-CITY/file").json()
    assert exported["items"][0]["params"] == {"cap": "1.2"}
    copied = api.post("/api/v1/assessment/schemes/KH-2019-CITY/copy", {"year": 2020}, content_type="application/json")
    assert copied.status_code == 201 and copied.json()["code"] == "KH-2020-CITY"
    refused = client_for(hunnan).post(
        "/api/v1/assessment/schemes/KH-2019-CITY/copy", {"year": 2021}, content_type="application/json"
    )
    assert refused.status_code == 403 and AssessmentScheme.objects.count() == 2
