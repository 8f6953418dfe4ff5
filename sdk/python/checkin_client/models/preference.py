from enum import StrEnum


class Preference(StrEnum):
    AISLE = "aisle"
    FRONT = "front"
    WINDOW = "window"

    def __str__(self) -> str:
        return str(self.value)
