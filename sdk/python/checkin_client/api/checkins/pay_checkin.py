from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.pay_checkin_request import PayCheckinRequest
from ...models.payment_accepted import PaymentAccepted
from ...types import Response


def _get_kwargs(
    checkin_id: str,
    *,
    body: PayCheckinRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/checkins/{checkin_id}/payment".format(
            checkin_id=quote(str(checkin_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PaymentAccepted | None:
    if response.status_code == 202:
        response_202 = PaymentAccepted.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = ErrorBody.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | PaymentAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
    body: PayCheckinRequest,
    idempotency_key: str,
) -> Response[ErrorBody | PaymentAccepted]:
    """Pay the fee of a held seat. The charge runs in a worker; poll `get_checkin`. A hold
    that has run out is a 409 `hold_expired` and the seat is released.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (PayCheckinRequest): Pay the seat fee of a held seat with a payment provider token.
            Example: {'payment_method': 'tok_visa'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaymentAccepted]
    """

    kwargs = _get_kwargs(
        checkin_id=checkin_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
    body: PayCheckinRequest,
    idempotency_key: str,
) -> ErrorBody | PaymentAccepted | None:
    """Pay the fee of a held seat. The charge runs in a worker; poll `get_checkin`. A hold
    that has run out is a 409 `hold_expired` and the seat is released.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (PayCheckinRequest): Pay the seat fee of a held seat with a payment provider token.
            Example: {'payment_method': 'tok_visa'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaymentAccepted
    """

    return sync_detailed(
        checkin_id=checkin_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
    body: PayCheckinRequest,
    idempotency_key: str,
) -> Response[ErrorBody | PaymentAccepted]:
    """Pay the fee of a held seat. The charge runs in a worker; poll `get_checkin`. A hold
    that has run out is a 409 `hold_expired` and the seat is released.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (PayCheckinRequest): Pay the seat fee of a held seat with a payment provider token.
            Example: {'payment_method': 'tok_visa'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PaymentAccepted]
    """

    kwargs = _get_kwargs(
        checkin_id=checkin_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
    body: PayCheckinRequest,
    idempotency_key: str,
) -> ErrorBody | PaymentAccepted | None:
    """Pay the fee of a held seat. The charge runs in a worker; poll `get_checkin`. A hold
    that has run out is a 409 `hold_expired` and the seat is released.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (PayCheckinRequest): Pay the seat fee of a held seat with a payment provider token.
            Example: {'payment_method': 'tok_visa'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PaymentAccepted
    """

    return (
        await asyncio_detailed(
            checkin_id=checkin_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
