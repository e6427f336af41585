"""How the plugin plugs in: services, workflows' clocks, documents, indicators, its page,
and the tenant setting that stops offering a service without hiding its tickets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.catalog import workflow_of
from helpdesk.extensions import db
from helpdesk.models import TenantService
from helpdesk.workflow import ClockKind
from plugins.dictamenes import indicators
from plugins.dictamenes.services import INTERNAL_DICTAMEN
from plugins.dictamenes.services import P11
from plugins.dictamenes.services import P12

from .conftest import ASSET
from .conftest import file_p11
from .conftest import file_p12
from .conftest import folio_from
from .conftest import state_of
from .conftest import step

SERVICES = {"GCH-CCS-P10-DTI": INTERNAL_DICTAMEN, "GCH-CCS-P11": P11, "GCH-CCS-P12": P12}


def test_the_plugin_contributes_its_services_indicators_and_page(app):
    host = app.extensions["helpdesk"]
    for code in SERVICES:
        assert host.catalog.get(code).plugin == "dictamenes"
    for indicator in indicators.ALL:
        assert host.indicators[indicator.code].plugin == "dictamenes"
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    assert rules["/<tenant>/s/dictamenes/inspeccion/<folio>"] == "dictamenes_p11.inspect"


@pytest.mark.parametrize(
    ("service", "state", "clock"),
    [
        (P11, "needs_completion", ClockKind.WAITING_REQUESTER),
        (P11, "inspection_scheduled", ClockKind.WAITING_REQUESTER),
        (P11, "inspected", ClockKind.COUNTING),
        (P11, "concluded", ClockKind.CLOSED),
        (P12, "at_dgsei", ClockKind.WAITING_EXTERNAL),
        (P12, "returned_by_dgsei", ClockKind.WAITING_REQUESTER),
        (P12, "released", ClockKind.COUNTING),
        (P12, "concluded", ClockKind.CLOSED),
        (INTERNAL_DICTAMEN, "issued", ClockKind.CLOSED),
    ],
)
def test_each_state_says_whose_time_it_is(service, state, clock):
    assert workflow_of(service).state(state).clock is clock


def test_p12_is_handled_by_the_coordination_without_a_turn():
    workflow = workflow_of(P12)
    assert P12.department == "CCS"
    assert {"turned", "in_progress"}.isdisjoint(workflow.states)
    assert workflow.transition("turn") is None
    assert workflow.transition("release_in_sidem").requires == ("checklist",)


def test_documents_follow_their_steps():
    assert {d.name: (d.after, d.requester) for d in P11.documents} == {
        "cedula-inspeccion": (("schedule_inspection", "reschedule_inspection"), False),
        "dictamen-baja": (("issue_dictamen",), True),
        "oficio-razones": (("decline_dictamen", "decline_some_assets"), True),
    }
    assert [(d.name, d.after, d.requester) for d in P12.documents] == [
        ("oficio-dgsei", ("release_in_sidem",), False)
    ]
    assert [(d.name, d.after) for d in INTERNAL_DICTAMEN.documents] == [
        ("dictamen-tecnico-interno", ("issue_dictamen",))
    ]


COMMON = (
    "requests_received",
    "requests_concluded",
    "returned_for_requirements",
    "rejected",
    "median_business_hours_to_conclude",
    "sla_compliance",
)


@pytest.mark.parametrize(("code", "prefix"), [("GCH-CCS-P11", "p11"), ("GCH-CCS-P12", "p12")])
def test_each_service_declares_the_common_indicators(code, prefix):
    declared = {i.code: i for i in indicators.ALL if i.service_code == code}
    for name in COMMON:
        assert f"{prefix}_{name}" in declared
    assert declared[f"{prefix}_sla_compliance"].unit == "%"
    assert declared[f"{prefix}_median_business_hours_to_conclude"].unit == "horas hábiles"


def test_the_documents_have_their_own_indicators():
    codes = {i.code for i in indicators.ALL}
    assert {"p11_dictamenes_issued", "p11_oficios_without_dictamen"} <= codes
    assert {"p12_dgsei_rejections", "p12_median_dgsei_business_hours"} <= codes
    assert {"p10dti_issued", "p10dti_median_business_hours_to_issue"} <= codes


def test_indicators_are_fully_declared():
    codes = [i.code for i in indicators.ALL]
    assert len(codes) == len(set(codes))
    for indicator in indicators.ALL:
        assert indicator.service_code in SERVICES
        for text in (indicator.name, indicator.formula, indicator.unit, indicator.responsible):
            assert text.strip()
        assert indicator.periodicity == "mensual"


# -- A tenant stops offering a service ----------------------------------------


def service_setting_id(app, code):
    with app.app_context():
        return db.session.scalar(select(TenantService.id).where(TenantService.service_code == code))


@pytest.mark.parametrize("code", ["GCH-CCS-P11", "GCH-CCS-P12"])
def test_a_disabled_service_leaves_the_portal_but_its_tickets_stay(demo, login_as, code):
    requester = login_as("requester")
    filed = file_p11(requester, demo, ASSET) if code == "GCH-CCS-P11" else file_p12(requester, demo)
    folio = folio_from(filed)
    service = SERVICES[code]
    assert service.name in requester.get("/chalco/").get_data(as_text=True)

    admin = login_as("tenant_admin")
    admin.get("/chalco/admin/services")
    toggled = admin.post(f"/chalco/admin/services/{service_setting_id(demo, code)}/toggle")
    assert toggled.status_code == 302
    with demo.app_context():
        assert not db.session.scalar(
            select(TenantService.enabled).where(TenantService.service_code == code)
        )

    assert service.name not in requester.get("/chalco/").get_data(as_text=True)
    assert requester.get(f"/chalco/servicios/{code}/solicitar").status_code == 404
    coordinator = login_as("coordinator")
    assert coordinator.get(f"/chalco/mesa/nueva/{code}").status_code == 404

    # Filed before: still readable, with its receipt, and still workable by staff.
    page = coordinator.get(f"/chalco/mesa/solicitudes/{folio}")
    assert page.status_code == 200 and folio in page.get_data(as_text=True)
    assert requester.get(f"/chalco/solicitudes/{folio}").status_code == 200
    assert coordinator.get(f"/chalco/solicitudes/{folio}/acuse.pdf").status_code == 200
    step(coordinator, folio, "review")
    assert state_of(demo, folio) == "in_review"
