from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.checkin_state import CheckinState

T = TypeVar("T", bound="GroupAccepted")


@_attrs_define
class GroupAccepted:
    """
    Example:
        {'checkin_ids': ['01JDQ8ZK6V3N4XG2W5R7T9B1CM', '01JDQ8ZK6V3N4XG2W5R7T9B1CP'], 'group_id':
            '01JDQ8ZK6V3N4XG2W5R7T9B1CN', 'state': 'queued'}

    Attributes:
        checkin_ids (list[str]): One check-in per passenger, in the order of `passenger_ids` sorted ascending.
        group_id (str):
        state (CheckinState): Where a check-in is: `queued → held → paying → confirmed`; `queued → rejected`;
            `held → expired`; `queued | held → cancelled`; `paying → payment_failed | expired`.
            `confirmed`, `rejected`, `payment_failed`, `expired` and `cancelled` are end states. Example: queued.
    """

    checkin_ids: list[str]
    group_id: str
    state: CheckinState
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checkin_ids = self.checkin_ids

        group_id = self.group_id

        state = self.state.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checkin_ids": checkin_ids,
                "group_id": group_id,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        checkin_ids = cast(list[str], d.pop("checkin_ids"))

        group_id = d.pop("group_id")

        state = CheckinState(d.pop("state"))

        group_accepted = cls(
            checkin_ids=checkin_ids,
            group_id=group_id,
            state=state,
        )

        group_accepted.additional_properties = d
        return group_accepted

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
