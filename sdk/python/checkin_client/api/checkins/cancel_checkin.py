from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.checkin_view import CheckinView
from ...models.error_body import ErrorBody
from ...types import Response


def _get_kwargs(
    checkin_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/checkins/{checkin_id}/cancel".format(
            checkin_id=quote(str(checkin_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CheckinView | ErrorBody | None:
    if response.status_code == 200:
        response_200 = CheckinView.from_dict(response.json())

        return response_200

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
) -> Response[CheckinView | ErrorBody]:
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
) -> Response[CheckinView | ErrorBody]:
    """Cancel a check-in that is still `queued` or `held`: a held seat is free for everyone
    at once, and the passenger may check in again (another seat, or later). Idempotent:
    cancelling a cancelled check-in answers the same. A check-in that is paying or has
    ended is a 409 `checkin_not_cancellable`.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckinView | ErrorBody]
    """

    kwargs = _get_kwargs(
        checkin_id=checkin_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
) -> CheckinView | ErrorBody | None:
    """Cancel a check-in that is still `queued` or `held`: a held seat is free for everyone
    at once, and the passenger may check in again (another seat, or later). Idempotent:
    cancelling a cancelled check-in answers the same. A check-in that is paying or has
    ended is a 409 `checkin_not_cancellable`.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckinView | ErrorBody
    """

    return sync_detailed(
        checkin_id=checkin_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[CheckinView | ErrorBody]:
    """Cancel a check-in that is still `queued` or `held`: a held seat is free for everyone
    at once, and the passenger may check in again (another seat, or later). Idempotent:
    cancelling a cancelled check-in answers the same. A check-in that is paying or has
    ended is a 409 `checkin_not_cancellable`.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckinView | ErrorBody]
    """

    kwargs = _get_kwargs(
        checkin_id=checkin_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
) -> CheckinView | ErrorBody | None:
    """Cancel a check-in that is still `queued` or `held`: a held seat is free for everyone
    at once, and the passenger may check in again (another seat, or later). Idempotent:
    cancelling a cancelled check-in answers the same. A check-in that is paying or has
    ended is a 409 `checkin_not_cancellable`.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckinView | ErrorBody
    """

    return (
        await asyncio_detailed(
            checkin_id=checkin_id,
            client=client,
        )
    ).parsed
