from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.seat_map_view import SeatMapView
from ...types import Response


def _get_kwargs(
    flight_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/flights/{flight_id}/seats".format(
            flight_id=quote(str(flight_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SeatMapView | None:
    if response.status_code == 200:
        response_200 = SeatMapView.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

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
) -> Response[ErrorBody | SeatMapView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    flight_id: int,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorBody | SeatMapView]:
    """The live seat map of a flight: every seat with its state. No personal data.

    Args:
        flight_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SeatMapView]
    """

    kwargs = _get_kwargs(
        flight_id=flight_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    flight_id: int,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorBody | SeatMapView | None:
    """The live seat map of a flight: every seat with its state. No personal data.

    Args:
        flight_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SeatMapView
    """

    return sync_detailed(
        flight_id=flight_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    flight_id: int,
    *,
    client: AuthenticatedClient | Client,
) -> Response[ErrorBody | SeatMapView]:
    """The live seat map of a flight: every seat with its state. No personal data.

    Args:
        flight_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SeatMapView]
    """

    kwargs = _get_kwargs(
        flight_id=flight_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    flight_id: int,
    *,
    client: AuthenticatedClient | Client,
) -> ErrorBody | SeatMapView | None:
    """The live seat map of a flight: every seat with its state. No personal data.

    Args:
        flight_id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SeatMapView
    """

    return (
        await asyncio_detailed(
            flight_id=flight_id,
            client=client,
        )
    ).parsed
