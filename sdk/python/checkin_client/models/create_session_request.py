from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreateSessionRequest")


@_attrs_define
class CreateSessionRequest:
    """Log in with a booking reference and a passenger's last name.

    Example:
        {'last_name': 'Smith', 'pnr': 'DEMO01'}

    Attributes:
        last_name (str): The last name of any passenger on the booking (compared without regard to case). Example:
            Smith.
        pnr (str): Booking reference (PNR), six letters or digits, either case. Example: DEMO01.
    """

    last_name: str
    pnr: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        last_name = self.last_name

        pnr = self.pnr

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "last_name": last_name,
                "pnr": pnr,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        last_name = d.pop("last_name")

        pnr = d.pop("pnr")

        create_session_request = cls(
            last_name=last_name,
            pnr=pnr,
        )

        create_session_request.additional_properties = d
        return create_session_request

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
