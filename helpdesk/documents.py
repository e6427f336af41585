"""PDF documents (the receipt, later the service's own) rendered from HTML templates."""

from __future__ import annotations

from typing import Any

from flask import render_template


def render_pdf(template: str, **context: Any) -> bytes:
    """Render ``template`` with ``context`` and turn it into PDF bytes (WeasyPrint)."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF pages need.
    from weasyprint import HTML

    html = render_template(template, **context)
    return HTML(string=html, base_url=None).write_pdf()
