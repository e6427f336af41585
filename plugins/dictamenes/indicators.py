"""Indicators of the technical-opinion services, with what the core counts for each.

The Chalco manual names no indicator for P10, P11 or P12, so each service
gets the figures every Chalco procedure shares (requests received, concluded,
returned to complete requirements, rejected, median business time to
conclude, compliance with the time to attend) plus those of its own outputs.
Formulas name the workflow steps by their labels and say exactly what the
``measure`` counts. Periodicity is a default (monthly), not the document's.

Times are in business hours (the help desk's unit): no document fixes them
in days, and an hour figure needs no assumption about the length of a day.
"""

from __future__ import annotations

from helpdesk import measures
from helpdesk.catalog import IndicatorDefinition
from plugins.dictamenes import counts
from plugins.dictamenes import inspection
from plugins.dictamenes import workflows

MONTHLY = "mensual"
DGD = "Departamento de Gobierno Digital (Coordinación de Comunicación Social)"
TECHNICAL_SECRETARY = (
    "Coordinación de Comunicación Social, como Secretaría Técnica del Comité Interno de "
    "Gobierno Digital"
)


def _common(
    code: str, prefix: str, service: str, responsible: str, waits: str, completion_step: str
) -> list[IndicatorDefinition]:
    """The six figures every service declares, worded for ``service``."""
    return [
        IndicatorDefinition(
            code=f"{prefix}_requests_received",
            name=f"Solicitudes recibidas ({service})",
            formula=(
                f"Número de solicitudes {code} registradas con folio cuya fecha de recepción "
                "cae en el periodo"
            ),
            unit="solicitudes",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
            measure=measures.Received(),
        ),
        IndicatorDefinition(
            code=f"{prefix}_requests_concluded",
            name=f"Solicitudes concluidas ({service})",
            formula=(
                f"Número de solicitudes {code} que llegaron al estado «Concluida» en el periodo, "
                "sin importar cuándo se recibieron"
            ),
            unit="solicitudes",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
            measure=measures.Closed(measures.CONCLUDED),
        ),
        IndicatorDefinition(
            code=f"{prefix}_returned_for_requirements",
            name=f"Solicitudes devueltas por requisitos incompletos ({service})",
            formula=(
                f"Número de solicitudes {code} con al menos un paso «{completion_step}» en el "
                "periodo (cada solicitud cuenta una vez, aunque se devuelva varias veces)"
            ),
            unit="solicitudes",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
            measure=measures.Stepped(steps=("request_completion",)),
        ),
        IndicatorDefinition(
            code=f"{prefix}_rejected",
            name=f"Solicitudes rechazadas por no cumplir los requisitos ({service})",
            formula=(
                f"Número de solicitudes {code} que llegaron al estado «Rechazada» (rechazo con "
                "motivo escrito en la revisión de requisitos) en el periodo"
            ),
            unit="solicitudes",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
            measure=measures.Closed(measures.REJECTED),
        ),
        IndicatorDefinition(
            code=f"{prefix}_median_business_hours_to_conclude",
            name=f"Mediana del tiempo hábil para concluir ({service})",
            formula=(
                f"Mediana, en horas hábiles, sobre las solicitudes {code} concluidas en el "
                "periodo, del tiempo hábil (horario de atención, sin días inhábiles) entre la "
                f"recepción y la conclusión, sin contar {waits}"
            ),
            unit="horas hábiles",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
            measure=measures.WorkTime(0.5),
        ),
        IndicatorDefinition(
            code=f"{prefix}_sla_compliance",
            name=f"Cumplimiento del plazo de atención ({service})",
            formula=(
                f"(Solicitudes {code} concluidas en el periodo dentro de su plazo para atender / "
                f"solicitudes {code} concluidas en el periodo con plazo para atender) × 100; el "
                "plazo es el vigente al concluir y se mide en tiempo hábil sin contar "
                f"{waits}"
            ),
            unit="%",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
            measure=measures.SlaCompliance(target="resolve"),
        ),
    ]


P11_WAITS = (
    "el tiempo en espera del solicitante (requisitos por complementar e inspección física "
    "agendada con la dependencia)"
)
P12_WAITS = (
    "el tiempo en revisión de la DGSEI ni el de la Dirección de Administración al complementar "
    "los requisitos o al corregir la solicitud rechazada por la DGSEI"
)
ASSETS_IN_OFICIOS = (
    "Número de bienes informáticos incluidos en los oficios con las razones por las que no se "
    "emite el dictamen técnico de baja, enviados en el periodo (pasos «Elaborar oficio con las "
    "razones…»)"
)
P11_DECLINES = (workflows.DECLINE_DICTAMEN, workflows.DECLINE_SOME_ASSETS)


def _p11_assets(
    code: str, name: str, formula: str, measure: measures.Measure
) -> IndicatorDefinition:
    return IndicatorDefinition(
        code=code,
        name=name,
        formula=formula,
        unit="bienes informáticos",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P11",
        measure=measure,
    )


