from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.preference import Preference
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateGroupCheckinRequest")


@_attrs_define
class CreateGroupCheckinRequest:
    """Check several passengers of your booking in together: seated side by side when
    possible, and held all together or not at all.

        Example:
            {'flight_id': 1, 'passenger_ids': [1, 2], 'preferences': ['window', 'front']}

        Attributes:
            flight_id (int):
            passenger_ids (list[int]): 2 to 9 different passengers of your booking.
            preferences (list[Preference] | None | Unset): `window` or `aisle` (not both), and `front`.
    """

    flight_id: int
    passenger_ids: list[int]
    preferences: list[Preference] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        flight_id = self.flight_id

        passenger_ids = self.passenger_ids

        preferences: list[str] | None | Unset
        if isinstance(self.preferences, Unset):
            preferences = UNSET
        elif isinstance(self.preferences, list):
            preferences = []
            for preferences_type_0_item_data in self.preferences:
                preferences_type_0_item = preferences_type_0_item_data.value
                preferences.append(preferences_type_0_item)

        else:
            preferences = self.preferences

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "flight_id": flight_id,
                "passenger_ids": passenger_ids,
            }
        )
        if preferences is not UNSET:
            field_dict["preferences"] = preferences

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        flight_id = d.pop("flight_id")

        passenger_ids = cast(list[int], d.pop("passenger_ids"))

        def _parse_preferences(data: object) -> list[Preference] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                preferences_type_0 = []
                _preferences_type_0 = data
                for preferences_type_0_item_data in _preferences_type_0:
                    preferences_type_0_item = Preference(preferences_type_0_item_data)

                    preferences_type_0.append(preferences_type_0_item)

                return preferences_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Preference] | None | Unset, data)

        preferences = _parse_preferences(d.pop("preferences", UNSET))

        create_group_checkin_request = cls(
            flight_id=flight_id,
            passenger_ids=passenger_ids,
            preferences=preferences,
        )

        create_group_checkin_request.additional_properties = d
        return create_group_checkin_request

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
