from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.checkin_state import CheckinState

T = TypeVar("T", bound="PaymentAccepted")


@_attrs_define
class PaymentAccepted:
    """
    Example:
        {'amount_cents': 1500, 'checkin_id': '01JDQ8ZK6V3N4XG2W5R7T9B1CM', 'currency': 'EUR', 'state': 'paying'}

    Attributes:
        amount_cents (int):
        checkin_id (str):
        currency (str):
        state (CheckinState): Where a check-in is: `queued → held → paying → confirmed`; `queued → rejected`;
            `held → expired`; `queued | held → cancelled`; `paying → payment_failed | expired`.
            `confirmed`, `rejected`, `payment_failed`, `expired` and `cancelled` are end states. Example: queued.
    """

    amount_cents: int
    checkin_id: str
    currency: str
    state: CheckinState
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount_cents = self.amount_cents

        checkin_id = self.checkin_id

        currency = self.currency

        state = self.state.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount_cents": amount_cents,
                "checkin_id": checkin_id,
                "currency": currency,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount_cents = d.pop("amount_cents")

        checkin_id = d.pop("checkin_id")

        currency = d.pop("currency")

        state = CheckinState(d.pop("state"))

        payment_accepted = cls(
            amount_cents=amount_cents,
            checkin_id=checkin_id,
            currency=currency,
            state=state,
        )

        payment_accepted.additional_properties = d
        return payment_accepted

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
