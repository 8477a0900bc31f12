"""Demo tasks (示例数据) from the 2018 provincial opening-up work teleconference.

The demo lives in early July 2018 (`KAIFANG_DEMO_TODAY=2018-07-05`): the tasks were issued at the
end of April, monthly reports fall due on the 25th, and the set covers every state and light —
green, yellow (deadline near, milestone near, behind time), red (overdue, report missing,
milestone missed, claimed late), grey (draft, reviewed, closed) — plus sub-tasks 沈阳市 split to
浑南区, 沈河区 and 于洪区. Every write goes through the services with the 2018 dates, so the
timeline, the audit trail and the notifications are those a real run would leave. Idempotent.
"""

from __future__ import annotations

import datetime
from typing import Any

from kaifang.accounts.models import Role, User
from kaifang.supervision import services
from kaifang.supervision.models import Milestone, Task

D = datetime.date
MEETING_TITLE = "2018年全省对外开放工作电视电话会议"
REVIEWED_ON = D(2018, 4, 25)
ISSUED_ON = D(2018, 4, 27)
EXCERPT_SPEAKER = "省政府主要领导在会上强调"

# (number, title, category, lead, co-units, responsible leader, deadline, milestones, steps)
# steps: ("review"|"issue"|"ack"|"claim"|"close", date) · ("report", date, percent) ·
# ("return", date, reason) · ("urge", date, message) · ("notice", date, requirement, reply_by) ·
# ("done", milestone index, date) · ("split", county code, number, date, steps-of-the-sub-task)
FULL_FLOW = [("review", REVIEWED_ON), ("issue", ISSUED_ON), ("ack", D(2018, 4, 28))]

