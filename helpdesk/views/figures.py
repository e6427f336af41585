"""Monthly figures recorded by hand for the indicators that need them (coordinators, admins)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import FloatField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from helpdesk import figures
from helpdesk import measures
from helpdesk import periods
from helpdesk.auth import roles_required
from helpdesk.extensions import db
from helpdesk.models import RecordedFigure
from helpdesk.models.base import utcnow
from helpdesk.tenancy import require_tenant

bp = Blueprint("figures", __name__, url_prefix="/<tenant>/cifras")
HISTORY_MONTHS = 12


def _month(text: str | None, default: date) -> date:
    try:
        period = periods.parse(text or "")
    except periods.PeriodError:
        return default
    return period.start if period.kind == periods.MONTH else default


def _last_month(zone: str) -> date:
    from zoneinfo import ZoneInfo

    today = utcnow().astimezone(ZoneInfo(zone)).date()
    return periods.previous(periods.current(periods.MONTH, today)).start


def _valid_month(form: FlaskForm, field: StringField) -> None:
    try:
        period = periods.parse(field.data or "")
    except periods.PeriodError as exc:
        raise ValidationError(str(exc)) from None
    if period.kind != periods.MONTH:
        raise ValidationError(_("Write a month as YYYY-MM, for example 2026-10."))


def figures_form(wanted: list[measures.Recorded], **kwargs: object) -> FlaskForm:
    class FiguresForm(FlaskForm):
        month = StringField(_l("Month"), validators=[InputRequired(), _valid_month])
        note = TextAreaField(_l("Source or note"), validators=[Optional(), Length(max=500)])

    for index, figure in enumerate(wanted):
        setattr(
            FiguresForm,
            f"figure_{index}",
            FloatField(
                figure.label,
                validators=[
                    Optional(),
                    NumberRange(
                        min=0,
                        max=figures.MAX_VALUE,
                        message=_l("Write a number greater than or equal to zero."),
                    ),
                ],
            ),
        )
    return FiguresForm(**kwargs)


@bp.route("/", methods=["GET", "POST"])
@roles_required("coordinator", "tenant_admin")
def index() -> str | Response:
    tenant = require_tenant()
    wanted = figures.figures_of(tenant)
    month = _month(request.values.get("mes"), _last_month(tenant.timezone))
    current = figures.month_values(tenant, month)
    defaults = {
        f"figure_{index}": current[figure.figure].value
        for index, figure in enumerate(wanted)
        if figure.figure in current
    }
    note = next((row.note for row in current.values() if row.note), None)
    form = figures_form(
        wanted, data={"month": periods.month(month.year, month.month).key, "note": note, **defaults}
    )
    if request.method == "POST" and form.validate_on_submit():
        chosen = periods.parse(form.month.data).start
        values = {
            figure.figure: getattr(form, f"figure_{index}").data
            for index, figure in enumerate(wanted)
        }
        try:
            stored = figures.record(tenant, chosen, values, current_user, form.note.data)
        except figures.FigureError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(
                _(
                    "%(count)s figures saved for %(month)s.",
                    count=stored,
                    month=periods.month(chosen.year, chosen.month).label,
                ),
                "success",
            )
            return redirect(url_for(".index", mes=f"{chosen.year}-{chosen.month:02d}"))
    history = _history(tenant.id, month, wanted)
    return render_template(
        "figures/index.html",
        form=form,
        wanted=wanted,
        fields=[getattr(form, f"figure_{index}") for index in range(len(wanted))],
        month=periods.month(month.year, month.month),
        history=history,
    )


def _history(tenant_id: int, month: date, wanted: list[measures.Recorded]) -> list[dict]:
    """The last months recorded, newest first: month → figure → value."""
    months = periods.trailing_months(periods.month(month.year, month.month), HISTORY_MONTHS)
    rows = db.session.scalars(
        select(RecordedFigure).where(
            RecordedFigure.tenant_id == tenant_id,
            RecordedFigure.month >= months[0].start,
            RecordedFigure.month < months[-1].end,
        )
    )
    by_month: dict[date, dict[str, float]] = {}
    for row in rows:
        by_month.setdefault(row.month, {})[row.figure] = row.value
    return [
        {"period": item, "values": by_month.get(item.start, {})}
        for item in reversed(months)
        if item.start in by_month
    ]
