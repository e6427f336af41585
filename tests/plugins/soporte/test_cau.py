"""The CAU catalog: the request type selects the group, which carries its service level."""

import pytest

from helpdesk.catalog import BusinessDuration
from plugins.soporte import cau
from plugins.soporte.forms import CauRequestForm
from plugins.soporte.services import CAU

HOURS_PER_DAY = 7  # the documents' office hours, 9:00 to 16:00


def hours(duration: BusinessDuration) -> int:
    return duration.amount * (HOURS_PER_DAY if duration.unit == "days" else 1)


def test_every_type_of_the_form_belongs_to_exactly_one_group():
    offered = {
        choice.value
        for _g, items in CauRequestForm().request_type.iter_groups()
        for choice in items
    }
    assert offered == set(cau.SERVICE_TYPES) == set(cau.GROUP_OF_TYPE)
    assert sum(len(group.types) for group in cau.GROUPS) == len(offered)
    assert cau.EQUIPMENT_TYPES <= offered


@pytest.mark.parametrize(
    ("request_type", "group", "respond", "resolve"),
    [
        ("printer", "impresion", "4 horas hábiles", "2 días hábiles"),
        ("password_reset", "cuentas", "2 horas hábiles", "1 día hábil"),
        ("network", "red", "2 horas hábiles", "2 días hábiles"),
        ("it_advice", "asesoria", "1 día hábil", "3 días hábiles"),
    ],
)
def test_the_request_type_selects_the_group_and_its_service_level(
    request_type, group, respond, resolve
):
    found = cau.group_of({"request_type": request_type})
    assert found is cau.GROUPS_BY_CODE[group]
    assert cau.sla_for({"request_type": request_type}) == found.sla
    assert cau.describe_sla(found.sla) == f"canalización en {respond}; atención en {resolve}"
    assert found.department == "DGSYTI" and found.team


@pytest.mark.parametrize("data", [{}, {"request_type": "coffee"}, {"request_type": 3}])
def test_an_unknown_type_leaves_the_services_own_level(data):
    assert cau.group_of(data) is None
    assert cau.sla_for(data) is None


def test_the_service_wide_default_is_never_tighter_than_a_group():
    # The core applies one level per service: no ticket is shown late while its
    # group's own agreement is still met.
    for group in cau.GROUPS:
        assert hours(group.sla.respond) <= hours(CAU.sla.respond)
        assert hours(group.sla.resolve) <= hours(CAU.sla.resolve)
    assert CAU.sla == cau.loosest_sla()
