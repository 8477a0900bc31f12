"""SEC-47: backup and restore are proven — back up, wipe, restore, and every row is identical."""

from __future__ import annotations

import io
import shutil
import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kaifang.audit.models import AuditEvent
from kaifang.audit.services import record_event, verify_chain
from kaifang.core.actors import SystemActor

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, list[str]]:
    """Every row of every table, as text, sorted: the whole database's content."""
    rows: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return rows


def wipe() -> None:
    """Destroy the database's content (not just its rows: its tables too)."""
    if connection.vendor == "sqlite":
        empty = sqlite3.connect(":memory:")
        empty.backup(connection.connection)
        empty.close()
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    with connection.cursor() as cursor:
        assert "accounts_user" not in connection.introspection.table_names(cursor)


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_sec_47_backup_wipe_restore_gives_back_every_row_identical(base_data, tmp_path):
    record_event(actor=SystemActor("test"), action="test.before_backup", after={"amount": "1234.5600"})
    before = snapshot()
    out = io.StringIO()
    target = tmp_path / "kaifang.backup"
    call_command("backup", "-o", str(target), stdout=out)
    assert "已备份到" in out.getvalue() and (tmp_path / "kaifang.backup.sha256").exists()
    after_backup = snapshot()  # the backup's own audit record is written after the copy
    wipe()
    call_command("restore", str(target), "--commit", stdout=out)
    assert "审计链完整" in out.getvalue()
    restored = snapshot()
    restored.pop("audit_auditevent"), before.pop("audit_auditevent")
    restored.pop("audit_auditchainhead"), before.pop("audit_auditchainhead")
    assert restored == before
    assert AuditEvent.objects.filter(action="security.restore").count() == 1
    assert AuditEvent.objects.filter(action="test.before_backup").count() == 1
    assert verify_chain()[1] == []
    assert after_backup.keys() == restored.keys() | {"audit_auditevent", "audit_auditchainhead"}


def test_sec_47_a_backup_whose_checksum_does_not_match_is_refused(base_data, tmp_path):
    target = tmp_path / "kaifang.backup"
    call_command("backup", "-o", str(target), stdout=io.StringIO())
    call_command("restore", str(target), stdout=io.StringIO())  # dry run: checksum only
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore", str(target), "--commit", stdout=io.StringIO())
    (tmp_path / "kaifang.backup.sha256").unlink()
    with pytest.raises(CommandError, match="缺少校验文件"):
        call_command("restore", str(target), "--commit", stdout=io.StringIO())
    with pytest.raises(CommandError, match="不覆盖"):
        call_command("backup", "-o", str(target), stdout=io.StringIO())


def test_sec_47_sqlite_is_copied_with_the_online_backup_api_not_a_file_copy():
    import inspect

    from kaifang.security import backup

    source = inspect.getsource(backup.backup)
    assert ".backup(target)" in source and "copyfile" not in source and "shutil.copy" not in source
