"""Runs the demo tasks of `kaifang.supervision.demo` through the services, as the demo's people."""

from __future__ import annotations

from typing import Any

from kaifang.accounts.models import Role, User
from kaifang.core.actors import SystemActor
from kaifang.supervision import services
from kaifang.supervision.demo import EXCERPT_SPEAKER, MEETING_TITLE, TASKS
from kaifang.supervision.models import Milestone, Task

DEMO_ACTOR = SystemActor("demo")

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
            User.objects.filter(role=Role.PROVINCE_SUPERVISOR, is_active=True).order_by("id").first() or DEMO_ACTOR
        )
        # Four eyes: the tasks are registered (立项) by another province supervisor than the one who
        # reviews and issues them.
        self.registrar: Any = (
            User.objects.filter(role=Role.PROVINCE_SUPERVISOR, is_active=True)
            .exclude(pk=getattr(self.supervisor, "pk", None))
            .order_by("id")
            .first()
            or User.objects.filter(role=Role.PROVINCE_ADMIN, is_active=True).first()
            or DEMO_ACTOR
        )

    def lead(self, task: Task) -> Any:
        return self.by_unit.get(task.lead_unit.code, DEMO_ACTOR)

    def overseer(self, task: Task) -> Any:
        if task.parent_id is not None:
            return self.by_unit.get(task.issuer_unit.code, DEMO_ACTOR)
        return self.supervisor


SECOND_SUPERVISOR = ("duban", "省督查室 孙督办")


def _second_supervisor() -> User:
    """Four eyes needs two province supervisors: the demo adds 孙督办 (password as the personas'), who
    registers the tasks that 王督查 reviews and issues."""
    from kaifang.accounts.demo import DEMO_PASSWORD
    from kaifang.accounts.services import create_user
    from kaifang.orgs.models import OrgUnit, UnitKind

    username, display_name = SECOND_SUPERVISOR
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return create_user(
        actor=None,
        username=username,
        password=DEMO_PASSWORD,
        unit=OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path")[0],
        role=Role.PROVINCE_SUPERVISOR,
        display_name=display_name,
        must_change_password=False,
        grant=True,
    )


def load_tasks(*, meeting_id: int | None = None) -> int:
    """Create the demo tasks once; returns how many top-level tasks were created (0 when present).
    `meeting_id`: the demo teleconference the tasks cite (the project's loader passes it, so that
    supervision needs nothing from the meetings area above it)."""
    if Task.objects.filter(code="DB-2018-001").exists():
        return 0
    if User.objects.filter(role=Role.PROVINCE_SUPERVISOR, is_active=True).exists():
        _second_supervisor()
    actors = _Actors()
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