TASKS: list[tuple[Any, ...]] = [
    (
        1,
        "积极融入“一带一路”建设，推动“辽满欧”“辽蒙欧”中欧班列常态化运营",
        "strategy",
        "JTT",
        ["SWT", "210100"],
        "分管副省长",
        D(2018, 12, 31),
        [("开通沈阳至汉堡定期班列", D(2018, 9, 30))],
        [*FULL_FLOW, ("report", D(2018, 5, 24), 20), ("report", D(2018, 6, 22), 35)],
    ),
    (
        2,
        "主动对接京津冀协同发展，办好京津冀产业转移对接活动",
        "strategy",
        "FGW",
        ["SWT"],
        "分管副省长",
        D(2018, 9, 30),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 25), ("report", D(2018, 6, 25), 48)],
    ),
    (
        3,
        "推进沈阳经济区一体化，编制沈阳经济区开放合作年度工作要点",
        "strategy",
        "210100",
        ["FGW"],
        "沈阳市市长",
        D(2018, 12, 31),
        [],
        [
            *FULL_FLOW,
            ("report", D(2018, 5, 23), 30),
            (
                "split",
                "210112",
                1,
                D(2018, 5, 10),
                [("ack", D(2018, 5, 11)), ("report", D(2018, 5, 24), 30), ("report", D(2018, 6, 25), 45)],
            ),
            ("split", "210103", 2, D(2018, 6, 20), [("urge", D(2018, 7, 3), "请尽快签收并报送6月进展。")]),
            (
                "split",
                "210114",
                3,
                D(2018, 5, 10),
                [("ack", D(2018, 5, 14)), ("report", D(2018, 5, 25), 35), ("report", D(2018, 6, 21), 50)],
            ),
            ("report", D(2018, 6, 24), 40),
        ],
    ),
    (
        4,
        "大力发展外向型经济，确保全年外贸进出口增长10%以上",
        "trade",
        "SWT",
        ["TJJ"],
        "分管副省长",
        D(2018, 12, 31),
        [],
        [
            *FULL_FLOW,
            ("report", D(2018, 5, 25), 20),
            ("report", D(2018, 6, 25), 25),
            ("urge", D(2018, 7, 3), "上半年外贸增速低于时序进度，请加快推进重点企业订单落地，7月10日前报送措施。"),
        ],
    ),
    (
        5,
        "支持大连建设东北亚国际航运中心，提升港口开放功能",
        "platforms",
        "210200",
        ["JTT"],
        "大连市市长",
        D(2018, 7, 7),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 60), ("report", D(2018, 6, 25), 90)],
    ),
    (
        6,
        "深化自贸试验区改革创新，复制推广国务院第四批改革试点经验",
        "platforms",
        "ZMB",
        ["SWT", "210100", "210200", "210800"],
        "分管副省长",
        D(2018, 6, 30),
        [],
        [
            *FULL_FLOW,
            ("report", D(2018, 5, 25), 50),
            ("report", D(2018, 6, 25), 80),
            ("urge", D(2018, 6, 28), "距办理时限仅剩2天，请抓紧完成剩余改革事项。"),
            (
                "notice",
                D(2018, 7, 2),
                "该事项已超过办理时限，请于7月10日前书面说明未完成原因及整改时限。",
                D(2018, 7, 10),
            ),
        ],
    ),
    (
        7,
        "推进中国（大连）跨境电子商务综合试验区建设",
        "platforms",
        "210200",
        ["SWT"],
        "大连市分管副市长",
        D(2018, 10, 31),
        [("出台综试区建设实施方案", D(2018, 6, 30)), ("建成线上综合服务平台", D(2018, 9, 30))],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 30), ("report", D(2018, 6, 25), 40)],
    ),
    (
        8,
        "清理规范开发区，推进开发区管理体制机制改革",
        "platforms",
        "210300",
        ["FGW"],
        "鞍山市市长",
        D(2018, 11, 30),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 20), ("urge", D(2018, 7, 2), "6月份进展报告未按时报送，请立即补报。")],
    ),
    (
        9,
        "大力优化营商环境，深入开展“办事难”专项整治",
        "business_environment",
        "YSJ",
        ["210100", "210200", "210112"],
        "分管副省长",
        D(2018, 12, 31),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 30), ("report", D(2018, 6, 25), 40)],
    ),
    (
        10,
        "实施“双招双引”，全年实际利用外资和引进内资稳定增长",
        "investment",
        "SWT",
        ["210100", "210200"],
        "分管副省长",
        D(2018, 12, 31),
        [("举办辽宁（日本）经贸合作交流会", D(2018, 7, 8))],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 25), ("report", D(2018, 6, 25), 35)],
    ),
    (
        11,
        "加快引进海外高层次人才，落实“兴辽英才计划”",
        "talent",
        "RST",
        ["KJT"],
        "分管副省长",
        D(2018, 12, 31),
        [],
        [("review", D(2018, 6, 26)), ("issue", D(2018, 6, 28)), ("ack", D(2018, 6, 29))],
    ),
    (
        12,
        "推进辽西北地区扩大开放，承接沿海和京津冀产业转移",
        "strategy",
        "211300",
        ["210900", "211200"],
        "朝阳市市长",
        D(2018, 12, 31),
        [],
        [("review", D(2018, 7, 3)), ("issue", D(2018, 7, 5))],
    ),
    (
        13,
        "制定全省对外开放工作指标体系和考核标准",
        "other",
        "SWT",
        ["TJJ", "FGW"],
        "分管副省长",
        D(2018, 6, 30),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 60), ("report", D(2018, 6, 22), 100), ("claim", D(2018, 6, 28))],
    ),
    (
        14,
        "建立对外开放重点工作月报制度，压实工作责任",
        "other",
        "TJJ",
        ["SWT"],
        "分管副省长",
        D(2018, 6, 15),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 70), ("claim", D(2018, 6, 20))],
    ),
    (
        15,
        "出台《关于推进更高水平对外开放的实施意见》",
        "other",
        "FGW",
        ["SWT"],
        "分管副省长",
        D(2018, 6, 30),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 80), ("claim", D(2018, 6, 8)), ("close", D(2018, 6, 12))],
    ),
    (
        16,
        "建立省级领导联系重点外资企业制度",
        "foreign_investment",
        "SWT",
        [],
        "分管副省长",
        D(2018, 5, 31),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 20), 100), ("claim", D(2018, 5, 28)), ("close", D(2018, 6, 1))],
    ),
    (
        17,
        "完成2017年度各市对外开放工作考核并通报结果",
        "other",
        "TJJ",
        ["SWT"],
        "分管副省长",
        D(2018, 5, 31),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 18), 100), ("claim", D(2018, 5, 21)), ("close", D(2018, 5, 25))],
    ),
    (
        18,
        "推进大连港与营口港资源整合",
        "platforms",
        "210800",
        ["210200", "GZW"],
        "营口市市长",
        D(2018, 9, 30),
        [],
        [
            *FULL_FLOW,
            ("report", D(2018, 5, 25), 60),
            ("report", D(2018, 6, 25), 90),
            ("claim", D(2018, 6, 28)),
            ("return", D(2018, 7, 3), "整合方案尚未经省政府常务会议审议，请补充完善后再申请办结。"),
        ],
    ),
    (
        19,
        "推动丹东边境经济合作区扩区升级",
        "platforms",
        "210600",
        ["FGW"],
        "丹东市市长",
        D(2018, 12, 31),
        [],
        [],
    ),
    (
        20,
        "支持锦州港扩大开放，申报整车进口口岸",
        "platforms",
        "210700",
        ["JTT"],
        "锦州市市长",
        D(2018, 12, 31),
        [],
        [],
    ),
    (
        21,
        "推进盘锦辽东湾新区与中东欧国家经贸合作",
        "foreign_investment",
        "211100",
        ["WSB"],
        "盘锦市市长",
        D(2018, 12, 31),
        [],
        [("review", D(2018, 7, 4))],
    ),
    (
        22,
        "推动沈阳申报国家跨境电子商务综合试验区",
        "platforms",
        "210100",
        ["SWT"],
        "沈阳市分管副市长",
        D(2018, 11, 30),
        [],
        [
            *FULL_FLOW,
            ("report", D(2018, 5, 25), 30),
            ("report", D(2018, 6, 25), 45),
            ("split", "210112", 1, D(2018, 7, 4), []),
        ],
    ),
    (
        23,
        "支持葫芦岛建设对外开放合作园区，引进日韩产业项目",
        "investment",
        "211400",
        ["SWT"],
        "葫芦岛市市长",
        D(2018, 12, 31),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 15), ("report", D(2018, 6, 25), 20)],
    ),
    (
        24,
        "加强友好省州交流，拓展与日韩俄地方经贸合作",
        "strategy",
        "WSB",
        ["SWT"],
        "分管副省长",
        D(2018, 12, 31),
        [],
        [*FULL_FLOW, ("report", D(2018, 5, 25), 30), ("report", D(2018, 6, 25), 40)],
    ),
]

