"""`python -m kaifang.security.pip_audit`: known-vulnerability check of the locked packages (SEC-50).

Runs pip-audit over the hashed lock files (requirements.lock: what production installs;
requirements-dev.lock: what `make demo`, `make test` and CI install), exactly as pinned, without
resolving or installing anything. Fails on any known vulnerability. When the advisory
database cannot be reached (an offline intranet build machine, or a registry mirror without the
vulnerability API) it says so clearly and does not fail: the weekly online run is the backstop
(docs/operations.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOCK_FILES = ("requirements.lock", "requirements-dev.lock")
OFFLINE_HINTS = ("connection", "resolve", "timed out", "max retries", "network", "ssl", "temporary failure")


def main() -> int:
    exe = shutil.which("pip-audit") or str(Path(sys.executable).with_name("pip-audit"))
    locks = [arg for name in LOCK_FILES for arg in ("-r", str(REPO / name))]
    try:
        proc = subprocess.run(
            [exe, *locks, "--require-hashes", "--disable-pip", "--format", "json", "--progress-spinner", "off"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"pip-audit skipped: could not run it ({exc})")
        return 0
    try:
        report = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        report = {}
    deps = report.get("dependencies", [])
    if not deps:
        if any(hint in proc.stderr.lower() for hint in OFFLINE_HINTS):
            print("pip-audit skipped: the vulnerability database cannot be reached (offline).")
            return 0
        print(proc.stderr.strip() or "pip-audit produced no report")
        return 1
    audited = [d for d in deps if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(v.get("id", "?") for v in dep["vulns"])
        print(f"VULNERABLE {dep['name']} {dep['version']}: {ids}")
    if vulnerable:
        return 1
    if not audited:
        print(f"pip-audit skipped: the vulnerability database cannot be reached ({len(deps)} packages unchecked).")
        return 0
    print(f"pip-audit: no known vulnerabilities in {len(audited)} packages ({len(deps) - len(audited)} not checked).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
