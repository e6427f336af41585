"""``helpdesk indicators`` and ``helpdesk sla-refresh`` on the hand-built book of requests."""

import json

from sqlalchemy import update

from helpdesk.extensions import db
from helpdesk.models import Ticket
from tests.helpdesk.test_indicators import book  # noqa: F401  (fixture)
from tests.helpdesk.test_indicators import second_unit


def run_json(demo, *args):
    result = demo.test_cli_runner().invoke(args=["indicators", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def by_code(found):
    return {item["code"]: item for item in found["indicators"]}


def test_json_lists_every_indicator_with_value_unit_and_formula(demo, book):  # noqa: F811
    found = run_json(demo, "--tenant", "chalco", "--period", "2026-Q4")
    assert found["period"] == {
        "key": "2026-Q4",
        "label": "cuarto trimestre de 2026",
        "first_day": "2026-10-01",
        "last_day": "2026-12-31",
        "start": "2026-10-01T06:00:00+00:00",
        "end": "2027-01-01T06:00:00+00:00",
    }
    items = by_code(found)
    assert items["requests_received"]["value"] == 4
    assert items["requests_received"]["unit"] == "solicitudes"
    assert (items["sla_compliance"]["value"], items["sla_compliance"]["numerator"]) == (50.0, 1)
    assert items["median_business_time_to_conclude"]["formula"].startswith("Mediana")
    assert all(item["formula"] and item["responsible"] for item in found["indicators"])


def test_service_unit_and_department_narrow_the_scope(demo, book):  # noqa: F811
    found = run_json(demo, "--tenant", "chalco", "--period", "2026-Q4", "--service", "GCH-CCS-P09")
    codes = set(by_code(found))
    assert "requests_received" in codes and not any(c.startswith("p07_") for c in codes)
    assert by_code(found)["requests_concluded"]["value"] == 2
    with demo.app_context():
        from helpdesk.models import Unit

        unit = db.session.get(Unit, second_unit(demo)).name
    narrowed = run_json(demo, "--tenant", "chalco", "--period", "2026-Q4", "--unit", unit)
    assert by_code(narrowed)["requests_received"]["value"] == 1


def test_all_tenants(demo, book):  # noqa: F811
    found = run_json(demo, "--all-tenants", "--period", "2026")
    assert found["tenant"] is None
    assert by_code(found)["tickets_per_year"]["value"] == 6


def test_text_output_names_the_period_and_values(demo, book):  # noqa: F811
    result = demo.test_cli_runner().invoke(
        args=["indicators", "--tenant", "chalco", "--period", "2026-10"]
    )
    assert result.exit_code == 0, result.output
    assert "Gobierno de Chalco — octubre de 2026 (2026-10)" in result.output
    assert "requests_received" in result.output and "3 solicitudes" in result.output


def test_bad_arguments_get_clear_messages(demo):
    runner = demo.test_cli_runner()
    cases = [
        (["--tenant", "chalco", "--period", "2026-Q5"], "No se reconoce el periodo «2026-Q5»"),
        (["--tenant", "nadie", "--period", "2026"], "no existe el gobierno «nadie»"),
        (["--period", "2026"], "Indique --tenant SLUG o --all-tenants"),
        (["--tenant", "chalco", "--all-tenants", "--period", "2026"], "uno de los dos"),
        (["--tenant", "chalco", "--period", "2026", "--service", "X"], "no existe el servicio"),
        (["--tenant", "chalco", "--period", "2026", "--unit", "Nada"], "no existe la unidad"),
        (["--tenant", "chalco", "--period", "2026", "--department", "ZZ"], "no existe el depa"),
        (["--all-tenants", "--period", "2026", "--unit", "Nada"], "requieren --tenant"),
    ]
    for args, message in cases:
        result = runner.invoke(args=["indicators", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)


def test_sla_refresh_fills_the_worked_time_of_old_closed_requests(demo, book):  # noqa: F811
    with demo.app_context():
        db.session.execute(update(Ticket).values(work_seconds=None))
        db.session.commit()
    result = demo.test_cli_runner().invoke(args=["sla-refresh", "--tenant", "chalco", "--closed"])
    assert result.exit_code == 0, result.output
    # Open: E and F; closed: A, B, C, D, G.
    assert "Relojes recalculados: 2 abiertas; tiempo trabajado: 5 cerradas." in result.output
    with demo.app_context():
        assert db.session.get(Ticket, book["A"]).work_seconds == 21 * 3600
