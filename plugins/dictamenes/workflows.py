"""The technical-opinion workflows: P11, P12 and the dictamen técnico interno of P10.

Each starts from the common shape of CATALOG.md (received → review → needs
completion ↔ corrected → …) and adds the steps of its procedure (manual,
sections 10.9, 11.9 and 12.9). Step names are the glossary's where it has one.
"""

from __future__ import annotations

from dataclasses import replace

from helpdesk.workflow import STAY
from helpdesk.workflow import ClockKind
from helpdesk.workflow import State
from helpdesk.workflow import Transition
from helpdesk.workflow import Workflow
from helpdesk.workflow import skeleton
from helpdesk.workflow.skeleton import OPEN_BEFORE_WORK
from helpdesk.workflow.skeleton import REVIEWABLE
from helpdesk.workflow.skeleton import WorkflowBuilder
from plugins.dictamenes import inspection
from plugins.dictamenes import internal

STAFF = ("agent", "coordinator")

# -- GCH-CCS-P11 step names (the documents and the inspection page use them) ---
SCHEDULE_INSPECTION = "schedule_inspection"
RESCHEDULE_INSPECTION = "reschedule_inspection"
RECORD_INSPECTION = "record_inspection"
DECLINE_DICTAMEN = "decline_dictamen"
DECLINE_SOME_ASSETS = "decline_some_assets"
ISSUE_DICTAMEN = "issue_dictamen"

# -- GCH-CCS-P12 ---------------------------------------------------------------
RELEASE_IN_SIDEM = "release_in_sidem"
SEND_TO_DGSEI = "send_to_dgsei"
DGSEI_REJECTS = "dgsei_rejects"
RECEIVE_DGSEI_DICTAMEN = "receive_dgsei_dictamen"
DELIVER_DICTAMEN = "deliver_dictamen"

# -- GCH-CCS-P10-DTI -----------------------------------------------------------
RECORD_REASONS = internal.RECORD_REASONS


def _relabel(builder: WorkflowBuilder, name: str, **changes: str) -> None:
    builder.states[name] = replace(builder.states[name], **changes)


def _drop_states(builder: WorkflowBuilder, *names: str) -> None:
    """Remove common-shape states a procedure has no use for (and steps into them)."""
    for name in names:
        del builder.states[name]
    for transition in list(builder.transitions):
        sources = tuple(s for s in transition.sources if s not in names)
        if transition.target in names or not sources:
            builder.remove_transition(transition.name)
        elif sources != transition.sources:
            builder.change_transition(transition.name, sources=sources)