P11_INDICATORS: list[IndicatorDefinition] = [
    *_common(
        "GCH-CCS-P11",
        "p11",
        "dictamen técnico de baja",
        DGD,
        P11_WAITS,
        "Solicitar por oficio complementar los requisitos",
    ),
    IndicatorDefinition(
        code="p11_dictamenes_issued",
        name="Dictámenes técnicos de baja emitidos",
        formula=(
            "Número de solicitudes GCH-CCS-P11 con el paso «Emitir el dictamen técnico de baja y "
            "entregarlo a la dependencia» en el periodo (una solicitud lleva a lo más un "
            "dictamen)"
        ),
        unit="dictámenes",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P11",
        measure=measures.Stepped(steps=(workflows.ISSUE_DICTAMEN,)),
    ),
    _p11_assets(
        "p11_assets_dictaminated",
        "Bienes informáticos dictaminados para baja",
        "Número de bienes informáticos incluidos en los dictámenes técnicos de baja emitidos "
        "en el periodo (presentes, con datos correctos y reparación no viable o no costeable, "
        "según la última inspección registrada)",
        measures.Custom(counts.inspection_tally(inspection.QUALIFY, workflows.ISSUE_DICTAMEN)),
    ),
    IndicatorDefinition(
        code="p11_oficios_without_dictamen",
        name="Oficios con las razones por las que no se emite el dictamen técnico de baja",
        formula=(
            "Número de oficios de la Coordinación enviados en el periodo (pasos «Elaborar oficio "
            "con las razones…», por todos los bienes de la solicitud o por parte de ellos; a lo "
            "más uno por solicitud)"
        ),
        unit="oficios",
        periodicity=MONTHLY,
        responsible="Coordinación de Comunicación Social",
        service_code="GCH-CCS-P11",
        measure=measures.Stepped(steps=P11_DECLINES),
    ),
    _p11_assets(
        "p11_assets_not_dictaminated",
        "Bienes informáticos no dictaminados",
        f"{ASSETS_IN_OFICIOS}: los que no cumplen la política 11.7",
        measures.Custom(counts.inspection_tally(inspection.UNFIT, *P11_DECLINES)),
    ),
    # 11.7 lists three conditions; a present asset counts under each one it fails.
    _p11_assets(
        "p11_assets_not_found",
        "Bienes informáticos no dictaminados: no se encontraron físicamente",
        f"{ASSETS_IN_OFICIOS} porque no se encontraron físicamente en la inspección",
        measures.Custom(counts.inspection_tally(inspection.NOT_FOUND, *P11_DECLINES)),
    ),
    _p11_assets(
        "p11_assets_wrong_data",
        "Bienes informáticos no dictaminados: datos incorrectos",
        f"{ASSETS_IN_OFICIOS} porque sus datos no corresponden a los del oficio de solicitud "
        "(un bien cuenta también en las demás causas que reúna)",
        measures.Custom(counts.inspection_tally(inspection.DATA_WRONG, *P11_DECLINES)),
    ),
    _p11_assets(
        "p11_assets_repairable",
        "Bienes informáticos no dictaminados: reparación viable y costeable",
        f"{ASSETS_IN_OFICIOS} porque su reparación es viable y costeable (un bien cuenta "
        "también en las demás causas que reúna)",
        measures.Custom(counts.inspection_tally(inspection.REPAIR_VIABLE, *P11_DECLINES)),
    ),
]

