"""Indicators of the technical-opinion services, declared for the core to compute.

The Chalco manual names no indicator for P10, P11 or P12, so each service
gets the figures every Chalco procedure shares (requests received, concluded,
returned to complete requirements, rejected, median business time to
conclude, service-level compliance) plus those of its own outputs. Formulas
name the workflow steps by their labels, so they can be counted from the
event log. Periodicity is a default (monthly), not the document's.
"""

from __future__ import annotations

from helpdesk.catalog import IndicatorDefinition

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
        ),
        IndicatorDefinition(
            code=f"{prefix}_requests_concluded",
            name=f"Solicitudes concluidas ({service})",
            formula=(
                f"Número de solicitudes {code} que llegaron al estado «Concluida» en el periodo"
            ),
            unit="solicitudes",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
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
        ),
        IndicatorDefinition(
            code=f"{prefix}_median_business_days_to_conclude",
            name=f"Mediana del tiempo hábil para concluir ({service})",
            formula=(
                f"Mediana, sobre las solicitudes {code} concluidas en el periodo, del tiempo "
                "hábil (horario de atención, sin días inhábiles) entre la recepción y la "
                f"conclusión, sin contar {waits}"
            ),
            unit="días hábiles",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
        ),
        IndicatorDefinition(
            code=f"{prefix}_sla_compliance",
            name=f"Cumplimiento del plazo de atención ({service})",
            formula=(
                f"(Solicitudes {code} concluidas en el periodo dentro del plazo de atención "
                f"vigente / solicitudes {code} concluidas en el periodo) × 100; el plazo se "
                f"mide sin contar {waits}"
            ),
            unit="%",
            periodicity=MONTHLY,
            responsible=responsible,
            service_code=code,
        ),
    ]


P11_WAITS = (
    "el tiempo en espera del solicitante (requisitos por complementar e inspección física "
    "agendada con la dependencia)"
)
P12_WAITS = (
    "el tiempo en revisión de la DGSEI ni el de corrección de la Dirección de Administración"
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
            "Número de pasos «Emitir el dictamen técnico de baja y entregarlo a la dependencia» "
            "tomados en el periodo"
        ),
        unit="dictámenes",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P11",
    ),
    IndicatorDefinition(
        code="p11_assets_dictaminated",
        name="Bienes informáticos dictaminados para baja",
        formula=(
            "Número de bienes informáticos incluidos en los dictámenes técnicos de baja emitidos "
            "en el periodo (presentes, con datos correctos y reparación no viable o no costeable)"
        ),
        unit="bienes informáticos",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P11",
    ),
    IndicatorDefinition(
        code="p11_oficios_without_dictamen",
        name="Oficios con las razones por las que no se emite el dictamen técnico de baja",
        formula=(
            "Número de oficios de la Coordinación enviados en el periodo (pasos «Elaborar oficio "
            "con las razones…», por todos los bienes de la solicitud o por parte de ellos)"
        ),
        unit="oficios",
        periodicity=MONTHLY,
        responsible="Coordinación de Comunicación Social",
        service_code="GCH-CCS-P11",
    ),
    IndicatorDefinition(
        code="p11_assets_not_dictaminated_by_reason",
        name="Bienes informáticos no dictaminados, por causa",
        formula=(
            "Número de bienes informáticos inspeccionados en el periodo que no cumplen la "
            "política 11.7, por causa: no se encontró físicamente en la inspección; sus datos "
            "no son correctos; su reparación es viable y costeable (un bien presente cuenta en "
            "cada causa que reúne)"
        ),
        unit="bienes informáticos",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P11",
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
        formula="Número de pasos «Registrar el rechazo de la DGSEI con sus motivos» en el periodo",
        unit="rechazos",
        periodicity=MONTHLY,
        responsible=TECHNICAL_SECRETARY,
        service_code="GCH-CCS-P12",
    ),
    IndicatorDefinition(
        code="p12_dgsei_first_pass",
        name="Solicitudes dictaminadas por la DGSEI sin rechazo previo",
        formula=(
            "(Solicitudes GCH-CCS-P12 cuyo dictamen de la DGSEI se recibió en el periodo sin "
            "ningún rechazo previo de la DGSEI / solicitudes GCH-CCS-P12 cuyo dictamen se "
            "recibió en el periodo) × 100"
        ),
        unit="%",
        periodicity=MONTHLY,
        responsible=TECHNICAL_SECRETARY,
        service_code="GCH-CCS-P12",
    ),
    IndicatorDefinition(
        code="p12_dictamenes_delivered",
        name="Dictámenes técnicos de la DGSEI entregados a la Dirección de Administración",
        formula=(
            "Número de pasos «Entregar el dictamen técnico a la Dirección de Administración» en "
            "el periodo"
        ),
        unit="dictámenes",
        periodicity=MONTHLY,
        responsible=TECHNICAL_SECRETARY,
        service_code="GCH-CCS-P12",
    ),
    # CATALOG.md: the time spent waiting on the DGSEI is tracked apart (an external party).
    IndicatorDefinition(
        code="p12_median_dgsei_business_days",
        name="Mediana del tiempo de respuesta de la DGSEI",
        formula=(
            "Mediana, sobre los envíos a la DGSEI respondidos en el periodo (dictamen recibido o "
            "rechazo registrado), del tiempo hábil entre el paso «Enviar el oficio a la DGSEI…» "
            "y la respuesta"
        ),
        unit="días hábiles",
        periodicity=MONTHLY,
        responsible=TECHNICAL_SECRETARY,
        service_code="GCH-CCS-P12",
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
    ),
    IndicatorDefinition(
        code="p10dti_median_business_days_to_issue",
        name="Mediana del tiempo hábil para emitir el dictamen técnico interno",
        formula=(
            "Mediana, sobre los dictámenes técnicos internos emitidos en el periodo, del tiempo "
            "hábil entre la apertura del folio y su emisión"
        ),
        unit="días hábiles",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P10-DTI",
    ),
    IndicatorDefinition(
        code="p10dti_sla_compliance",
        name="Cumplimiento del plazo de emisión del dictamen técnico interno",
        formula=(
            "(Dictámenes técnicos internos emitidos en el periodo dentro del plazo de atención "
            "vigente / dictámenes técnicos internos emitidos en el periodo) × 100"
        ),
        unit="%",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P10-DTI",
    ),
    IndicatorDefinition(
        code="p10dti_share_of_support_requests",
        name="Solicitudes de soporte técnico que terminan en dictamen técnico interno",
        formula=(
            "(Folios GCH-CCS-P10-DTI abiertos en el periodo / solicitudes GCH-CCS-P10 concluidas "
            "o sin solución en el periodo) × 100"
        ),
        unit="%",
        periodicity=MONTHLY,
        responsible=DGD,
        service_code="GCH-CCS-P10-DTI",
    ),
]

ALL: list[IndicatorDefinition] = [*DTI_INDICATORS, *P11_INDICATORS, *P12_INDICATORS]
