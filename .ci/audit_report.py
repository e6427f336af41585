"""Read pip-audit's JSON report: name each vulnerable package, fail on any.

Packages the vulnerability service could not answer for are named too; they
fail only with HELPDESK_AUDIT_STRICT=1 (a machine with no way to the service
cannot prove the set clean, only say so). Exit 0 clean, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def summarize(report: dict, strict: bool) -> tuple[list[str], int]:
    dependencies = report.get("dependencies", [])
    found = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    lines = []
    for dep in found:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            lines.append(
                f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})"
            )
    audited = len(dependencies) - len(skipped)
    lines.append(
        f"audit: {audited} locked packages audited, {len(found)} vulnerable, "
        f"{len(skipped)} not audited"
    )
    if skipped:
        lines.append(
            "audit: NOT AUDITED (the vulnerability service did not answer for them): "
            + ", ".join(d["name"] for d in skipped)
        )
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        lines.append("audit: reason: " + "; ".join(reasons))
    failed = bool(found) or (bool(skipped) and strict)
    return lines, 1 if failed else 0


def main(path: str) -> int:
    report = json.loads(Path(path).read_text())
    lines, status = summarize(report, os.environ.get("HELPDESK_AUDIT_STRICT") == "1")
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
