"""SEC-50, supply chain (issue 15, finding 10): a hashed lock file that `make demo`, `make test` and CI
install from and pip-audit reads, and declared dependencies that tell the truth."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

import pytest

from kaifang.security.tests.helpers import REPO

LOCKS = ("requirements.lock", "requirements-dev.lock")
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def name_of(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip())[0].lower().replace("_", "-")


RUNTIME = {name_of(r) for r in PYPROJECT["project"]["dependencies"]}
DEV = {name_of(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}


def pins(lock: str) -> dict[str, list[str]]:
    """{package: [sha256 hashes]} of a pip-compile/uv lock file."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in (REPO / lock).read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", line):
            current = match.group(1).lower().replace("_", "-")
            out[current] = []
        elif "--hash=sha256:" in line and current:
            out[current].append(line.strip().split("sha256:")[1].rstrip(" \\"))
    return out


@pytest.mark.parametrize("lock", LOCKS)
def test_sec_50_every_locked_package_is_pinned_with_hashes(lock):
    locked = pins(lock)
    assert locked and all(len(hashes) >= 1 for hashes in locked.values()), lock
    wanted = RUNTIME | (DEV if lock == "requirements-dev.lock" else set())
    assert wanted - set(locked) == set(), f"declared but not locked in {lock}"


def test_sec_50_make_demo_make_test_and_ci_install_from_the_lock_and_pip_audit_reads_it():
    makefile = (REPO / "Makefile").read_text()
    assert "--require-hashes" in makefile and "LOCK := requirements-dev.lock" in makefile
    install = [line for line in makefile.splitlines() if "pip install" in line]
    assert all("--no-deps" in line for line in install), install  # nothing outside the lock is resolved
    assert "demo: migrate-demo" in makefile and "migrate-demo: venv" in makefile
    assert "test-sqlite: venv" in makefile and "make test" in (REPO / ".ci" / "run").read_text()
    from kaifang.security import pip_audit

    assert pip_audit.LOCK_FILES == LOCKS
    captured = {}

    def fake_run(command, **kwargs):  # type: ignore[no-untyped-def]
        captured["command"] = command

        class Done:
            stdout, stderr, returncode = (
                '{"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}',
                "",
                0,
            )

        return Done()

    original = pip_audit.subprocess.run
    pip_audit.subprocess.run = fake_run  # type: ignore[assignment]
    try:
        assert pip_audit.main() == 0
    finally:
        pip_audit.subprocess.run = original  # type: ignore[assignment]
    command = captured["command"]
    assert "--require-hashes" in command and "--disable-pip" in command
    assert [command[i + 1].rsplit("/", 1)[-1] for i, arg in enumerate(command) if arg == "-r"] == list(LOCKS)


def third_party_imports() -> dict[str, set[str]]:
    """Top-level names the application (not its tests) imports, with the files that import them."""
    found: dict[str, set[str]] = {}
    for path in (REPO / "kaifang").rglob("*.py"):
        if "/tests/" in str(path) or "/migrations/" in str(path):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module.split(".")[0]]
            else:
                continue
            for name in names:
                if name not in sys.stdlib_module_names and name != "kaifang":
                    found.setdefault(name, set()).add(str(path.relative_to(REPO)))
    return found


def test_sec_50_every_package_the_application_imports_is_declared():
    """Pillow was imported (bulletin charts) but not declared."""
    distributions = importlib.metadata.packages_distributions()
    undeclared = {
        name: sorted(files)
        for name, files in third_party_imports().items()
        if not {d.lower().replace("_", "-") for d in distributions.get(name, [])} & RUNTIME
    }
    assert undeclared == {}


def test_sec_50_every_runtime_dependency_is_used_and_test_only_tools_are_dev_only():
    """jieba was declared and imported nowhere; openpyxl and defusedxml were runtime dependencies
    used only by the tests and the benchmarks."""
    distributions = importlib.metadata.packages_distributions()
    imported = {d.lower().replace("_", "-") for name in third_party_imports() for d in distributions.get(name, [])}
    # Used by name rather than by import: the WSGI server the deployment runs, the static-file
    # middleware named in settings, and psycopg's binary build (an extra of psycopg).
    by_configuration = {"gunicorn", "whitenoise"}
    assert RUNTIME - imported - by_configuration == set()
    assert "jieba" not in RUNTIME | DEV
    assert {"openpyxl", "defusedxml"} <= DEV and not {"openpyxl", "defusedxml"} & RUNTIME
