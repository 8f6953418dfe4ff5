from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.preference import Preference
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateCheckinRequest")


@_attrs_define
class CreateCheckinRequest:
    """Check one passenger of your booking in to a seat, or leave `seat` out to get the best
    free seat by `preferences`.

        Example:
            {'flight_id': 1, 'passenger_id': 1, 'seat': '12A'}

        Attributes:
            flight_id (int):
            passenger_id (int):
            preferences (list[Preference] | None | Unset): Without a seat: `window` or `aisle` (not both), and `front`.
            seat (None | str | Unset): Seat code, e.g. `12A`. Leave out to let the system choose. Example: 12A.
    """

    flight_id: int
    passenger_id: int
    preferences: list[Preference] | None | Unset = UNSET
    seat: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        flight_id = self.flight_id

        passenger_id = self.passenger_id

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

        seat: None | str | Unset
        if isinstance(self.seat, Unset):
            seat = UNSET
        else:
            seat = self.seat

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "flight_id": flight_id,
                "passenger_id": passenger_id,
            }
        )
        if preferences is not UNSET:
            field_dict["preferences"] = preferences
        if seat is not UNSET:
            field_dict["seat"] = seat

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        flight_id = d.pop("flight_id")

        passenger_id = d.pop("passenger_id")

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

        def _parse_seat(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        seat = _parse_seat(d.pop("seat", UNSET))

        create_checkin_request = cls(
            flight_id=flight_id,
            passenger_id=passenger_id,
            preferences=preferences,
            seat=seat,
        )

        create_checkin_request.additional_properties = d
        return create_checkin_request

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
