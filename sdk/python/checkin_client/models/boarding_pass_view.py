from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BoardingPassView")


@_attrs_define
class BoardingPassView:
    """
    Example:
        {'barcode': 'M1SMITH/ADA           EDEMO01 LHRCDGCK 0101 152Y012A0001 100', 'checkin_id':
            '01JDQ8ZK6V3N4XG2W5R7T9B1CM', 'departure_at': '2026-06-01T12:30:00+00:00', 'destination': 'CDG', 'flight_code':
            'CK101', 'id': '01JDQ90A1B2C3D4E5F6G7H8J9K', 'issued_at': '2026-06-01T08:10:00+00:00', 'origin': 'LHR',
            'passenger_name': 'SMITH/ADA', 'pnr': 'DEMO01', 'seat': '12A'}

    Attributes:
        barcode (str): IATA BCBP-style barcode content.
        checkin_id (str):
        departure_at (datetime.datetime):
        destination (str):
        flight_code (str):
        id (str):
        issued_at (datetime.datetime):
        origin (str):
        passenger_name (str):
        pnr (str):
        seat (str):
    """

    barcode: str
    checkin_id: str
    departure_at: datetime.datetime
    destination: str
    flight_code: str
    id: str
    issued_at: datetime.datetime
    origin: str
    passenger_name: str
    pnr: str
    seat: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        barcode = self.barcode

        checkin_id = self.checkin_id

        departure_at = self.departure_at.isoformat()

        destination = self.destination

        flight_code = self.flight_code

        id = self.id

        issued_at = self.issued_at.isoformat()

        origin = self.origin

        passenger_name = self.passenger_name

        pnr = self.pnr

        seat = self.seat

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "barcode": barcode,
                "checkin_id": checkin_id,
                "departure_at": departure_at,
                "destination": destination,
                "flight_code": flight_code,
                "id": id,
                "issued_at": issued_at,
                "origin": origin,
                "passenger_name": passenger_name,
                "pnr": pnr,
                "seat": seat,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        barcode = d.pop("barcode")

        checkin_id = d.pop("checkin_id")

        departure_at = datetime.datetime.fromisoformat(d.pop("departure_at"))

        destination = d.pop("destination")

        flight_code = d.pop("flight_code")

        id = d.pop("id")

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        origin = d.pop("origin")

        passenger_name = d.pop("passenger_name")

        pnr = d.pop("pnr")

        seat = d.pop("seat")

        boarding_pass_view = cls(
            barcode=barcode,
            checkin_id=checkin_id,
            departure_at=departure_at,
            destination=destination,
            flight_code=flight_code,
            id=id,
            issued_at=issued_at,
            origin=origin,
            passenger_name=passenger_name,
            pnr=pnr,
            seat=seat,
        )

        boarding_pass_view.additional_properties = d
        return boarding_pass_view

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
