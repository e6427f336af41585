"""The audit step of CI (.ci/audit): a known vulnerability in the locked set fails it."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_report.py"
spec = importlib.util.spec_from_file_location("audit_report", SCRIPT)
audit_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_report)

CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "2.10",
    "vulns": [{"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"], "description": "sandbox"}],
}
UNANSWERED = {"name": "rq", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def test_a_known_vulnerability_fails_and_is_named():
    lines, status = audit_report.summarize({"dependencies": [CLEAN, VULNERABLE]}, strict=False)
    assert status == 1
    assert "VULNERABLE jinja2 2.10: PYSEC-2019-217 (fixed in 2.10.1)" in lines
    assert "audit: 2 locked packages audited, 1 vulnerable, 0 not audited" in lines


def test_a_clean_set_passes():
    lines, status = audit_report.summarize({"dependencies": [CLEAN]}, strict=True)
    assert status == 0
    assert lines == ["audit: 1 locked packages audited, 0 vulnerable, 0 not audited"]


def test_packages_the_service_did_not_answer_for_are_named_and_fail_when_strict():
    report = {"dependencies": [CLEAN, UNANSWERED]}
    lines, status = audit_report.summarize(report, strict=False)
    assert status == 0
    assert "audit: NOT AUDITED (the vulnerability service did not answer for them): rq" in lines
    assert audit_report.summarize(report, strict=True)[1] == 1


def test_the_script_exits_with_the_status(tmp_path):
    path = tmp_path / "audit.json"
    path.write_text(json.dumps({"dependencies": [VULNERABLE]}))
    run = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert "VULNERABLE jinja2" in run.stdout