REPORT_TEXTS = [
    "召开专题推进会，细化任务分工，明确时间节点和责任人。",
    "已与相关部门对接，形成工作方案初稿，正在征求意见。",
    "重点事项按计划推进，已完成阶段性目标，相关数据已报送。",
    "组织企业开展对接洽谈，新签约项目正在办理落地手续。",
    "按月调度工作进展，协调解决企业反映的具体问题。",
]
PROBLEMS = ["", "部分项目前期手续办理周期较长。", "", "配套资金尚未全部落实。", ""]


class _Actors:
    """The demo's people: personas where one sits in the right unit, else the non-human "demo"."""

    def __init__(self) -> None:
        self.by_unit: dict[str, User] = {}
        for user in User.objects.filter(is_active=True).select_related("unit").order_by("id"):
            if user.unit is not None and user.role in (Role.REPORTER, Role.CITY_OFFICER):
                self.by_unit.setdefault(user.unit.code, user)
        self.supervisor: Any = (
            User.objects.filter(role=Role.PROVINCE_SUPERVISOR, is_active=True).order_by("id").first() or "demo"
        )
        # Four eyes: the tasks are registered (立项) by another province supervisor than the one who
        # reviews and issues them.
        self.registrar: Any = (
            User.objects.filter(role=Role.PROVINCE_SUPERVISOR, is_active=True)
            .exclude(pk=getattr(self.supervisor, "pk", None))
            .order_by("id")
            .first()
            or User.objects.filter(role=Role.PROVINCE_ADMIN, is_active=True).first()
            or "demo"
        )

    def lead(self, task: Task) -> Any:
        return self.by_unit.get(task.lead_unit.code, "demo")

    def overseer(self, task: Task) -> Any:
        if task.parent_id is not None:
            return self.by_unit.get(task.issuer_unit.code, "demo")
        return self.supervisor


