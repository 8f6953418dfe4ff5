from enum import StrEnum


class PaymentState(StrEnum):
    DECLINED = "declined"
    FAILED = "failed"
    PENDING = "pending"
    REFUNDED = "refunded"
    REFUND_REFUSED = "refund_refused"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
