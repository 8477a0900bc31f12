"""Words for the codes of 双招双引 (audit actions, notice kinds, fields and values); see kaifang.labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaifang.ledgers.reference import Currency, Stage, TalentKind, TalentLevel

AUDIT_ACTIONS = {
    "ledgers.project.create": _("录入招商线索"),
    "ledgers.project.update": _("修改项目信息"),
    "ledgers.project.transfer": _("移交项目"),
    "ledgers.project.negotiate": _("项目转入在谈"),
    "ledgers.project.sign": _("项目签约"),
    "ledgers.project.back_to_lead": _("项目退回线索"),
    "ledgers.project.plan_start": _("项目列入拟开工"),
    "ledgers.project.start": _("项目开工"),
    "ledgers.project.back_to_negotiating": _("项目退回在谈"),
    "ledgers.project.back_to_signed": _("项目退回签约"),
    "ledgers.project.funds_in": _("项目资金到位"),
    "ledgers.project.produce": _("项目投产"),
    "ledgers.project.drop": _("项目终止"),
    "ledgers.project.capital_increase": _("登记增资"),
    "ledgers.project.funds": _("登记到位资金"),
    "ledgers.lead.respond": _("线索已响应"),
    "ledgers.lead.assess": _("线索已研判"),
    "ledgers.lead.feedback": _("线索已反馈"),
    "ledgers.followup.create": _("登记跟进记录"),
    "ledgers.followup.status": _("更新跟进状态"),
    "ledgers.talent.create": _("录入引进人才"),
    "ledgers.rate.set": _("录入汇率"),
    "ledgers.import": _("导入台账"),
    "ledgers.demo.load": _("载入示例台账"),
}
NOTICE_KINDS = {"ledgers.lead_timer": _("线索办理时限提醒")}
FIELDS = {
    "name": _("名称"),
    "stage": _("阶段"),
    "unit": _("责任单位"),
    "unit_id": _("责任单位"),
    "platform_id": _("所在平台"),
    "agreed_amount": _("协议投资额"),
    "currency": _("币种"),
    "amount": _("金额"),
    "signed_on": _("签约日期"),
    "received_on": _("到位日期"),
    "effective_on": _("生效日期"),
    "evidence": _("依据"),
    "lead_received_on": _("线索获得日期"),
    "responded_on": _("响应日期"),
    "assessed_on": _("研判日期"),
    "feedback_on": _("反馈日期"),
    "kind": _("类型"),
    "level": _("人才层次"),
    "headcount": _("人数"),
    "rate": _("汇率（元/美元）"),
    "year": _("年度"),
    "projects": _("项目数"),
    "talents": _("人才记录数"),
}
VALUES = {
    "stage": dict(Stage.choices),
    "currency": dict(Currency.choices),
    "kind": dict(TalentKind.choices),
    "level": dict(TalentLevel.choices),
}
