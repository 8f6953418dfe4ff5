from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.seat_view import SeatView


T = TypeVar("T", bound="SeatMapView")


@_attrs_define
class SeatMapView:
    """
    Example:
        {'aircraft': 'A320', 'currency': 'EUR', 'departure_at': '2026-06-01T12:30:00+00:00', 'destination': 'CDG',
            'flight_code': 'CK101', 'flight_id': 1, 'origin': 'LHR', 'seats': [{'cabin': 'economy', 'extra_legroom': False,
            'fee_cents': 1500, 'letter': 'A', 'position': 'window', 'row': 12, 'seat': '12A', 'state': 'available'}]}

    Attributes:
        aircraft (str):
        currency (str): ISO 4217 code of the seat fees' currency.
        departure_at (datetime.datetime):
        destination (str):
        flight_code (str):
        flight_id (int):
        origin (str):
        seats (list[SeatView]):
    """

    aircraft: str
    currency: str
    departure_at: datetime.datetime
    destination: str
    flight_code: str
    flight_id: int
    origin: str
    seats: list[SeatView]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        aircraft = self.aircraft

        currency = self.currency

        departure_at = self.departure_at.isoformat()

        destination = self.destination

        flight_code = self.flight_code

        flight_id = self.flight_id

        origin = self.origin

        seats = []
        for seats_item_data in self.seats:
            seats_item = seats_item_data.to_dict()
            seats.append(seats_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "aircraft": aircraft,
                "currency": currency,
                "departure_at": departure_at,
                "destination": destination,
                "flight_code": flight_code,
                "flight_id": flight_id,
                "origin": origin,
                "seats": seats,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.seat_view import SeatView  # noqa: PLC0415

        d = dict(src_dict)
        aircraft = d.pop("aircraft")

        currency = d.pop("currency")

        departure_at = datetime.datetime.fromisoformat(d.pop("departure_at"))

        destination = d.pop("destination")

        flight_code = d.pop("flight_code")

        flight_id = d.pop("flight_id")

        origin = d.pop("origin")

        seats = []
        _seats = d.pop("seats")
        for seats_item_data in _seats:
            seats_item = SeatView.from_dict(seats_item_data)

            seats.append(seats_item)

        seat_map_view = cls(
            aircraft=aircraft,
            currency=currency,
            departure_at=departure_at,
            destination=destination,
            flight_code=flight_code,
            flight_id=flight_id,
            origin=origin,
            seats=seats,
        )

        seat_map_view.additional_properties = d
        return seat_map_view

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
