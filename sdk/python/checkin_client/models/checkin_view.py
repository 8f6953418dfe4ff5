from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.checkin_state import CheckinState
from ..models.end_reason import EndReason
from ..models.payment_state import PaymentState
from ..types import UNSET, Unset

T = TypeVar("T", bound="CheckinView")


@_attrs_define
class CheckinView:
    """
    Example:
        {'currency': 'EUR', 'fee_cents': 1500, 'flight_id': 1, 'hold_expires_at': '2026-06-01T08:15:00+00:00',
            'hold_seconds_left': 540, 'id': '01JDQ8ZK6V3N4XG2W5R7T9B1CM', 'passenger_id': 1, 'seat': '12A', 'state': 'held'}

    Attributes:
        currency (str):
        flight_id (int):
        id (str):
        passenger_id (int):
        state (CheckinState): Where a check-in is: `queued → held → paying → confirmed`; `queued → rejected`;
            `held → expired`; `queued | held → cancelled`; `paying → payment_failed | expired`.
            `confirmed`, `rejected`, `payment_failed`, `expired` and `cancelled` are end states. Example: queued.
        decline_code (str | Unset): The provider's own decline code, for a declined card (any string the provider
            sends).
        fee_cents (int | Unset): The seat's fee in minor units, once the seat is known.
        hold_expires_at (datetime.datetime | Unset): When the hold ends (database clock).
        hold_seconds_left (int | Unset): Seconds left on the hold while `held` or `paying`.
        payment_state (PaymentState | Unset): A seat fee payment: `pending` until the provider answers; `succeeded` (the
            seat is
            the passenger's), `declined`, `failed` (the provider could not be reached or refused the
            request), `refunded` (charged after the hold was lost, and given back) or
            `refund_refused` (such a charge whose refund the provider refused; an operator acts). Example: pending.
        reason (EndReason | Unset): Why a check-in ended. `rejected`: `seat_taken`, `passenger_has_seat`, `flight_full`.
            `payment_failed`: a card decline (`generic_decline`, `insufficient_funds`,
            `expired_card`, or `card_declined` for any other decline code, which `decline_code`
            then carries), `provider_unavailable` or `provider_refused` (a charge that went through
            all the same is refunded). `expired`: `hold_timeout`, `hold_lost`. `cancelled`:
            `cancelled_by_passenger`. Example: seat_taken.
        seat (str | Unset): The seat; absent while a worker is still choosing one.
    """

    currency: str
    flight_id: int
    id: str
    passenger_id: int
    state: CheckinState
    decline_code: str | Unset = UNSET
    fee_cents: int | Unset = UNSET
    hold_expires_at: datetime.datetime | Unset = UNSET
    hold_seconds_left: int | Unset = UNSET
    payment_state: PaymentState | Unset = UNSET
    reason: EndReason | Unset = UNSET
    seat: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        flight_id = self.flight_id

        id = self.id

        passenger_id = self.passenger_id

        state = self.state.value

        decline_code = self.decline_code

        fee_cents = self.fee_cents

        hold_expires_at: str | Unset = UNSET
        if not isinstance(self.hold_expires_at, Unset):
            hold_expires_at = self.hold_expires_at.isoformat()

        hold_seconds_left = self.hold_seconds_left

        payment_state: str | Unset = UNSET
        if not isinstance(self.payment_state, Unset):
            payment_state = self.payment_state.value

        reason: str | Unset = UNSET
        if not isinstance(self.reason, Unset):
            reason = self.reason.value

        seat = self.seat

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "flight_id": flight_id,
                "id": id,
                "passenger_id": passenger_id,
                "state": state,
            }
        )
        if decline_code is not UNSET:
            field_dict["decline_code"] = decline_code
        if fee_cents is not UNSET:
            field_dict["fee_cents"] = fee_cents
        if hold_expires_at is not UNSET:
            field_dict["hold_expires_at"] = hold_expires_at
        if hold_seconds_left is not UNSET:
            field_dict["hold_seconds_left"] = hold_seconds_left
        if payment_state is not UNSET:
            field_dict["payment_state"] = payment_state
        if reason is not UNSET:
            field_dict["reason"] = reason
        if seat is not UNSET:
            field_dict["seat"] = seat

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        flight_id = d.pop("flight_id")

        id = d.pop("id")

        passenger_id = d.pop("passenger_id")

        state = CheckinState(d.pop("state"))

        decline_code = d.pop("decline_code", UNSET)

        fee_cents = d.pop("fee_cents", UNSET)

        _hold_expires_at = d.pop("hold_expires_at", UNSET)
        hold_expires_at: datetime.datetime | Unset
        if isinstance(_hold_expires_at, Unset):
            hold_expires_at = UNSET
        else:
            hold_expires_at = datetime.datetime.fromisoformat(_hold_expires_at)

        hold_seconds_left = d.pop("hold_seconds_left", UNSET)

        _payment_state = d.pop("payment_state", UNSET)
        payment_state: PaymentState | Unset
        if isinstance(_payment_state, Unset):
            payment_state = UNSET
        else:
            payment_state = PaymentState(_payment_state)

        _reason = d.pop("reason", UNSET)
        reason: EndReason | Unset
        if isinstance(_reason, Unset):
            reason = UNSET
        else:
            reason = EndReason(_reason)

        seat = d.pop("seat", UNSET)

        checkin_view = cls(
            currency=currency,
            flight_id=flight_id,
            id=id,
            passenger_id=passenger_id,
            state=state,
            decline_code=decline_code,
            fee_cents=fee_cents,
            hold_expires_at=hold_expires_at,
            hold_seconds_left=hold_seconds_left,
            payment_state=payment_state,
            reason=reason,
            seat=seat,
        )

        checkin_view.additional_properties = d
        return checkin_view

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
