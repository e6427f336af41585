"""The ticket page shows a request's data by labels, never by codes or keys."""

from helpdesk import plugins
from helpdesk import service_forms


def test_chosen_options_read_as_their_labels(app):
    with app.app_context():
        p09 = plugins.host().catalog.get("GCH-CCS-P09")
        rows = dict(
            service_forms.readable_data(
                p09, {"request_kind": "fault", "mailbox": "obras@chalco.gob.mx", "extra": 1}
            )
        )
    assert "Atención a falla" in rows.values()
    assert "obras@chalco.gob.mx" in rows.values()
    assert rows["extra"] == 1  # a key the form no longer has stays readable as it is
    assert "request_kind" not in rows and "mailbox" not in rows


def test_nested_rows_read_by_their_labels(app):
    with app.app_context():
        p11 = plugins.host().catalog.get("GCH-CCS-P11")
        rows = dict(
            service_forms.readable_data(
                p11, {"assets": [{"brand": "HP", "condition": "No enciende", "other": "x"}]}
            )
        )
    (assets,) = [value for value in rows.values() if isinstance(value, list)]
    assert assets == [{"Marca": "HP", "Estado de uso": "No enciende", "other": "x"}]


def test_the_ticket_page_shows_labels(make_ticket, login_as, demo):
    make_ticket(
        "GCH-CCS-P09",
        data={
            "request_kind": "fault",
            "mailbox": "obras@chalco.gob.mx",
            "fault_description": "No entra",
        },
    )
    with demo.app_context():
        from sqlalchemy import select

        from helpdesk.extensions import db
        from helpdesk.models import Ticket

        folio = db.session.scalar(select(Ticket.folio))
    page = login_as("coordinator").get(f"/chalco/mesa/solicitudes/{folio}").get_data(as_text=True)
    assert "Atención a falla" in page
    assert ">fault<" not in page and ">request_kind<" not in page
