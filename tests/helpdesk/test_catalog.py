"""Contribution dataclasses refuse what the core could not use."""

import dataclasses

import pytest

from helpdesk.catalog import BusinessDuration
from helpdesk.catalog import Catalog
from helpdesk.catalog import CatalogError
from helpdesk.catalog import IndicatorDefinition
from helpdesk.catalog import ServiceDefinition
from helpdesk.catalog import indicator_index


def make(code="T-1", **kwargs):
    base = dict(name="Prueba", description="d", source_document="s", area="a", department="DGD")
    return ServiceDefinition(code=code, **{**base, **kwargs})


def test_definitions_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make().name = "otro"


@pytest.mark.parametrize("code", ["", "con espacio", "P01/2"])
def test_invalid_codes_are_refused(code):
    with pytest.raises(CatalogError):
        make(code=code)


def test_unknown_requester_kind_is_refused():
    with pytest.raises(CatalogError, match="requester kinds"):
        make(requester_kinds=("robot",))


@pytest.mark.parametrize(("amount", "unit"), [(0, "hours"), (-1, "days"), (3, "weeks")])
def test_bad_durations_are_refused(amount, unit):
    with pytest.raises(CatalogError):
        BusinessDuration(amount=amount, unit=unit)


def test_catalog_sorts_and_finds_by_code():
    catalog = Catalog([make("B-1"), make("A-1")])
    assert catalog.codes() == ["A-1", "B-1"]
    assert "A-1" in catalog and "C-1" not in catalog
    assert catalog.get("C-1") is None
    assert len(catalog) == 2


def test_duplicate_indicator_code_names_both_plugins():
    def indicator(plugin):
        return IndicatorDefinition(
            code="x",
            name="X",
            formula="f",
            unit="u",
            periodicity="p",
            responsible="r",
            plugin=plugin,
        )

    with pytest.raises(CatalogError, match="'one'.*'two'"):
        indicator_index([indicator("one"), indicator("two")])
