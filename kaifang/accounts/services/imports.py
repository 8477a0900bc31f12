"""Bulk import of accounts from Excel: a dry run that names every problem by row, an all-or-nothing
apply, and idempotent re-runs.

The workbook (the template of `account_template`) has a sheet 账号 with the columns 账号, 姓名,
单位代码, 单位名称 (optional, checked against the code), 角色 and 手机号. Each row goes through the
same checks as the page (`accounts.services.create_user`). A row whose account already exists
with the same unit, role, name and phone is left alone, so importing the same file twice creates
nothing the second time; an existing account that differs is a problem, never a silent change.
Imported accounts have no scope and no password: the security administrator grants them and
issues the one-time passwords (`lifecycle.issue_one_time_passwords`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext as _

from kaifang.accounts.models import Role, User, UserImport
from kaifang.accounts.permissions import ADMIN_ROLES, can_manage_users
from kaifang.accounts.services import ROLE_UNIT_KINDS, check_person, create_user, deny, normalise_username
from kaifang.accounts.services.lifecycle import IssuedPassword
from kaifang.audit.services import record_event
from kaifang.core.actors import actor_name, actor_user, is_system_actor
from kaifang.core.spreadsheets import (
    Column,
    Problem,
    Sheet,
    SheetSpec,
    SpreadsheetError,
    cell_text,
    read_workbook,
    write_workbook,
)
from kaifang.orgs.models import OrgUnit, UnitKind

SHEET = "账号"
COLUMNS = ["账号", "姓名", "单位代码", "单位名称", "角色", "手机号"]
REQUIRED_COLUMNS = ["账号", "姓名", "单位代码", "角色"]
MAX_ROWS = 5000
MAX_PROBLEMS = 300
IMPORTABLE_ROLES = [r for r in Role if r not in ADMIN_ROLES]
FIELD_COLUMN = {"username": "账号", "display_name": "姓名", "phone": "手机号", "unit": "单位代码", "role": "角色"}


def role_from_text(text: str) -> str | None:
    """A role from its Chinese label (填报员) or its code (reporter)."""
    for role in Role:
        if text in (role.value, str(role.label)):
            return role.value
    return None


@dataclass
class AccountRow:
    row: int
    username: str
    display_name: str
    unit: OrgUnit
    role: str
    phone: str


@dataclass
class UserImportResult:
    filename: str
    sha256: str = ""
    rows: int = 0
    new: list[AccountRow] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False
    earlier: UserImport | None = None
    batch: UserImport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return _("发现 %(n)d 个问题，未导入任何账号。请修改后重新上传。") % {"n": len(self.problems)}
        again = (
            _("（同一文件已于 %(at)s 导入过）") % {"at": f"{timezone.localtime(self.earlier.at):%Y-%m-%d %H:%M}"}
            if self.earlier
            else ""
        )
        verb = _("已导入") if self.committed else _("检查通过（尚未导入）")
        return _("%(verb)s：共 %(rows)d 行，新建 %(new)d 个账号，%(same)d 个已存在且相同%(again)s。") % {
            "verb": verb,
            "rows": self.rows,
            "new": len(self.new),
            "same": len(self.unchanged),
            "again": again,
        }


def account_template() -> bytes:
    """The empty workbook to fill in, with a sheet explaining the roles and the units they fit."""
    kinds = {r: "、".join(sorted(str(k.label) for k in _unit_kinds(r))) for r in IMPORTABLE_ROLES}
    return write_workbook(
        [
            SheetSpec(
                SHEET,
                [Column(name, 18 if name in ("账号", "单位名称") else 12) for name in COLUMNS],
                [],
            ),
            SheetSpec(
                "说明",
                [Column("角色", 16), Column("可绑定的单位类型", 30)],
                [[str(r.label), kinds[r]] for r in IMPORTABLE_ROLES]
                + [
                    ["", ""],
                    ["填写说明", "每行一个人；账号全省唯一（字母、数字和 @ . + - _）；单位代码见组织机构页；"],
                    ["", "新账号导入后没有权限和密码，由安全管理员授权并签发一次性密码。"],
                ],
            ),
        ]
    )


def _unit_kinds(role: str) -> list[Any]:
    return [k for k in UnitKind if k in ROLE_UNIT_KINDS[role]]


def _columns(sheet: Sheet) -> dict[str, int]:
    header = [cell_text(v) for v in (sheet.rows[0] if sheet.rows else [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise SpreadsheetError(
            [Problem(_("缺少列：%(cols)s（请使用下载的模板）。") % {"cols": "、".join(missing)}, sheet.name, 1)]
        )
    return {name: header.index(name) for name in COLUMNS if name in header}


def _row_problems(
    number: int, raw: dict[str, str], units: dict[str, OrgUnit], cols: dict[str, int], sheet: str
) -> tuple[AccountRow | None, list[Problem]]:
    """One row checked as the page would check it; every problem located by its column."""
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(message, sheet, number, cols.get(column)))

    unit = units.get(raw["单位代码"])
    if not raw["单位代码"]:
        problem("单位代码", _("“单位代码”不能为空。"))
    elif unit is None:
        problem("单位代码", _("单位代码“%(code)s”不存在或不在您的管理范围内。") % {"code": raw["单位代码"][:32]})
    elif raw.get("单位名称") and raw["单位名称"] not in (unit.name, unit.short_name):
        problem(
            "单位名称",
            _("单位名称“%(name)s”与单位代码 %(code)s（%(real)s）不符。")
            % {"name": raw["单位名称"][:40], "code": unit.code, "real": unit.name},
        )
    role = role_from_text(raw["角色"])
    if not raw["角色"]:
        problem("角色", _("“角色”不能为空。"))
    elif role is None:
        labels = "、".join(str(r.label) for r in IMPORTABLE_ROLES)
        problem("角色", _("未知角色“%(role)s”（可选：%(labels)s）。") % {"role": raw["角色"][:20], "labels": labels})
    elif role in ADMIN_ROLES:
        problem("角色", _("“%(role)s”是管理员角色，不能批量导入（三员账号只能由命令行创建）。") % {"role": raw["角色"]})
    elif unit is not None and unit.kind not in ROLE_UNIT_KINDS[role]:
        problem(
            "角色",
            _("角色“%(role)s”不能绑定到%(kind)s“%(unit)s”。")
            % {"role": Role(role).label, "kind": unit.get_kind_display(), "unit": unit.name},
        )
    try:
        check_person(display_name=raw["姓名"], phone=raw.get("手机号", ""))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                problem(FIELD_COLUMN.get(name, "姓名"), message)
    if problems or unit is None or role is None:
        return None, problems
    return AccountRow(number, raw["账号"], raw["姓名"].strip(), unit, role, raw.get("手机号", "").strip()), []


def _same_account(existing: User, row: AccountRow) -> list[str]:
    """What differs between a stored account and the row naming it (empty: the same person)."""
    differences = []
    if existing.unit_id != row.unit.pk:
        differences.append(_("单位为“%(u)s”") % {"u": existing.unit.name if existing.unit else "—"})
    if existing.role != row.role:
        differences.append(_("角色为“%(r)s”") % {"r": existing.get_role_display()})
    if existing.display_name != row.display_name:
        differences.append(_("姓名为“%(n)s”") % {"n": existing.display_name})
    if existing.phone != row.phone:
        differences.append(_("电话不同"))
    return differences


def check_accounts(*, actor: Any, data: bytes, filename: str) -> UserImportResult:
    """The dry run: read the workbook safely, check every row, write nothing."""
    result = UserImportResult(filename=(filename or "accounts.xlsx")[:200])
    try:
        book = read_workbook(data, filename=filename)
    except SpreadsheetError as exc:
        result.problems = list(exc.problems)
        return result
    result.sha256 = book.sha256
    sheet = book.sheet(SHEET)
    if sheet is None:
        result.problems = [Problem(_("找不到“%(s)s”工作表（请使用下载的模板）。") % {"s": SHEET})]
        return result
    try:
        cols = _columns(sheet)
    except SpreadsheetError as exc:
        result.problems = list(exc.problems)
        return result
    if len(sheet.rows) - 1 > MAX_ROWS:
        result.problems = [Problem(_("一次最多导入 %(n)d 个账号，请分批导入。") % {"n": MAX_ROWS}, sheet.name)]
        return result
    scope = OrgUnit.objects.all() if is_system_actor(actor) else OrgUnit.objects.visible_to(actor)
    units = {u.code: u for u in scope.current()}
    seen: dict[str, int] = {}
    rows: list[AccountRow] = []
    for number in range(2, len(sheet.rows) + 1):
        values = sheet.rows[number - 1]
        raw = {name: cell_text(values[i]) if i < len(values) else "" for name, i in cols.items()}
        if not any(raw.values()):
            continue
        result.rows += 1
        username = normalise_username(raw["账号"])
        raw["账号"] = username
        key = username.lower()
        if not username:
            result.problems.append(Problem(_("“账号”不能为空。"), sheet.name, number, cols["账号"]))
        elif key in seen:
            result.problems.append(
                Problem(
                    _("账号“%(u)s”与第 %(row)d 行重复。") % {"u": username[:40], "row": seen[key]},
                    sheet.name,
                    number,
                    cols["账号"],
                )
            )
        else:
            seen[key] = number
            try:
                User._meta.get_field("username").run_validators(username)
            except ValidationError:
                result.problems.append(
                    Problem(_("账号只能包含字母、数字和 @ . + - _，最长 150 位。"), sheet.name, number, cols["账号"])
                )
        row, problems = _row_problems(number, raw, units, cols, sheet.name)
        result.problems += problems
        if row is not None:
            rows.append(row)
        if len(result.problems) >= MAX_PROBLEMS:
            break
    # SEC-01: account names are unique after case and whitespace, so match them that way.
    existing = {
        u.normalised: u
        for u in User.objects.select_related("unit")
        .annotate(normalised=Lower(Trim("username")))
        .filter(normalised__in=[r.username.lower() for r in rows])
    }
    for row in rows:
        stored = existing.get(row.username.lower())
        if stored is None:
            result.new.append(row)
            continue
        differences = _same_account(stored, row)
        if differences:
            result.problems.append(
                Problem(
                    _("账号“%(u)s”已存在（%(d)s），与本行不同；请换一个账号，或在用户管理页调动、修改。")
                    % {"u": stored.username, "d": "，".join(differences)},
                    sheet.name,
                    row.row,
                    cols["账号"],
                )
            )
        else:
            result.unchanged.append(stored.username)
    result.problems.sort(key=lambda p: (p.row or 0, p.column or 0))
    result.earlier = UserImport.objects.filter(sha256=result.sha256).order_by("at").first()
    return result


def import_accounts(*, actor: Any, data: bytes, filename: str, commit: bool) -> UserImportResult:
    """Check the workbook and, with `commit` and no problem at all, create every new account in one
    transaction (each through `create_user`, each audited), recording the import and its SHA-256."""
    if not is_system_actor(actor) and not can_manage_users(actor):
        raise deny(actor=actor, action="accounts.user.import", message=_("只有系统管理员可以批量导入账号。"))
    result = check_accounts(actor=actor, data=data, filename=filename)
    if not commit or result.problems:
        return result
    with transaction.atomic():
        for row in result.new:
            create_user(
                actor=actor,
                username=row.username,
                unit=row.unit,
                role=row.role,
                display_name=row.display_name,
                phone=row.phone,
            )
        result.batch = UserImport.objects.create(
            sha256=result.sha256,
            filename=result.filename,
            imported_by=actor_user(actor),
            imported_by_name=actor_name(actor),
            rows=result.rows,
            created_usernames=[r.username for r in result.new],
        )
        record_event(
            actor=actor,
            action="accounts.user.import_duplicate" if result.earlier and not result.new else "accounts.user.import",
            obj=result.batch,
            object_repr=result.filename,
            after={
                "sha256": result.sha256,
                "rows": result.rows,
                "created": len(result.new),
                "unchanged": len(result.unchanged),
                "earlier": result.earlier.pk if result.earlier else None,
            },
        )
    result.committed = True
    return result


def password_sheet(issued: list[IssuedPassword]) -> bytes:
    """The one-time passwords as a workbook, for printing and handing out (never stored)."""
    if not issued:
        raise PermissionDenied
    return write_workbook(
        [
            SheetSpec(
                "一次性密码",
                [Column(name, 18) for name in ("单位", "姓名", "账号", "角色", "一次性密码", "有效期至")],
                [
                    [
                        line.user.unit.name if line.user.unit else "",
                        line.user.display_name,
                        line.user.username,
                        str(line.user.get_role_display()),
                        line.password,
                        f"{timezone.localtime(line.valid_until):%Y-%m-%d %H:%M}",
                    ]
                    for line in issued
                ],
            )
        ]
    )
