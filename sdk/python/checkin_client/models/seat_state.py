from enum import StrEnum


class SeatState(StrEnum):
    AVAILABLE = "available"
    BOOKED = "booked"
    HELD = "held"

    def __str__(self) -> str:
        return str(self.value)