def p11_workflow() -> Workflow:
    """11.9: 1-5 the common shape (the Coordinador asks by oficio to complete the
    requirements, then turns to Gobierno Digital); 6 DGD receives the oficio;
    7 schedules the inspection with the dependencia; 8 inspects each asset;
    9 the Coordinador sends an oficio with the reasons when an asset does not
    qualify (11.7: data right, asset present, repair not viable / not
    cost-effective); 10 DGD issues the dictamen técnico de baja for those that
    do and delivers it; 11 registers and concludes.

    The seed's yes/no arrows at activity 8 are swapped (CATALOG.md); the
    conditions of 11.7 decide, asset by asset.
    """
    builder = skeleton()
    builder.change_transition(
        "request_completion", label="Solicitar por oficio complementar los requisitos"
    )
    builder.change_transition("turn", label="Turnar al Departamento de Gobierno Digital")
    builder.change_transition("start", label="Recibir el oficio de solicitud de baja")
    _relabel(
        builder,
        "in_progress",
        label="Recibida por Gobierno Digital: por agendar la inspección",
        requester_label="Recibida por Gobierno Digital: se agendará la inspección física",
    )
    # The date is agreed with the dependencia, where the assets are (11.4, 11.9 act. 7):
    # until that appointment the request waits on the requester, not on the department.
    builder.add_state(
        State(
            name="inspection_scheduled",
            label="Inspección física agendada",
            requester_label="Inspección física agendada con su dependencia",
            clock=ClockKind.WAITING_REQUESTER,
        )
    )
    builder.add_state(
        State(
            name="inspected",
            label="Bienes inspeccionados: por dictaminar",
            requester_label="Bienes inspeccionados: en dictaminación",
        )
    )
    builder.add_state(
        State(
            name="partly_declined",
            label="Oficio enviado por los bienes que no proceden: por emitir el dictamen",
            requester_label="Oficio enviado por los bienes que no proceden; dictamen en emisión",
        )
    )
    builder.add_state(
        State(
            name="dictamen_issued",
            label="Dictamen técnico de baja emitido y entregado: por registrar",
            requester_label="Dictamen técnico de baja emitido",
        )
    )
    builder.add_state(
        State(
            name="oficio_sent",
            label="Oficio con las razones enviado, sin dictamen: por registrar",
            requester_label="No procede el dictamen técnico de baja: oficio con las razones",
        )
    )
    for transition in (
        Transition(
            name=SCHEDULE_INSPECTION,
            label="Agendar la inspección física con la dependencia",
            sources=("in_progress",),
            target="inspection_scheduled",
            actors=STAFF,
            requires=("date", "text"),
            effects=(inspection.check_inspection_date,),
        ),
        Transition(
            name=RESCHEDULE_INSPECTION,
            label="Cambiar la fecha de la inspección",
            sources=("inspection_scheduled",),
            target=STAY,
            actors=STAFF,
            requires=("date", "reason"),
            effects=(inspection.check_inspection_date,),
            style="secondary",
        ),
        Transition(
            name=RECORD_INSPECTION,
            label="Registrar el resultado de la inspección de cada bien",
            sources=("inspection_scheduled", "inspected"),
            target="inspected",
            actors=STAFF,
            requires=("text",),
            effects=(inspection.store_results,),
        ),
        Transition(
            name=DECLINE_DICTAMEN,
            label="Elaborar oficio con las razones por las que no se emite el dictamen",
            sources=("inspected",),
            target="oficio_sent",
            actors=("coordinator",),
            requires=("reason",),
            guard=inspection.none_qualify,
            style="danger",
        ),
        Transition(
            name=DECLINE_SOME_ASSETS,
            label="Elaborar oficio con las razones por los bienes que no proceden",
            sources=("inspected",),
            target="partly_declined",
            actors=("coordinator",),
            requires=("reason",),
            guard=inspection.some_qualify_and_some_not,
            style="danger",
        ),
        Transition(
            name=ISSUE_DICTAMEN,
            label="Emitir el dictamen técnico de baja y entregarlo a la dependencia",
            sources=("inspected", "partly_declined"),
            target="dictamen_issued",
            actors=STAFF,
            requires=("text",),
            guard=inspection.may_issue,
        ),
    ):
        builder.add_transition(transition)
    builder.change_transition(
        "assign",
        sources=("turned", "in_progress", "inspection_scheduled", "inspected", "partly_declined"),
    )
    builder.change_transition(
        "conclude",
        sources=("dictamen_issued", "oficio_sent"),
        label="Registrar y concluir la solicitud",
    )
    return builder.build("GCH-CCS-P11")


