"""helpdesk ticket file / show / move and catalog --service: the web's rules from a terminal."""

import json

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Ticket

P10 = {
    "problem_description": "No hay red en el área de cómputo",
    "requester_name": "Laura Méndez Ortiz",
    "equipment_location": "Planta alta",
    "inventory_number": "INV-7",
    "municipal_infrastructure": True,
}


@pytest.fixture
def data_file(tmp_path):
    def _write(payload):
        path = tmp_path / "solicitud.json"
        path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        return str(path)

    return _write


def file_p10(runner, data_file, payload=None, email="solicitante@chalco.example"):
    return runner.invoke(
        args=[
            "ticket",
            "file",
            "--tenant",
            "chalco",
            "--service",
            "GCH-CCS-P10",
            "--as",
            email,
            "--data",
            data_file(payload or P10),
        ]
    )


def test_file_prints_the_folio_of_the_same_series_as_the_portal(demo, runner, data_file):
    first = file_p10(runner, data_file)
    assert first.exit_code == 0, first.output
    assert first.output.strip().endswith("-000001")
    second = file_p10(runner, data_file)
    assert second.output.strip().endswith("-000002")
    with demo.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.folio == second.output.strip()))
        assert ticket.channel == "cli"
        assert ticket.unit.name == "Dirección de la Mujer"
        assert ticket.data["inventory_number"] == "INV-7"


def test_file_refuses_invalid_data_with_the_forms_messages(demo, runner, data_file):
    result = file_p10(runner, data_file, {**P10, "problem_description": ""})
    assert result.exit_code == 1
    assert "Falla o problemática" in result.output
    result = file_p10(runner, data_file, {**P10, "municipal_infrastructure": False})
    assert result.exit_code == 1
    with demo.app_context():
        assert db.session.scalars(select(Ticket)).all() == []


def test_file_refuses_bad_json_and_unknown_people(demo, runner, tmp_path, data_file):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(
        args=[
            "ticket",
            "file",
            "--tenant",
            "chalco",
            "--service",
            "GCH-CCS-P10",
            "--as",
            "solicitante@chalco.example",
            "--data",
            str(bad),
        ]
    )
    assert result.exit_code == 2 and "JSON" in result.output
    assert file_p10(runner, data_file, email="nadie@chalco.example").exit_code == 2
    assert file_p10(runner, data_file, email="solicitante@sinaloa.example").exit_code == 2


def test_show_and_move_follow_the_workflow(demo, runner, data_file):
    folio = file_p10(runner, data_file).output.strip()
    shown = json.loads(runner.invoke(args=["ticket", "show", folio, "--json"]).output)
    assert shown["state"] == "received"
    assert shown["transitions"]["turn"] == ["coordinator"]
    assert shown["transitions_by_user"]["coordinador@chalco.example"] == [
        "review",
        "request_completion",
        "turn",
        "reject",
    ]
    refused = runner.invoke(
        args=["ticket", "move", folio, "reject", "--as", "coordinador@chalco.example"]
    )
    assert refused.exit_code == 1 and "motivo" in refused.output
    wrong_role = runner.invoke(
        args=["ticket", "move", folio, "turn", "--as", "solicitante@chalco.example"]
    )
    assert wrong_role.exit_code == 1
    for args in (
        ["turn", "--as", "coordinador@chalco.example", "--department", "DGD"],
        ["start", "--as", "tecnico@chalco.example"],
        ["mark_solved", "--as", "tecnico@chalco.example", "--text", "Se cambió el switch"],
        ["verify", "--as", "solicitante@chalco.example"],
        ["conclude", "--as", "tecnico@chalco.example", "--text", "Formato completo"],
    ):
        result = runner.invoke(args=["ticket", "move", folio, *args])
        assert result.exit_code == 0, result.output
    shown = json.loads(runner.invoke(args=["ticket", "show", folio, "--json"]).output)
    assert shown["state"] == "concluded"
    assert [e["transition"] for e in shown["events"]] == [
        "file",
        "turn",
        "start",
        "mark_solved",
        "verify",
        "conclude",
    ]
    assert shown["events"][3]["changes"]["text"] == "Se cambió el switch"
    assert shown["transitions"] == {}


def test_catalog_describes_a_services_form(runner):
    result = runner.invoke(args=["catalog", "--service", "GCH-CCS-P04", "--json"])
    described = json.loads(result.output)
    fields = {f["name"]: f for f in described["fields"]}
    assert fields["justification"]["required"] is True
    assert fields["liaison_email"]["common"] is True
    assert {c["value"] for c in fields["medium"]["choices"]} == {"digital", "impresion", "ambos"}
    assert described["liaison_required"] is True