def _meeting_id() -> int | None:
    try:
        from kaifang.meetings.models import Meeting
    except ImportError:  # pragma: no cover - meetings always ships with supervision
        return None
    meeting = Meeting.objects.filter(title=MEETING_TITLE).order_by("id").first()
    return meeting.pk if meeting is not None else None


def load_supervision_demo() -> int:
    """Create the demo tasks once; returns how many top-level tasks were created (0 when present)."""
    if Task.objects.filter(code="DB-2018-001").exists():
        return 0
    actors = _Actors()
    meeting_id = _meeting_id()
    for number, title, category, lead, co, leader, deadline, milestones, steps in TASKS:
        task = services.create_task(
            actor=actors.registrar,
            code=f"DB-2018-{number:03d}",
            title=title,
            body=f"{EXCERPT_SPEAKER}，{title}。请牵头单位会同配合单位制定工作方案，按月报送进展。（示例数据）",
            category=category,
            lead_unit=lead,
            co_units=co,
            responsible_leader=leader,
            deadline=deadline,
            source_kind="meeting",
            source_title=MEETING_TITLE,
            source_excerpt=f"{EXCERPT_SPEAKER}：要{title}。",
            source_meeting_id=meeting_id,
            milestones=milestones,
        )
        _run(task, steps, actors)
    return len(TASKS)


def _run(task: Task, steps: list[tuple[Any, ...]], actors: _Actors) -> None:
    for step in steps:
        task = Task.objects.select_related("lead_unit", "issuer_unit").get(pk=task.pk)
        kind, day = step[0], step[1] if step[0] != "split" else step[3]
        if kind in ("review", "issue", "close"):
            services.transition(actor=actors.overseer(task), task=task, action=kind, on=day)
        elif kind == "return":
            services.transition(actor=actors.overseer(task), task=task, action="return", reason=step[2], on=day)
        elif kind in ("ack", "claim"):
            action = "acknowledge" if kind == "ack" else "claim"
            services.transition(actor=actors.lead(task), task=task, action=action, on=day)
        elif kind == "report":
            n = task.pk + step[2]
            services.submit_progress_report(
                actor=actors.lead(task),
                task=task,
                text=f"{day.month}月：" + REPORT_TEXTS[n % len(REPORT_TEXTS)],
                percent=step[2],
                problems=PROBLEMS[n % len(PROBLEMS)],
                help_needed="请省级部门协调解决用地指标。" if step[2] < 30 else "",
                period=day.replace(day=1),
                on=day,
            )
        elif kind == "urge":
            services.urge_task(actor=actors.overseer(task), task=task, message=step[2], on=day)
        elif kind == "notice":
            services.issue_notice(actor=actors.overseer(task), task=task, requirement=step[2], reply_by=step[3], on=day)
        elif kind == "done":
            milestone = Milestone.objects.filter(task=task).order_by("due_date", "id")[step[1]]
            services.set_milestone_done(actor=actors.lead(task), milestone=milestone, done=True, on=step[2])
        elif kind == "split":
            child = services.split_task(actor=actors.lead(task), parent=task, lead_unit=step[1], on=day)
            _run(child, step[4], actors)
