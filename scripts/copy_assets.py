#!/usr/bin/env python3
"""Copy front-end libraries from node_modules/ into kaifang/static/vendor/.

The site runs on an offline intranet, so JavaScript libraries are served from
our own static files, never from a CDN.  They come from npm, pinned in
package.json / package-lock.json; kaifang/static/vendor/ is build output and
is not committed.

Usage, from the repository root:

    npm ci
    python3 scripts/copy_assets.py

Standard library only.  Safe to run repeatedly: files that are already up to
date are left alone.
"""

from __future__ import annotations

import filecmp
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "kaifang" / "static" / "vendor"

# package -> [(file inside node_modules/<package>/, file inside vendor/)]
ASSETS = {
    "echarts": [
        ("dist/echarts.min.js", "echarts/echarts.min.js"),
        ("LICENSE", "echarts/LICENSE"),
        ("NOTICE", "echarts/NOTICE"),
        ("licenses/LICENSE-d3", "echarts/LICENSE-d3"),
    ],
    # echarts.min.js bundles zrender, whose licence must travel with it.
    "zrender": [
        ("LICENSE", "echarts/LICENSE-zrender"),
    ],
}


def pinned_versions() -> dict[str, str]:
    package_json = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return package_json.get("dependencies", {})


def installed_version(package: str) -> str:
    meta = NODE_MODULES / package / "package.json"
    return json.loads(meta.read_text(encoding="utf-8"))["version"]


def main() -> int:
    if not NODE_MODULES.is_dir():
        print(f"error: {NODE_MODULES} is missing: run npm ci first", file=sys.stderr)
        return 1

    for package, wanted in pinned_versions().items():
        if not (NODE_MODULES / package / "package.json").is_file():
            print(f"error: {package} is not in node_modules: run npm ci first", file=sys.stderr)
            return 1
        have = installed_version(package)
        if have != wanted:
            print(
                f"error: node_modules has {package} {have} but package.json pins {wanted}: run npm ci first",
                file=sys.stderr,
            )
            return 1

    copied = unchanged = 0
    for package, files in ASSETS.items():
        for source_name, target_name in files:
            source = NODE_MODULES / package / source_name
            target = VENDOR / target_name
            if not source.is_file():
                print(f"error: {source} not found: run npm ci first", file=sys.stderr)
                return 1
            if target.is_file() and filecmp.cmp(source, target, shallow=False):
                unchanged += 1
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied += 1
            print(f"copied {package} {installed_version(package)}: {target.relative_to(ROOT)}")
    print(f"{copied} copied, {unchanged} already up to date in {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
