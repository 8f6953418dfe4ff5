from enum import StrEnum


class CheckinState(StrEnum):
    CANCELLED = "cancelled"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    HELD = "held"
    PAYING = "paying"
    PAYMENT_FAILED = "payment_failed"
    QUEUED = "queued"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
