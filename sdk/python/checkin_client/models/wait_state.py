from enum import StrEnum


class WaitState(StrEnum):
    HELD = "held"
    PAYING = "paying"
    QUEUED = "queued"

    def __str__(self) -> str:
        return str(self.value)
