"""Filing requests: folios, the first event, hooks, and gapless series under load."""

import re
import threading
import types
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from helpdesk import demo as demo_data
from helpdesk import hookimpl
from helpdesk.catalog import RequirementIssue
from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models import TicketEvent
from helpdesk.testing import build_test_app
from helpdesk.testing import dispose
from helpdesk.tickets import FilingError


@pytest.fixture
def app_with(tmp_path):
    apps = []

    def _make(*objects):
        app = build_test_app(
            tmp_path / str(len(apps)),
            HELPDESK_PLUGIN_OBJECTS=[(f"extra{i}", o) for i, o in enumerate(objects)],
        )
        with app.app_context():
            demo_data.load(app.extensions["helpdesk"].catalog)
        apps.append(app)
        return app

    yield _make
    for app in apps:
        dispose(app)


def file_sample(app, **kwargs):
    from helpdesk.testing import make_ticket as fixture

    return fixture.__wrapped__(app)("SAMPLE-01", **kwargs)


def ticket(app, ticket_id):
    with app.app_context():
        row = db.session.get(Ticket, ticket_id)
        db.session.expunge(row)
        return row


def test_filing_gives_a_folio_and_records_the_first_event(demo, make_ticket):
    ticket_id = make_ticket("SAMPLE-01", data={"summary": "Proyector para la sesión de cabildo"})
    with demo.app_context():
        row = db.session.get(Ticket, ticket_id)
        assert re.fullmatch(r"CHALCO-SAMPLE01-\d{4}-000001", row.folio)
        assert row.state == "received"
        assert row.summary == "Proyector para la sesión de cabildo"
        assert row.department.code == "DGD"
        events = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == row.id))
        [event] = list(events)
        assert (event.transition, event.from_state, event.to_state) == ("file", None, "received")
        assert event.actor_id == row.requester_id


def test_series_are_per_tenant_and_service(demo, make_ticket):
    first = make_ticket("SAMPLE-01")
    second = make_ticket("SAMPLE-01")
    other_tenant = make_ticket("SAMPLE-01", tenant="sinaloa")
    folios = [ticket(demo, i).folio for i in (first, second, other_tenant)]
    assert folios[0].endswith("-000001") and folios[1].endswith("-000002")
    assert folios[2].startswith("SINALOA-SAMPLE01-") and folios[2].endswith("-000001")


def test_disabled_service_cannot_be_requested(demo, make_ticket):
    from helpdesk import plugins
    from helpdesk import service_settings
    from helpdesk import tickets
    from helpdesk.models import Tenant
    from helpdesk.models import User

    with demo.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "chalco"))
        rows = service_settings.ensure_rows(tenant, plugins.host().catalog)
        rows["SAMPLE-01"].enabled = False
        db.session.commit()
        service = service_settings.effective(
            plugins.host().catalog.get("SAMPLE-01"), rows["SAMPLE-01"], tenant
        )
        user = db.session.scalar(select(User).where(User.email == "solicitante@chalco.example"))
        with pytest.raises(FilingError):
            tickets.file_request(
                tenant=tenant, service=service, requester=user, filed_by=user, data={}, unit_id=None
            )
        assert db.session.scalars(select(Ticket)).all() == []


def _plugin(**hooks):
    module = types.ModuleType("extra")
    for name, function in hooks.items():
        setattr(module, name, hookimpl(function))
    return module


def test_hook_helpdesk_folio_pattern(app_with):
    def helpdesk_folio_pattern(service, tenant):
        return "{tenant}/{year}/{service}/{seq:04d}" if service.code == "SAMPLE-01" else None

    app = app_with(_plugin(helpdesk_folio_pattern=helpdesk_folio_pattern))
    folio = ticket(app, file_sample(app)).folio
    assert re.fullmatch(r"CHALCO/\d{4}/SAMPLE01/0001", folio)


def test_hook_helpdesk_check_requirements(app_with):
    seen = []

    def helpdesk_check_requirements(service, tenant, data, ticket):
        seen.append((service.code, tenant.slug, dict(data), ticket))
        if data.get("summary") == "bloquear":
            return [RequirementIssue(message="Falta el oficio.", field="summary")]
        return [RequirementIssue(message="Revisar", blocking=False)]

    app = app_with(_plugin(helpdesk_check_requirements=helpdesk_check_requirements))
    with pytest.raises(FilingError) as excinfo:
        file_sample(app, data={"summary": "bloquear"})
    assert [i.message for i in excinfo.value.issues] == ["Falta el oficio."]
    with app.app_context():
        assert db.session.scalars(select(Ticket)).all() == []
    assert file_sample(app, data={"summary": "ok"})
    assert seen[0][:2] == ("SAMPLE-01", "chalco")
    assert seen[0][2]["attachments"] == []
    assert seen[0][3] is None


def test_hook_helpdesk_ticket_transitioned(app_with):
    calls = []

    def helpdesk_ticket_transitioned(ticket, event):
        # Called after commit: a fresh connection already sees the row.
        with db.engine.connect() as connection:
            committed = connection.execute(
                select(TicketEvent.id).where(TicketEvent.id == event.id)
            ).scalar()
        calls.append((ticket.folio, event.transition, committed))

    app = app_with(_plugin(helpdesk_ticket_transitioned=helpdesk_ticket_transitioned))
    ticket_id = file_sample(app)
    folio = ticket(app, ticket_id).folio
    assert calls == [(folio, "file", calls[0][2])]
    assert calls[0][2] is not None


def test_a_failing_after_commit_hook_does_not_undo_the_request(app_with):
    def helpdesk_ticket_transitioned(ticket, event):
        raise RuntimeError("plugin bug")

    app = app_with(_plugin(helpdesk_ticket_transitioned=helpdesk_ticket_transitioned))
    ticket_id = file_sample(app)
    assert ticket(app, ticket_id).state == "received"


def test_folios_are_unique_and_gapless_under_parallel_filing(demo, make_ticket):
    count = 200
    errors = []
    lock = threading.Lock()

    def file_one(n):
        try:
            return make_ticket("SAMPLE-01", data={"summary": f"solicitud {n}"})
        except Exception as exc:  # collected: the assertion below names it
            with lock:
                errors.append(repr(exc))
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(file_one, range(count)))
    assert errors == []
    with demo.app_context():
        folios = db.session.scalars(select(Ticket.folio).where(Ticket.id.in_(ids))).all()
    numbers = sorted(int(folio.rsplit("-", 1)[1]) for folio in folios)
    assert numbers == list(range(1, count + 1))
