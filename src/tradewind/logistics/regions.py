"""Destination regions: the wider group a thin lane borrows transit times from (parcels to Belarus behave more like
parcels to Russia than like parcels to Brazil). A seller may name their own regions; these are the defaults,
grouped the way cross-border carriers price and route them."""

from __future__ import annotations

from collections.abc import Mapping

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


def region_of(country: str, regions: Mapping[str, str] | None = None) -> str:
    """The region of an ISO country code: the seller's own grouping first, then the defaults."""
    code = country.upper()
    if regions and code in regions:
        return regions[code]
    return DEFAULT_REGIONS.get(code, OTHER_REGION)
