from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PassengerView")


@_attrs_define
class PassengerView:
    """
    Example:
        {'checkin_id': '01JDQ8ZK6V3N4XG2W5R7T9B1CM', 'first_name': 'Ada', 'id': 1, 'last_name': 'Smith'}

    Attributes:
        first_name (str):
        id (int):
        last_name (str):
        checkin_id (str | Unset): The passenger's newest check-in, if any.
    """

    first_name: str
    id: int
    last_name: str
    checkin_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        first_name = self.first_name

        id = self.id

        last_name = self.last_name

        checkin_id = self.checkin_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "first_name": first_name,
                "id": id,
                "last_name": last_name,
            }
        )
        if checkin_id is not UNSET:
            field_dict["checkin_id"] = checkin_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        first_name = d.pop("first_name")

        id = d.pop("id")

        last_name = d.pop("last_name")

        checkin_id = d.pop("checkin_id", UNSET)

        passenger_view = cls(
            first_name=first_name,
            id=id,
            last_name=last_name,
            checkin_id=checkin_id,
        )

        passenger_view.additional_properties = d
        return passenger_view

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