def p12_workflow() -> Workflow:
    """12.9: 1-2 the Dirección de Administración files in SIDEM and gives the
    folio; 3-5 the Coordinador (Secretario Técnico of the Comité Interno de
    Gobierno Digital) checks and asks through SIDEM to complete; 6 releases it
    in SIDEM; 7 sends the oficio to the DGSEI; 8-9 the DGSEI reviews (its time
    is not the Coordination's); 10 a rejection with reasons goes back to the
    Dirección de Administración (activity 1); 11 the DGSEI issues the dictamen;
    12 the Coordinador delivers it to Administración; then it is concluded.

    The Coordinador handles it himself: there is no turn to a department.
    """
    builder = skeleton()
    _drop_states(builder, "turned", "in_progress")
    builder.change_transition(
        "request_completion", label="Solicitar mediante el SIDEM complementar los requisitos"
    )
    builder.add_state(
        State(
            name="released",
            label="Liberada en el SIDEM: por enviar el oficio a la DGSEI",
            requester_label="Liberada en el SIDEM",
        )
    )
    builder.add_state(
        State(
            name="at_dgsei",
            label="En revisión de la DGSEI",
            requester_label=(
                "En revisión de la Dirección General del Sistema Estatal de Informática"
            ),
            clock=ClockKind.WAITING_EXTERNAL,
        )
    )
    builder.add_state(
        State(
            name="returned_by_dgsei",
            label="Rechazada por la DGSEI: en corrección de la Dirección de Administración",
            requester_label="Rechazada por la DGSEI: corrija la solicitud en el SIDEM y envíela",
            clock=ClockKind.WAITING_REQUESTER,
        )
    )
    builder.add_state(
        State(
            name="dictamen_received",
            label="Dictamen técnico de la DGSEI recibido: por entregar",
            requester_label="Dictamen técnico emitido por la DGSEI: por entregarse",
        )
    )
    builder.add_state(
        State(
            name="delivered",
            label="Dictamen entregado a la Dirección de Administración: por concluir",
            requester_label="Dictamen técnico entregado",
        )
    )
    for transition in (
        Transition(
            name=RELEASE_IN_SIDEM,
            label="Liberar la solicitud en el SIDEM",
            sources=REVIEWABLE,
            target="released",
            actors=("coordinator",),
            requires=("checklist",),
        ),
        Transition(
            name=SEND_TO_DGSEI,
            label="Enviar el oficio a la DGSEI solicitando el dictamen técnico",
            sources=("released",),
            target="at_dgsei",
            actors=("coordinator",),
            requires=("text",),
        ),
        Transition(
            name=DGSEI_REJECTS,
            label="Registrar el rechazo de la DGSEI con sus motivos",
            sources=("at_dgsei",),
            target="returned_by_dgsei",
            actors=("coordinator",),
            requires=("reason",),
            style="danger",
        ),
        Transition(
            name=RECEIVE_DGSEI_DICTAMEN,
            label="Recibir el dictamen técnico emitido por la DGSEI",
            sources=("at_dgsei",),
            target="dictamen_received",
            actors=("coordinator",),
            requires=("file", "text"),
        ),
        Transition(
            name=DELIVER_DICTAMEN,
            label="Entregar el dictamen técnico a la Dirección de Administración",
            sources=("dictamen_received",),
            target="delivered",
            actors=("coordinator",),
            requires=("text",),
        ),
    ):
        builder.add_transition(transition)
    # Activity 10 connects with activity 1: the Dirección de Administración
    # corrects the request and sends it again, as after a request to complete.
    builder.change_transition("resubmit", sources=("needs_completion", "returned_by_dgsei"))
    builder.change_transition("withdraw", sources=(*OPEN_BEFORE_WORK, "returned_by_dgsei"))
    builder.add_transition(
        Transition(
            name="conclude",
            label="Registrar y concluir la solicitud",
            sources=("delivered",),
            target="concluded",
            actors=("coordinator",),
            requires=("text",),
        )
    )
    return builder.build("GCH-CCS-P12")


def internal_dictamen_workflow() -> Workflow:
    """P10 activity 8 and policy 10.7: DGD writes the technical reasons of the
    fault found and the technical specifications of the solution, addressed to
    the head of the dependencia or organismo; issuing it ends the case.

    The reasons default to the ones DGD gave when P10 handed the fault over;
    "record_reasons" writes (or rewrites) them here before issuing.
    """
    return Workflow(
        states={
            "received": State(
                name="received",
                label="Por elaborar",
                requester_label="En elaboración del dictamen",
            ),
            "reasons_recorded": State(
                name="reasons_recorded",
                label="Motivos técnicos registrados: por emitir",
                requester_label="En elaboración del dictamen",
            ),
            "issued": State(
                name="issued",
                label="Dictamen emitido y entregado al titular",
                requester_label="Dictamen técnico interno emitido",
                clock=ClockKind.CLOSED,
            ),
        },
        transitions=(
            Transition(
                name=RECORD_REASONS,
                label="Registrar los motivos técnicos de la falla encontrada",
                sources=("received", "reasons_recorded"),
                target="reasons_recorded",
                actors=STAFF,
                requires=("text",),
                style="secondary",
            ),
            Transition(
                name=ISSUE_DICTAMEN,
                label=(
                    "Emitir el dictamen técnico interno con las especificaciones técnicas "
                    "para su solución"
                ),
                sources=("received", "reasons_recorded"),
                target="issued",
                actors=STAFF,
                requires=("text",),
                effects=(internal.snapshot,),
            ),
        ),
        initial="received",
    ).validate()
