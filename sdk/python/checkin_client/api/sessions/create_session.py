from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_session_request import CreateSessionRequest
from ...models.error_body import ErrorBody
from ...models.session_view import SessionView
from ...types import Response


def _get_kwargs(
    *,
    body: CreateSessionRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/sessions",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | SessionView | None:
    if response.status_code == 201:
        response_201 = SessionView.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

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
) -> Response[ErrorBody | SessionView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateSessionRequest,
) -> Response[ErrorBody | SessionView]:
    """Log in with a PNR and the last name of a passenger on it; returns a bearer token
    scoped to that booking. A wrong PNR and a wrong name get the same 401. Attempts are
    limited per client address and per PNR (429 with `Retry-After`).

    Args:
        body (CreateSessionRequest): Log in with a booking reference and a passenger's last name.
            Example: {'last_name': 'Smith', 'pnr': 'DEMO01'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SessionView]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateSessionRequest,
) -> ErrorBody | SessionView | None:
    """Log in with a PNR and the last name of a passenger on it; returns a bearer token
    scoped to that booking. A wrong PNR and a wrong name get the same 401. Attempts are
    limited per client address and per PNR (429 with `Retry-After`).

    Args:
        body (CreateSessionRequest): Log in with a booking reference and a passenger's last name.
            Example: {'last_name': 'Smith', 'pnr': 'DEMO01'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SessionView
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateSessionRequest,
) -> Response[ErrorBody | SessionView]:
    """Log in with a PNR and the last name of a passenger on it; returns a bearer token
    scoped to that booking. A wrong PNR and a wrong name get the same 401. Attempts are
    limited per client address and per PNR (429 with `Retry-After`).

    Args:
        body (CreateSessionRequest): Log in with a booking reference and a passenger's last name.
            Example: {'last_name': 'Smith', 'pnr': 'DEMO01'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | SessionView]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateSessionRequest,
) -> ErrorBody | SessionView | None:
    """Log in with a PNR and the last name of a passenger on it; returns a bearer token
    scoped to that booking. A wrong PNR and a wrong name get the same 401. Attempts are
    limited per client address and per PNR (429 with `Retry-After`).

    Args:
        body (CreateSessionRequest): Log in with a booking reference and a passenger's last name.
            Example: {'last_name': 'Smith', 'pnr': 'DEMO01'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | SessionView
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
