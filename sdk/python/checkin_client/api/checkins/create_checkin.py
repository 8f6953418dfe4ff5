from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.checkin_accepted import CheckinAccepted
from ...models.create_checkin_request import CreateCheckinRequest
from ...models.error_body import ErrorBody
from ...types import Response


def _get_kwargs(
    *,
    body: CreateCheckinRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/checkins",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CheckinAccepted | ErrorBody | None:
    if response.status_code == 202:
        response_202 = CheckinAccepted.from_dict(response.json())

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
) -> Response[CheckinAccepted | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateCheckinRequest,
    idempotency_key: str,
) -> Response[CheckinAccepted | ErrorBody]:
    """Ask for a seat for one passenger of your booking, or (without `seat`) for the best
    free seat by `preferences`. The request is committed before the 202; a worker then
    holds the seat (or rejects with `seat_taken`, or `flight_full`). A passenger has
    at most one live check-in per flight (409 `checkin_in_progress`). Retry with the same
    `Idempotency-Key` to get the same answer; reusing a key for another request is a 422.

    Args:
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (CreateCheckinRequest): Check one passenger of your booking in to a seat, or leave
            `seat` out to get the best
            free seat by `preferences`. Example: {'flight_id': 1, 'passenger_id': 1, 'seat': '12A'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckinAccepted | ErrorBody]
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
    body: CreateCheckinRequest,
    idempotency_key: str,
) -> CheckinAccepted | ErrorBody | None:
    """Ask for a seat for one passenger of your booking, or (without `seat`) for the best
    free seat by `preferences`. The request is committed before the 202; a worker then
    holds the seat (or rejects with `seat_taken`, or `flight_full`). A passenger has
    at most one live check-in per flight (409 `checkin_in_progress`). Retry with the same
    `Idempotency-Key` to get the same answer; reusing a key for another request is a 422.

    Args:
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (CreateCheckinRequest): Check one passenger of your booking in to a seat, or leave
            `seat` out to get the best
            free seat by `preferences`. Example: {'flight_id': 1, 'passenger_id': 1, 'seat': '12A'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckinAccepted | ErrorBody
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateCheckinRequest,
    idempotency_key: str,
) -> Response[CheckinAccepted | ErrorBody]:
    """Ask for a seat for one passenger of your booking, or (without `seat`) for the best
    free seat by `preferences`. The request is committed before the 202; a worker then
    holds the seat (or rejects with `seat_taken`, or `flight_full`). A passenger has
    at most one live check-in per flight (409 `checkin_in_progress`). Retry with the same
    `Idempotency-Key` to get the same answer; reusing a key for another request is a 422.

    Args:
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (CreateCheckinRequest): Check one passenger of your booking in to a seat, or leave
            `seat` out to get the best
            free seat by `preferences`. Example: {'flight_id': 1, 'passenger_id': 1, 'seat': '12A'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckinAccepted | ErrorBody]
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
    body: CreateCheckinRequest,
    idempotency_key: str,
) -> CheckinAccepted | ErrorBody | None:
    """Ask for a seat for one passenger of your booking, or (without `seat`) for the best
    free seat by `preferences`. The request is committed before the 202; a worker then
    holds the seat (or rejects with `seat_taken`, or `flight_full`). A passenger has
    at most one live check-in per flight (409 `checkin_in_progress`). Retry with the same
    `Idempotency-Key` to get the same answer; reusing a key for another request is a 422.

    Args:
        idempotency_key (str):  Example: 3f1c9a1e-checkin-12A.
        body (CreateCheckinRequest): Check one passenger of your booking in to a seat, or leave
            `seat` out to get the best
            free seat by `preferences`. Example: {'flight_id': 1, 'passenger_id': 1, 'seat': '12A'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckinAccepted | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
