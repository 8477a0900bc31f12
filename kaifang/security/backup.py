"""Backup and restore of the database, each file with a SHA-256 beside it (SEC-47).

SQLite is copied with SQLite's online backup API (never `cp` of a live WAL database), so the app
keeps running during a backup; PostgreSQL with `pg_dump --format=custom`. A restore verifies the
checksum first and refuses a file that does not match; on PostgreSQL it runs `pg_restore` in one
transaction. After a restore the audit hash chain is verified again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    sha256: str
    size: int
    engine: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def write_checksum(path: Path) -> str:
    value = sha256_of(path)
    checksum_path(path).write_text(f"{value}  {path.name}\n", encoding="utf-8")
    return value


def verify_checksum(path: Path) -> str:
    """The file's SHA-256 when it matches the `.sha256` beside it; BackupError otherwise."""
    sidecar = checksum_path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    if not sidecar.is_file():
        raise BackupError(f"缺少校验文件 {sidecar.name}，拒绝恢复。")
    expected = sidecar.read_text(encoding="utf-8").split()[0].lower()
    actual = sha256_of(path)
    if actual != expected:
        raise BackupError(f"校验和不符（期望 {expected[:12]}…，实际 {actual[:12]}…），文件可能损坏或被篡改，拒绝恢复。")
    return actual


def engine() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def default_path() -> Path:
    suffix = "sqlite3" if engine() == "sqlite" else "pgdump"
    # Wall clock: a backup file is named for when it was really taken.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.KAIFANG_BACKUP_DIR) / f"kaifang-{stamp}.{suffix}"


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装与服务器版本一致的 PostgreSQL 客户端工具。")
    return found


def backup(output: Path | None = None, *, media: bool = False) -> BackupResult:
    """Write a consistent copy of the database to `output` (and its checksum); returns what was written."""
    path = Path(output) if output else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise BackupError(f"文件已存在，不覆盖：{path}")
    tmp = path.with_name(path.name + ".part")
    if engine() == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(tmp)
        try:
            connection.connection.backup(target)  # SQLite online backup API
            ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
        if ok != "ok":
            tmp.unlink(missing_ok=True)
            raise BackupError(f"备份副本完整性检查失败：{ok}")
    elif engine() == "postgresql":
        args, env = _pg_env()
        run = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise BackupError("pg_dump 失败：" + run.stderr.strip()[-500:])
        listing = subprocess.run([_tool("pg_restore"), "--list", str(tmp)], capture_output=True, text=True)
        if listing.returncode != 0:
            raise BackupError("备份文件无法读取：" + listing.stderr.strip()[-300:])
    else:
        raise BackupError(f"不支持的数据库：{engine()}")
    tmp.rename(path)
    digest = write_checksum(path)
    if media and Path(settings.MEDIA_ROOT).is_dir():
        archive = path.with_name(path.name + ".media.tar.gz")
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(settings.MEDIA_ROOT, arcname="media")
        write_checksum(archive)
    return BackupResult(path=path, sha256=digest, size=path.stat().st_size, engine=engine())


def restore(path: Path) -> str:
    """Replace the database with the backup at `path` after checking its checksum. Stop the app
    servers and the task worker first (docs/operations.md). Returns the verified SHA-256."""
    path = Path(path)
    digest = verify_checksum(path)
    if engine() == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("备份文件完整性检查失败，拒绝恢复。")
            connection.ensure_connection()
            if connection.in_atomic_block:
                raise BackupError("不能在事务中恢复。")
            source.backup(connection.connection)
        finally:
            source.close()
    elif engine() == "postgresql":
        args, env = _pg_env()
        connections.close_all()
        run = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError("pg_restore 失败（数据库未改变）：" + run.stderr.strip()[-500:])
    else:
        raise BackupError(f"不支持的数据库：{engine()}")
    media = path.with_name(path.name + ".media.tar.gz")
    if media.exists():
        verify_checksum(media)
        with tarfile.open(media, "r:gz") as tar:
            tar.extractall(Path(settings.MEDIA_ROOT).parent, filter="data")
    return digest
