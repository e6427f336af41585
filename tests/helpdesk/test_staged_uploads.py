"""Files kept between a form that came back with errors and its re-submission."""

import io
import json
import os
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from helpdesk.staged_uploads import Owner
from helpdesk.staged_uploads import StagingArea
from helpdesk.storage import StorageError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALICE = Owner(user_id=1, tenant_id=1)
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def area(tmp_path):
    return StagingArea(tmp_path / "staged", timedelta(hours=24))


def files_in(area):
    return sorted(p for p in area.root.rglob("*") if p.is_file())


def test_stage_keeps_the_bytes_and_what_they_are(area):
    staged = area.stage(io.BytesIO(PDF), "oficio.pdf", ALICE, 1024, now=NOW)
    assert staged.name == "oficio.pdf"
    assert staged.content_type == "application/pdf"
    assert staged.size == len(PDF)
    assert staged.owner == ALICE
    assert len(staged.token) == 43
    with area.open(staged) as stream:
        assert stream.read() == PDF
    # Neither the token nor the name appear in the folder: only its hash does.
    names = [p.name for p in files_in(area)]
    assert all(staged.token not in n and "oficio" not in n for n in names)
    manifest = json.loads(next(area.manifests.glob("*.json")).read_text())
    assert manifest["user_id"] == 1 and manifest["tenant_id"] == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "type"),
        (PDF + b"0" * 2048, "size"),
    ],
)
def test_refused_files_are_not_staged(area, content, code):
    with pytest.raises(StorageError) as caught:
        area.stage(io.BytesIO(content), "oficio.pdf", ALICE, 1024, now=NOW)
    assert caught.value.code == code
    assert files_in(area) == []


def test_only_the_uploader_in_the_same_tenant_can_claim(area):
    staged = area.stage(io.BytesIO(PDF), "oficio.pdf", ALICE, 1024, now=NOW)
    assert area.claim(staged.token, ALICE, now=NOW) == staged
    assert area.claim(staged.token, Owner(user_id=2, tenant_id=1), now=NOW) is None
    assert area.claim(staged.token, Owner(user_id=1, tenant_id=2), now=NOW) is None
    # A foreign claim leaves the file for its owner.
    assert area.claim(staged.token, ALICE, now=NOW) == staged


@pytest.mark.parametrize(
    "token", ["", "x", "../../etc/passwd", "a" * 43, "é" * 43, "a" * 42 + "/", None, 12]
)
def test_forged_tokens_give_nothing(area, token):
    area.stage(io.BytesIO(PDF), "oficio.pdf", ALICE, 1024, now=NOW)
    assert area.claim(token, ALICE, now=NOW) is None


def test_a_damaged_manifest_or_missing_bytes_give_nothing(area):
    first = area.stage(io.BytesIO(PDF), "uno.pdf", ALICE, 1024, now=NOW)
    second = area.stage(io.BytesIO(PDF), "dos.pdf", ALICE, 1024, now=NOW)
    for path in area.manifests.glob("*.json"):
        if json.loads(path.read_text())["key"] == first.key:
            path.write_text("{not json")
    area.files.delete(second.key)
    assert area.claim(first.token, ALICE, now=NOW) is None
    assert area.claim(second.token, ALICE, now=NOW) is None


def test_discard_removes_bytes_and_manifest(area):
    staged = area.stage(io.BytesIO(PDF), "oficio.pdf", ALICE, 1024, now=NOW)
    area.discard(staged)
    assert files_in(area) == []
    assert area.claim(staged.token, ALICE, now=NOW) is None
    area.discard(staged)  # twice is harmless


def test_expired_files_cannot_be_claimed(area):
    staged = area.stage(io.BytesIO(PDF), "oficio.pdf", ALICE, 1024, now=NOW)
    assert area.claim(staged.token, ALICE, now=NOW + timedelta(hours=23)) == staged
    assert area.claim(staged.token, ALICE, now=NOW + timedelta(hours=25)) is None
    assert files_in(area) == []


def test_cleanup_sweeps_only_what_expired(area):
    old = area.stage(io.BytesIO(PDF), "viejo.pdf", ALICE, 1024, now=NOW - timedelta(hours=30))
    fresh = area.stage(io.BytesIO(PDF), "nuevo.pdf", ALICE, 1024, now=NOW - timedelta(hours=1))
    # Bytes whose manifest was never written (a crash in between), written long ago.
    orphan = area.files.save(io.BytesIO(PDF), 1024)
    orphan_path = next(p for p in files_in(area) if p.name == orphan.key)
    stamp = (NOW - timedelta(hours=48)).timestamp()
    os.utime(orphan_path, (stamp, stamp))
    assert area.cleanup(now=NOW) == 1
    assert area.claim(old.token, ALICE, now=NOW) is None
    assert area.claim(fresh.token, ALICE, now=NOW) == fresh
    assert not orphan_path.exists()
    assert {p.name for p in files_in(area)} == {fresh.key, next(area.manifests.glob("*")).name}


def test_cleanup_goes_by_the_manifest_not_the_file_date(area):
    staged = area.stage(io.BytesIO(PDF), "oficio.pdf", ALICE, 1024, now=NOW)
    data = next(p for p in files_in(area) if p.name == staged.key)
    stamp = (NOW - timedelta(days=30)).timestamp()
    os.utime(data, (stamp, stamp))
    assert area.cleanup(now=NOW + timedelta(hours=1)) == 0
    assert area.claim(staged.token, ALICE, now=NOW + timedelta(hours=1)) == staged


def test_cleanup_follows_the_configured_lifetime(tmp_path):
    short = StagingArea(tmp_path / "staged", timedelta(hours=2))
    staged = short.stage(io.BytesIO(PDF), "oficio.pdf", ALICE, 1024, now=NOW)
    assert short.cleanup(now=NOW + timedelta(hours=1)) == 0
    assert short.cleanup(now=NOW + timedelta(hours=3)) == 1
    assert short.claim(staged.token, ALICE, now=NOW) is None


@pytest.mark.parametrize(("hours", "swept"), [(None, 0), ("1", 1)])
def test_the_app_keeps_files_for_the_hours_of_the_setting(monkeypatch, tmp_path, hours, swept):
    # Issue 16: HELPDESK_STAGED_UPLOAD_HOURS was documented but never read.
    from helpdesk import create_app
    from helpdesk.testing import make_test_config
    from helpdesk.views.requests import staging_area

    if hours is None:
        monkeypatch.delenv("HELPDESK_STAGED_UPLOAD_HOURS", raising=False)
    else:
        monkeypatch.setenv("HELPDESK_STAGED_UPLOAD_HOURS", hours)
    app = create_app(make_test_config(tmp_path))
    with app.app_context():
        area = staging_area()
        staged = area.stage(io.BytesIO(PDF), "oficio.pdf", ALICE, 1024, now=NOW)
        two_hours_later = NOW + timedelta(hours=2)
        assert area.cleanup(now=two_hours_later) == swept
        claimed = area.claim(staged.token, ALICE, now=two_hours_later)
    assert (claimed is None) == bool(swept)
    assert app.config["HELPDESK_STAGED_UPLOAD_HOURS"] == (int(hours) if hours else 24)
