from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.seat_position import SeatPosition
from ..models.seat_state import SeatState

T = TypeVar("T", bound="SeatView")


@_attrs_define
class SeatView:
    """
    Example:
        {'cabin': 'economy', 'extra_legroom': False, 'fee_cents': 1500, 'letter': 'A', 'position': 'window', 'row': 12,
            'seat': '12A', 'state': 'available'}

    Attributes:
        cabin (str): The cabin's name as the airline configures it, such as `premium` or `economy`.
        extra_legroom (bool):
        fee_cents (int): Seat fee in the flight's currency, in minor units.
        letter (str):
        position (SeatPosition): Where a seat is in its row. Example: window.
        row (int):
        seat (str): Seat code, e.g. `12A`.
        state (SeatState): A seat as everybody sees it: `held` while someone pays for it, `booked` once paid. Example:
            available.
    """

    cabin: str
    extra_legroom: bool
    fee_cents: int
    letter: str
    position: SeatPosition
    row: int
    seat: str
    state: SeatState
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cabin = self.cabin

        extra_legroom = self.extra_legroom

        fee_cents = self.fee_cents

        letter = self.letter

        position = self.position.value

        row = self.row

        seat = self.seat

        state = self.state.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cabin": cabin,
                "extra_legroom": extra_legroom,
                "fee_cents": fee_cents,
                "letter": letter,
                "position": position,
                "row": row,
                "seat": seat,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cabin = d.pop("cabin")

        extra_legroom = d.pop("extra_legroom")

        fee_cents = d.pop("fee_cents")

        letter = d.pop("letter")

        position = SeatPosition(d.pop("position"))

        row = d.pop("row")

        seat = d.pop("seat")

        state = SeatState(d.pop("state"))

        seat_view = cls(
            cabin=cabin,
            extra_legroom=extra_legroom,
            fee_cents=fee_cents,
            letter=letter,
            position=position,
            row=row,
            seat=seat,
            state=state,
        )

        seat_view.additional_properties = d
        return seat_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
