"""`python -m kaifang.security.pip_audit`: known-vulnerability check of the installed packages (SEC-50).

Runs pip-audit against the environment. Fails on any known vulnerability. When the advisory
database cannot be reached (an offline intranet build machine, or a registry mirror without the
vulnerability API) it says so clearly and does not fail: the weekly online run is the backstop
(docs/operations.md).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

OFFLINE_HINTS = ("connection", "resolve", "timed out", "max retries", "network", "ssl", "temporary failure")


def main() -> int:
    exe = shutil.which("pip-audit") or str(__import__("pathlib").Path(sys.executable).with_name("pip-audit"))
    try:
        proc = subprocess.run(
            [exe, "--format", "json", "--progress-spinner", "off", "--skip-editable"],
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