P12_INDICATORS: list[IndicatorDefinition] = [
    *_common(
        "GCH-CCS-P12",
        "p12",
        "dictamen técnico previo a la adquisición de TIC",
        TECHNICAL_SECRETARY,
        P12_WAITS,
        "Solicitar mediante el SIDEM complementar los requisitos",
    ),
    IndicatorDefinition(
        code="p12_dgsei_rejections",
        name="Rechazos de la DGSEI",
        formula=(
            "Número de pasos «Registrar el rechazo de la DGSEI con sus motivos» en el periodo "
            "(cada rechazo cuenta, aunque una solicitud se rechace varias veces)"
        ),
        unit="rechazos",
        periodicity=MONTHLY,
        responsible=TECHNICAL_SECRETARY,
        service_code="GCH-CCS-P12",
        measure=measures.Custom(counts.steps_taken(workflows.DGSEI_REJECTS)),
    ),
    IndicatorDefinition(
        code="p12_dgsei_first_pass",
        name="Solicitudes dictaminadas por la DGSEI sin rechazo previo",
        formula=(
            "(Solicitudes GCH-CCS-P12 cuyo dictamen de la DGSEI se recibió en el periodo sin "
            "ningún rechazo previo de la DGSEI / solicitudes GCH-CCS-P12 cuyo dictamen se "
            "recibió en el periodo) × 100; el dictamen se recibe con el paso «Recibir el "
            "dictamen técnico emitido por la DGSEI»"
        ),
        unit="%",
        periodicity=MONTHLY,
        responsible=TECHNICAL_SECRETARY,
        service_code="GCH-CCS-P12",
        measure=measures.Ratio(
            numerator=measures.Custom(counts.dgsei_first_pass),
            denominator=measures.Stepped(steps=(workflows.RECEIVE_DGSEI_DICTAMEN,)),
        ),
    ),
    IndicatorDefinition(
        code="p12_dictamenes_delivered",
        name="Dictámenes técnicos de la DGSEI entregados a la Dirección de Administración",
        formula=(
            "Número de solicitudes GCH-CCS-P12 con el paso «Entregar el dictamen técnico a la "
            "Dirección de Administración» en el periodo (se entrega una vez por solicitud)"
        ),
        unit="dictámenes",
        periodicity=MONTHLY,
        responsible=TECHNICAL_SECRETARY,
        service_code="GCH-CCS-P12",
        measure=measures.Stepped(steps=(workflows.DELIVER_DICTAMEN,)),
    ),
    # CATALOG.md: the time spent waiting on the DGSEI is tracked apart (an external party).
    IndicatorDefinition(
        code="p12_median_dgsei_business_hours",
        name="Mediana del tiempo de respuesta de la DGSEI",
        formula=(
            "Mediana, en horas hábiles, sobre las respuestas de la DGSEI registradas en el "
            "periodo (pasos «Recibir el dictamen técnico emitido por la DGSEI» o «Registrar el "
            "rechazo de la DGSEI con sus motivos»), del tiempo hábil entre el paso «Enviar el "
            "oficio a la DGSEI…» que la precede y la respuesta"
        ),
        unit="horas hábiles",
        periodicity=MONTHLY,
        responsible=TECHNICAL_SECRETARY,
        service_code="GCH-CCS-P12",
        measure=measures.Custom(counts.dgsei_response_hours),
    ),
]

# The internal dictamen has no requirements review (P10 hands it over): its
# "returned" and "rejected" figures do not exist, so they are not declared.
DTI_INDICATORS: list[IndicatorDefinition] = [
    IndicatorDefinition(
        code="p10dti_requests_received",
        name="Dictámenes técnicos internos solicitados",
        formula=(
            "Número de folios GCH-CCS-P10-DTI abiertos en el periodo (solicitudes de soporte "
            "técnico cuya falla no se solucionó)"
        ),
        unit="dictámenes",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P10-DTI",
        measure=measures.Received(),
    ),
    IndicatorDefinition(
        code="p10dti_issued",
        name="Dictámenes técnicos internos emitidos",
        formula=(
            "Número de folios GCH-CCS-P10-DTI que llegaron al estado «Dictamen emitido y "
            "entregado al titular» en el periodo"
        ),
        unit="dictámenes",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P10-DTI",
        measure=measures.Closed(measures.CONCLUDED),
    ),
    IndicatorDefinition(
        code="p10dti_median_business_hours_to_issue",
        name="Mediana del tiempo hábil para emitir el dictamen técnico interno",
        formula=(
            "Mediana, en horas hábiles, sobre los dictámenes técnicos internos emitidos en el "
            "periodo, del tiempo hábil entre la apertura del folio y su emisión"
        ),
        unit="horas hábiles",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P10-DTI",
        measure=measures.WorkTime(0.5),
    ),
    IndicatorDefinition(
        code="p10dti_sla_compliance",
        name="Cumplimiento del plazo de emisión del dictamen técnico interno",
        formula=(
            "(Dictámenes técnicos internos emitidos en el periodo dentro de su plazo para "
            "atender / dictámenes técnicos internos emitidos en el periodo con plazo para "
            "atender) × 100; el plazo es el vigente al emitirlo"
        ),
        unit="%",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P10-DTI",
        measure=measures.SlaCompliance(target="resolve"),
    ),
    IndicatorDefinition(
        code="p10dti_share_of_support_requests",
        name="Solicitudes de soporte técnico que terminan en dictamen técnico interno",
        formula=(
            "(Folios GCH-CCS-P10-DTI abiertos en el periodo / solicitudes GCH-CCS-P10 cerradas "
            "en el periodo con el servicio dado: concluidas o sin solución) × 100; el folio se "
            "abre con la recepción siguiente al paso «La falla no se solucionó…», así que un "
            "paso tomado fuera del horario de atención el último día del periodo abre su folio "
            "en el siguiente"
        ),
        unit="%",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P10-DTI",
        measure=measures.Ratio(
            numerator=measures.Received(),
            denominator=measures.Custom(counts.closed_support_requests),
        ),
    ),
]

ALL: list[IndicatorDefinition] = [*DTI_INDICATORS, *P11_INDICATORS, *P12_INDICATORS]
