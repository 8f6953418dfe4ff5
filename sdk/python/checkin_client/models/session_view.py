from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.booking_view import BookingView


T = TypeVar("T", bound="SessionView")


@_attrs_define
class SessionView:
    """
    Example:
        {'booking': {'departure_at': '2026-06-01T12:30:00+00:00', 'destination': 'CDG', 'flight_code': 'CK101',
            'flight_id': 1, 'origin': 'LHR', 'passengers': [{'checkin_id': '01JDQ8ZK6V3N4XG2W5R7T9B1CM', 'first_name':
            'Ada', 'id': 1, 'last_name': 'Smith'}], 'pnr': 'DEMO01'}, 'expires_at': '2026-06-01T09:00:00+00:00', 'token':
            'ses_5b0c1d7e9f8a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c'}

    Attributes:
        booking (BookingView):  Example: {'departure_at': '2026-06-01T12:30:00+00:00', 'destination': 'CDG',
            'flight_code': 'CK101', 'flight_id': 1, 'origin': 'LHR', 'passengers': [{'checkin_id':
            '01JDQ8ZK6V3N4XG2W5R7T9B1CM', 'first_name': 'Ada', 'id': 1, 'last_name': 'Smith'}], 'pnr': 'DEMO01'}.
        expires_at (datetime.datetime): When the token stops working.
        token (str): Bearer token for `Authorization: Bearer <token>`; shown once.
    """

    booking: BookingView
    expires_at: datetime.datetime
    token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        booking = self.booking.to_dict()

        expires_at = self.expires_at.isoformat()

        token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "booking": booking,
                "expires_at": expires_at,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.booking_view import BookingView  # noqa: PLC0415

        d = dict(src_dict)
        booking = BookingView.from_dict(d.pop("booking"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        token = d.pop("token")

        session_view = cls(
            booking=booking,
            expires_at=expires_at,
            token=token,
        )

        session_view.additional_properties = d
        return session_view

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
