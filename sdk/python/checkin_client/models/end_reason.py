from enum import StrEnum


class EndReason(StrEnum):
    CANCELLED_BY_PASSENGER = "cancelled_by_passenger"
    CARD_DECLINED = "card_declined"
    EXPIRED_CARD = "expired_card"
    FLIGHT_FULL = "flight_full"
    GENERIC_DECLINE = "generic_decline"
    HOLD_LOST = "hold_lost"
    HOLD_TIMEOUT = "hold_timeout"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    PASSENGER_HAS_SEAT = "passenger_has_seat"
    PROVIDER_REFUSED = "provider_refused"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    SEAT_TAKEN = "seat_taken"

    def __str__(self) -> str:
        return str(self.value)
