from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.passenger_view import PassengerView


T = TypeVar("T", bound="BookingView")


@_attrs_define
class BookingView:
    """
    Example:
        {'departure_at': '2026-06-01T12:30:00+00:00', 'destination': 'CDG', 'flight_code': 'CK101', 'flight_id': 1,
            'origin': 'LHR', 'passengers': [{'checkin_id': '01JDQ8ZK6V3N4XG2W5R7T9B1CM', 'first_name': 'Ada', 'id': 1,
            'last_name': 'Smith'}], 'pnr': 'DEMO01'}

    Attributes:
        departure_at (datetime.datetime):
        destination (str):
        flight_code (str):
        flight_id (int):
        origin (str):
        passengers (list[PassengerView]):
        pnr (str):
    """

    departure_at: datetime.datetime
    destination: str
    flight_code: str
    flight_id: int
    origin: str
    passengers: list[PassengerView]
    pnr: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        departure_at = self.departure_at.isoformat()

        destination = self.destination

        flight_code = self.flight_code

        flight_id = self.flight_id

        origin = self.origin

        passengers = []
        for passengers_item_data in self.passengers:
            passengers_item = passengers_item_data.to_dict()
            passengers.append(passengers_item)

        pnr = self.pnr

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "departure_at": departure_at,
                "destination": destination,
                "flight_code": flight_code,
                "flight_id": flight_id,
                "origin": origin,
                "passengers": passengers,
                "pnr": pnr,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.passenger_view import PassengerView  # noqa: PLC0415

        d = dict(src_dict)
        departure_at = datetime.datetime.fromisoformat(d.pop("departure_at"))

        destination = d.pop("destination")

        flight_code = d.pop("flight_code")

        flight_id = d.pop("flight_id")

        origin = d.pop("origin")

        passengers = []
        _passengers = d.pop("passengers")
        for passengers_item_data in _passengers:
            passengers_item = PassengerView.from_dict(passengers_item_data)

            passengers.append(passengers_item)

        pnr = d.pop("pnr")

        booking_view = cls(
            departure_at=departure_at,
            destination=destination,
            flight_code=flight_code,
            flight_id=flight_id,
            origin=origin,
            passengers=passengers,
            pnr=pnr,
        )

        booking_view.additional_properties = d
        return booking_view

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
