from enum import StrEnum


class SeatPosition(StrEnum):
    AISLE = "aisle"
    MIDDLE = "middle"
    WINDOW = "window"

    def __str__(self) -> str:
        return str(self.value)
