"""Destination regions: the wider group a thin lane borrows transit times from (parcels to Belarus behave more like
parcels to Russia than like parcels to Brazil). A seller may name their own regions; these are the defaults,
grouped the way cross-border carriers price and route them.

A lane's destination is a country (ISO 3166-1 alpha-2, `BR`) or, for a domestic seller, one of its states or
provinces (ISO 3166-2, `BR-SP`, `RU-MOW`, `ES-CT`): a state borrows first from its country, then from the country's
group."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pycountry

_DEFAULT_GROUPS: dict[str, str] = {
    "Western Europe": "AT BE CH DE DK ES FI FR GB IE IS IT LI LU MC NL NO PT SE SM VA AD MT GI",
    "Central & Eastern Europe": "AL BA BG CY CZ EE GR HR HU LT LV ME MK PL RO RS SI SK XK",
    "CIS": "AM AZ BY GE KG KZ MD RU TJ TM UA UZ",
    "North America": "CA US PR",
    "Latin America": "AR BO BR CL CO CR CU DO EC GT HN JM MX NI PA PE PY SV TT UY VE",
    "Middle East": "AE BH IL IQ IR JO KW LB OM PS QA SA SY TR YE EG",
    "East Asia": "CN HK JP KR MN MO TW",
    "Southeast Asia": "BN ID KH LA MM MY PH SG TH TL VN",
    "South Asia": "AF BD BT IN LK MV NP PK",
    "Oceania": "AU FJ NC NZ PF PG WS",
    "Africa": "AO BF BJ BW CD CI CM DZ ET GH KE LY MA MG ML MU MZ NA NE NG RW SD SN TN TZ UG ZA ZM ZW",
}
DEFAULT_REGIONS: dict[str, str] = {
    country: region for region, countries in _DEFAULT_GROUPS.items() for country in countries.split()
}
OTHER_REGION = "Other"
# pycountry's subdivision database has no type hints.
_SUBDIVISIONS: Any = pycountry.subdivisions


def country_of(destination: str) -> str:
    """The country of a destination: `BR` of `BR-SP`, a country code as it is."""
    return destination.upper().split("-", 1)[0]


def is_subdivision(destination: str) -> bool:
    """Whether a destination is a state or province (ISO 3166-2, `BR-SP`) rather than a whole country."""
    return "-" in destination


@lru_cache(maxsize=8192)
def subdivision_code(text: str) -> str | None:
    """The ISO 3166-2 code of a state or province written as its code (`BR-SP`, `br-sp`, `BR SP`, `BR_SP`), or None
    where there is no such subdivision."""
    candidate = text.strip().upper().replace("_", "-").replace(" ", "-")
    if "-" not in candidate:
        return None
    found = _SUBDIVISIONS.get(code=candidate)
    return None if found is None else str(found.code)


def region_of(destination: str, regions: Mapping[str, str] | None = None) -> str:
    """The region of a destination (an ISO country code, or a state's ISO 3166-2 code): the seller's own grouping
    first (a state named there, else its country), then the defaults by country."""
    code = destination.upper()
    country = country_of(code)
    if regions:
        if code in regions:
            return regions[code]
        if country in regions:
            return regions[country]
    return DEFAULT_REGIONS.get(country, OTHER_REGION)
