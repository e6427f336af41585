"""The core's satisfaction survey: the CAU document's scale and a comment, nothing more.

Every concluded request's survey asks the overall rating on the three-level
scale of the CAU document (Satisfecho / Regular / Insatisfecho, stored as
:data:`helpdesk.models.surveys.RATINGS`) and an optional comment; the core adds
no question of its own for any service. A plugin asks more through
``helpdesk_survey_questions`` (a list hook: every plugin contributes), so this
default answers with nothing, last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk.hookspecs import hookimpl

if TYPE_CHECKING:
    from helpdesk.catalog import ServiceDefinition
    from helpdesk.catalog import SurveyQuestion


@hookimpl(trylast=True)
def helpdesk_survey_questions(service: ServiceDefinition) -> list[SurveyQuestion]:
    return []
