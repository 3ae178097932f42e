"""Carriers' event codes and what they mean on the one status list: UPU EDI tracking events (EMSEVT: EMA…EMK,
EDA…EDH, EXA…EXD), Cainiao/AliExpress action codes (GWMS_ACCEPT, SC_INBOUND_SUCCESS, LH_HO_AIRLINE, CC_IM_SUCCESS,
GTMS_SIGNED …) and AfterShip's own tags and subtags (InTransit, Exception_011 …).

A code is the carrier's own statement about the event, so a known code is read with full confidence; the text that
comes with it only adds a sub-status the code does not carry (see `normalize`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tradewind.logistics.models import TrackingStatus
from tradewind.wording import Phrase, phrase

S = TrackingStatus


class Substatus:
    """The sub-statuses the text of an event can state (stored in `TrackingEvent.substatus`)."""

    CUSTOMS_HOLD = "customs_hold"
    RETURNING_TO_SENDER = "returning_to_sender"
    RETURNED_TO_SENDER = "returned_to_sender"
    DAMAGED = "damaged"
    LOST = "lost"
    ADDRESS_PROBLEM = "address_problem"
    AWAITING_DUTIES = "awaiting_duties"


@dataclass(frozen=True, slots=True)
class TrackingReading:
    """What one event means: a status, a sub-status when the event states one, and how sure we are (0 to 1).

    `rule` names what decided it (a code table, or the phrase rule that matched), so a reading can be traced.
    """

    status: TrackingStatus
    substatus: str | None
    confidence: float
    rule: str

    @property
    def known(self) -> bool:
        return self.status != TrackingStatus.UNKNOWN


UNKNOWN_READING = TrackingReading(TrackingStatus.UNKNOWN, None, 0.0, "unknown")


def _code(status: TrackingStatus, substatus: str | None = None, confidence: float = 1.0) -> tuple[S, str | None, float]:
    return status, substatus, confidence


# UPU EDI tracking events (UPU standard M40 / EMSEVT): the post offices' own codes for what happened to an item.
UPU_EVENTS: dict[str, tuple[S, str | None, float]] = {
    "EMA": _code(S.IN_TRANSIT),  # posting / collection: accepted by the post
    "EMB": _code(S.IN_TRANSIT),  # arrival at outward office of exchange
    "EMC": _code(S.IN_TRANSIT),  # departure from outward office of exchange
    "EMD": _code(S.IN_TRANSIT),  # arrival at inward office of exchange
    "EME": _code(S.IN_TRANSIT),  # handed over to customs
    "EMF": _code(S.IN_TRANSIT),  # departure from inward office of exchange
    "EMG": _code(S.IN_TRANSIT),  # arrival at delivery office
    "EMH": _code(S.ATTEMPT_FAIL),  # attempted / unsuccessful delivery
    "EMI": _code(S.DELIVERED),  # final delivery
    "EMJ": _code(S.IN_TRANSIT),  # arrival at transit office of exchange
    "EMK": _code(S.IN_TRANSIT),  # departure from transit office of exchange
    "EDA": _code(S.IN_TRANSIT),  # held at inward office of exchange
    "EDB": _code(S.IN_TRANSIT),  # presented to import customs
    "EDC": _code(S.IN_TRANSIT),  # returned from customs (released)
    "EDD": _code(S.IN_TRANSIT),  # into sorting centre
    "EDE": _code(S.IN_TRANSIT),  # out of sorting centre
    "EDF": _code(S.IN_TRANSIT, None, 0.8),  # held at delivery depot: usually waiting its round or a notice
    "EDG": _code(S.OUT_FOR_DELIVERY),  # out for physical delivery
    "EDH": _code(S.AVAILABLE_FOR_PICKUP),  # arrival at collection point for pick-up
    "EXA": _code(S.IN_TRANSIT),  # presented to export customs
    "EXB": _code(S.EXCEPTION, Substatus.CUSTOMS_HOLD),  # held by export customs
    "EXC": _code(S.IN_TRANSIT),  # returned from export customs (released)
    "EXD": _code(S.IN_TRANSIT),  # held at outward office of exchange (waiting for transport)
    "EXX": _code(S.EXCEPTION, Substatus.RETURNING_TO_SENDER, 0.9),  # export cancelled: back to the sender
}

# Cainiao / AliExpress action codes, as in the detail.json of AliExpress parcels (also seen with an "AE_" prefix,
# and as "…_CALLBACK" event names in Cainiao's partner feeds).
CAINIAO_ACTIONS: dict[str, tuple[S, str | None, float]] = {
    "ORDER_PLACED": _code(S.PENDING, None, 0.9),
    "ORDER_PAID": _code(S.PENDING, None, 0.9),
    "GWMS_ACCEPT": _code(S.INFO_RECEIVED),  # shipment information received by the warehouse
    "WMS_CONFIRMED": _code(S.INFO_RECEIVED, None, 0.9),
    "GWMS_PACKAGE": _code(S.INFO_RECEIVED),  # packed, ready for shipping from the warehouse
    "GWMS_OUTBOUND": _code(S.IN_TRANSIT),  # left the warehouse
    "PU_PICKUP_SUCCESS": _code(S.IN_TRANSIT),  # received by the logistics company
    "PU_SIGN_IN_SUCCESS": _code(S.IN_TRANSIT),
    "PU_PICKUP_FAILURE": _code(S.INFO_RECEIVED, None, 0.8),  # the courier did not collect it yet
    "SC_INBOUND_SUCCESS": _code(S.IN_TRANSIT),  # processing at sorting center
    "SC_SIGN_IN_SUCCESS": _code(S.IN_TRANSIT),
    "SC_OUTBOUND_SUCCESS": _code(S.IN_TRANSIT),  # departed from sorting center
    "SC_INBOUND_FAILURE": _code(S.EXCEPTION, None, 0.8),  # refused at the sorting center (weight, contents)
    "LH_HO_IN_SUCCESS": _code(S.IN_TRANSIT),  # arrived at departure transport hub
    "LH_HO_AIRLINE": _code(S.IN_TRANSIT),  # handed to the airline: leaving the departure country
    "LH_DEPART": _code(S.IN_TRANSIT),
    "LH_ARRIVE": _code(S.IN_TRANSIT),
    "LH_HO_OUT_SUCCESS": _code(S.IN_TRANSIT),
    "TRANSIT_PORT_REROUTE": _code(S.IN_TRANSIT, None, 0.9),
    "CC_EX_START": _code(S.IN_TRANSIT),  # export customs clearance started
    "CC_EX_SUCCESS": _code(S.IN_TRANSIT),
    "CC_EX_FAILURE": _code(S.EXCEPTION, Substatus.CUSTOMS_HOLD),
    "CC_HO_IN_SUCCESS": _code(S.IN_TRANSIT),  # arrived at customs
    "CC_HO_OUT_SUCCESS": _code(S.IN_TRANSIT),  # departed from customs
    "CC_IM_START": _code(S.IN_TRANSIT),  # import customs clearance started
    "CC_IM_SUCCESS": _code(S.IN_TRANSIT),  # import customs clearance complete
    "CC_IM_FAILURE": _code(S.EXCEPTION, Substatus.CUSTOMS_HOLD),
    "CUSTOMS_ARRIVED_IN_AREA": _code(S.IN_TRANSIT),
    "CW_INBOUND": _code(S.IN_TRANSIT),
    "CW_OUTBOUND": _code(S.IN_TRANSIT),
    "GTMS_ACCEPT": _code(S.IN_TRANSIT),  # the destination carrier took it over
    "GTMS_STA_INBOUND": _code(S.IN_TRANSIT),
    "GTMS_DO_DEPART": _code(S.OUT_FOR_DELIVERY),
    "GTMS_DELIVERING": _code(S.OUT_FOR_DELIVERY),
    "GTMS_WAIT_SELF_PICK": _code(S.AVAILABLE_FOR_PICKUP),
    "GTMS_STA_SIGN_IN": _code(S.AVAILABLE_FOR_PICKUP),  # signed in at the pick-up station
    "GTMS_SIGNED": _code(S.DELIVERED),
    "GTMS_STA_SIGNED": _code(S.DELIVERED),
    "GTMS_SIGN_FAILURE": _code(S.ATTEMPT_FAIL),
    "GTMS_DEL_FAILURE": _code(S.ATTEMPT_FAIL),
    "GMT_DEL_FAILURE": _code(S.ATTEMPT_FAIL),
    "GTMS_RETURN": _code(S.EXCEPTION, Substatus.RETURNING_TO_SENDER),
    "RETURN_SIGNED": _code(S.EXCEPTION, Substatus.RETURNED_TO_SENDER),
    "DELIVERY_FAILED": _code(S.ATTEMPT_FAIL),
    "DELIVERING": _code(S.OUT_FOR_DELIVERY),
    "SIGNIN": _code(S.DELIVERED),
    "SIGNED": _code(S.DELIVERED),
    # Cainiao's parcel-level status words (module[].status).
    "WAIT_ACCEPT": _code(S.INFO_RECEIVED, None, 0.9),
    "ACCEPTED": _code(S.IN_TRANSIT, None, 0.9),
    "TRANSITING": _code(S.IN_TRANSIT, None, 0.9),
    "CLEAR_CUSTOMS": _code(S.IN_TRANSIT, None, 0.9),
    "WAIT_PICK_UP": _code(S.AVAILABLE_FOR_PICKUP, None, 0.9),
    "RETURN": _code(S.EXCEPTION, Substatus.RETURNING_TO_SENDER, 0.9),
    "DELIVERED": _code(S.DELIVERED, None, 0.9),
}

# AfterShip subtags that state a sub-status (the tag itself is the status).
AFTERSHIP_SUBTAGS: dict[str, str] = {
    "Exception_002": Substatus.ADDRESS_PROBLEM,  # customer moved
    "Exception_004": Substatus.CUSTOMS_HOLD,  # delayed: customs clearance
    "Exception_006": Substatus.AWAITING_DUTIES,  # held for payment
    "Exception_007": Substatus.ADDRESS_PROBLEM,  # incorrect address
    "Exception_010": Substatus.RETURNING_TO_SENDER,
    "Exception_011": Substatus.RETURNED_TO_SENDER,
    "Exception_012": Substatus.DAMAGED,
    "Exception_013": Substatus.LOST,
}

_AFTERSHIP_TAGS = {status.value.casefold(): status for status in TrackingStatus if status != TrackingStatus.UNKNOWN}
_AFTERSHIP_TAG = re.compile(r"([A-Za-z]+)(?:_(\d{3}))?")
_CAINIAO_PREFIXES = ("AE_", "LAST_MILE_", "LINEHAUL_")
_CAINIAO_SUFFIX = "_CALLBACK"
# A code written at the start of an event line, e.g. "EMI Final delivery" or "GTMS_SIGNED: Package delivered".
LEADING_CODE = re.compile(r"\s*(E[MDX][A-Z]|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:\s*[:|\-–]\s*|\s+|$)(.*)", re.S)


def read_code(code: str) -> TrackingReading | None:
    """The reading of a carrier code, or None when the code is not one we know."""
    cleaned = code.strip()
    if not cleaned:
        return None
    upper = cleaned.upper()
    found = UPU_EVENTS.get(upper)
    if found is not None:
        return TrackingReading(found[0], found[1], found[2], f"upu:{upper}")
    action = _cainiao_action(upper)
    found = CAINIAO_ACTIONS.get(action)
    if found is not None:
        return TrackingReading(found[0], found[1], found[2], f"cainiao:{action}")
    return read_aftership_tag(cleaned)


def read_aftership_tag(tag: str, subtag: str | None = None) -> TrackingReading | None:
    """AfterShip's tag ("InTransit") or subtag ("Exception_011"), or None."""
    match = _AFTERSHIP_TAG.fullmatch((subtag or tag).strip())
    if match is None:
        return None
    status = _AFTERSHIP_TAGS.get(match.group(1).casefold())
    if status is None:
        return None
    found_subtag = match.group(0) if match.group(2) else None
    substatus = AFTERSHIP_SUBTAGS.get(found_subtag or "")
    return TrackingReading(status, substatus, 1.0, f"aftership:{found_subtag or status.value}")


