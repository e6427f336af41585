"""The page where coordinators record the monthly figures (PSDT-06 followers)."""

from datetime import date

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import RecordedFigure
from tests.helpdesk.test_figures import sinaloa  # noqa: F401  (fixture)

URL = "/sinaloa/cifras/"


def stored(app):
    with app.app_context():
        return {
            (row.figure, row.month): row.value for row in db.session.scalars(select(RecordedFigure))
        }


@pytest.fixture
def coordinator(sinaloa, login_as):  # noqa: F811
    return login_as("coordinator", tenant="sinaloa")


def test_the_coordinator_records_a_month_and_sees_it_in_the_history(sinaloa, coordinator):  # noqa: F811
    page = coordinator.get(URL + "?mes=2026-10").get_data(as_text=True)
    assert "Nuevos seguidores en el mes" in page and "octubre de 2026" in page
    response = coordinator.post(
        URL,
        {
            "mes": "2026-10",
            "month": "2026-10",
            "figure_0": "120",
            "figure_1": "4000",
            "note": "Facebook Statistics y Twitter Counter",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("mes=2026-10")
    assert stored(sinaloa) == {
        ("psdt06_new_followers", date(2026, 10, 1)): 120,
        ("psdt06_current_followers", date(2026, 10, 1)): 4000,
    }
    page = coordinator.get(URL + "?mes=2026-10").get_data(as_text=True)
    assert 'value="120.0"' in page or 'value="120"' in page
    assert "4,000" in page and "Facebook Statistics y Twitter Counter" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"figure_0": "-3"}, "mayor o igual que cero"),
        ({"figure_0": "muchos"}, "número"),
        ({"month": "2026-Q4"}, "2026-10"),
        ({"month": "octubre"}, "No se reconoce el periodo"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(sinaloa, coordinator, changes, message):  # noqa: F811
    data = {"mes": "2026-10", "month": "2026-10", "figure_0": "1", "figure_1": "2", **changes}
    response = coordinator.post(URL, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert stored(sinaloa) == {}


def test_without_the_csrf_token_nothing_is_saved(sinaloa, coordinator):  # noqa: F811
    response = coordinator.client.post(URL, data={"month": "2026-10", "figure_0": "1"})
    assert response.status_code in (200, 400)
    assert stored(sinaloa) == {}


def test_requesters_and_other_tenants_cannot_record(sinaloa, login_as):  # noqa: F811
    assert login_as("requester", tenant="sinaloa").get(URL).status_code == 403
    assert login_as("coordinator", tenant="chalco").get(URL).status_code == 404


def test_a_tenant_without_such_indicators_is_told_so(sinaloa, login_as):  # noqa: F811
    page = login_as("coordinator", tenant="chalco").get("/chalco/cifras/").get_data(as_text=True)
    assert "No indicator of the services" in page or "Ningún indicador" in page
