from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_group_checkin_request import CreateGroupCheckinRequest
from ...models.error_body import ErrorBody
from ...models.group_accepted import GroupAccepted
from ...types import Response


def _get_kwargs(
    *,
    body: CreateGroupCheckinRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/checkins/group",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | GroupAccepted | None:
    if response.status_code == 202:
        response_202 = GroupAccepted.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

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
) -> Response[ErrorBody | GroupAccepted]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateGroupCheckinRequest,
    idempotency_key: str,
) -> Response[ErrorBody | GroupAccepted]:
    """Check 2 to 9 passengers of your booking in together: a worker holds adjacent seats in
    one row when it can (else the fewest rows), for all of them or for none
    (`flight_full`, `passenger_has_seat`). Each member then pays with `pay_checkin`.

    Args:
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (CreateGroupCheckinRequest): Check several passengers of your booking in together:
            seated side by side when
            possible, and held all together or not at all. Example: {'flight_id': 1, 'passenger_ids':
            [1, 2], 'preferences': ['window', 'front']}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | GroupAccepted]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreateGroupCheckinRequest,
    idempotency_key: str,
) -> ErrorBody | GroupAccepted | None:
    """Check 2 to 9 passengers of your booking in together: a worker holds adjacent seats in
    one row when it can (else the fewest rows), for all of them or for none
    (`flight_full`, `passenger_has_seat`). Each member then pays with `pay_checkin`.

    Args:
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (CreateGroupCheckinRequest): Check several passengers of your booking in together:
            seated side by side when
            possible, and held all together or not at all. Example: {'flight_id': 1, 'passenger_ids':
            [1, 2], 'preferences': ['window', 'front']}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | GroupAccepted
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateGroupCheckinRequest,
    idempotency_key: str,
) -> Response[ErrorBody | GroupAccepted]:
    """Check 2 to 9 passengers of your booking in together: a worker holds adjacent seats in
    one row when it can (else the fewest rows), for all of them or for none
    (`flight_full`, `passenger_has_seat`). Each member then pays with `pay_checkin`.

    Args:
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (CreateGroupCheckinRequest): Check several passengers of your booking in together:
            seated side by side when
            possible, and held all together or not at all. Example: {'flight_id': 1, 'passenger_ids':
            [1, 2], 'preferences': ['window', 'front']}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | GroupAccepted]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateGroupCheckinRequest,
    idempotency_key: str,
) -> ErrorBody | GroupAccepted | None:
    """Check 2 to 9 passengers of your booking in together: a worker holds adjacent seats in
    one row when it can (else the fewest rows), for all of them or for none
    (`flight_full`, `passenger_has_seat`). Each member then pays with `pay_checkin`.

    Args:
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (CreateGroupCheckinRequest): Check several passengers of your booking in together:
            seated side by side when
            possible, and held all together or not at all. Example: {'flight_id': 1, 'passenger_ids':
            [1, 2], 'preferences': ['window', 'front']}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | GroupAccepted
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