def _cainiao_action(code: str) -> str:
    for prefix in _CAINIAO_PREFIXES:
        if code.startswith(prefix):
            code = code[len(prefix) :]
    if code.endswith(_CAINIAO_SUFFIX):
        code = code[: -len(_CAINIAO_SUFFIX)]
    return code


def is_known_code(token: str) -> bool:
    return read_code(token) is not None


PLAIN_PHRASES: dict[TrackingStatus, Phrase] = {
    S.PENDING: phrase("no tracking information yet"),
    S.INFO_RECEIVED: phrase("label created, not yet handed to the carrier"),
    S.IN_TRANSIT: phrase("on its way"),
    S.OUT_FOR_DELIVERY: phrase("out for delivery"),
    S.ATTEMPT_FAIL: phrase("delivery attempted, nobody took it"),
    S.DELIVERED: phrase("delivered"),
    S.AVAILABLE_FOR_PICKUP: phrase("waiting at the pickup point"),
    S.EXCEPTION: phrase("a problem on the way"),
    S.EXPIRED: phrase("no news from the carrier for weeks"),
    S.UNKNOWN: phrase("not understood"),
}

SUBSTATUS_PHRASES: dict[str, Phrase] = {
    Substatus.CUSTOMS_HOLD: phrase("held by customs"),
    Substatus.RETURNING_TO_SENDER: phrase("on its way back to the sender"),
    Substatus.RETURNED_TO_SENDER: phrase("returned to the sender"),
    Substatus.DAMAGED: phrase("damaged"),
    Substatus.LOST: phrase("lost"),
    Substatus.ADDRESS_PROBLEM: phrase("a problem with the address"),
    Substatus.AWAITING_DUTIES: phrase("waiting for the buyer to pay import duties"),
}


PLAIN_WORDS: dict[TrackingStatus, str] = {status: words.msgid for status, words in PLAIN_PHRASES.items()}
SUBSTATUS_WORDS: dict[str, str] = {substatus: words.msgid for substatus, words in SUBSTATUS_PHRASES.items()}


def plain_phrase(status: TrackingStatus, substatus: str | None = None) -> Phrase:
    """The status as a seller would say it to a buyer, in the reader's language (`tradewind.wording`)."""
    if substatus in SUBSTATUS_PHRASES:
        return SUBSTATUS_PHRASES[substatus]
    return PLAIN_PHRASES[status]


@lru_cache(maxsize=512)
def plain_words(status: TrackingStatus, substatus: str | None = None) -> str:
    """The status as a seller would say it to a buyer (rendered once per status and substatus: the outlooks ask it
    of every open parcel)."""
    return plain_phrase(status, substatus).english()
