from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.checkin_view import CheckinView
from ...models.error_body import ErrorBody
from ...models.wait_state import WaitState
from ...types import UNSET, Response, Unset


def _get_kwargs(
    checkin_id: str,
    *,
    wait_while: WaitState | Unset = UNSET,
    wait_secs: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_wait_while: str | Unset = UNSET
    if not isinstance(wait_while, Unset):
        json_wait_while = wait_while.value

    params["wait_while"] = json_wait_while

    params["wait_secs"] = wait_secs

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/checkins/{checkin_id}".format(
            checkin_id=quote(str(checkin_id), safe=""),
        ),
        "params": params,
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
    wait_while: WaitState | Unset = UNSET,
    wait_secs: int | Unset = UNSET,
) -> Response[CheckinView | ErrorBody]:
    """A check-in's state, seat, hold expiry and payment state.

     With `wait_while`, a long poll: while the check-in is in that state the answer waits
    until it changes (a worker held the seat, the payment ended, the hold ran out) or
    `wait_secs` pass, then returns the check-in as it is then. One request instead of a
    polling loop, and the answer comes as soon as the change commits.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.
        wait_while (WaitState | Unset): A state a check-in leaves without the client doing
            anything, so it can be waited on. Example: queued.
        wait_secs (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckinView | ErrorBody]
    """

    kwargs = _get_kwargs(
        checkin_id=checkin_id,
        wait_while=wait_while,
        wait_secs=wait_secs,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
    wait_while: WaitState | Unset = UNSET,
    wait_secs: int | Unset = UNSET,
) -> CheckinView | ErrorBody | None:
    """A check-in's state, seat, hold expiry and payment state.

     With `wait_while`, a long poll: while the check-in is in that state the answer waits
    until it changes (a worker held the seat, the payment ended, the hold ran out) or
    `wait_secs` pass, then returns the check-in as it is then. One request instead of a
    polling loop, and the answer comes as soon as the change commits.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.
        wait_while (WaitState | Unset): A state a check-in leaves without the client doing
            anything, so it can be waited on. Example: queued.
        wait_secs (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckinView | ErrorBody
    """

    return sync_detailed(
        checkin_id=checkin_id,
        client=client,
        wait_while=wait_while,
        wait_secs=wait_secs,
    ).parsed


async def asyncio_detailed(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
    wait_while: WaitState | Unset = UNSET,
    wait_secs: int | Unset = UNSET,
) -> Response[CheckinView | ErrorBody]:
    """A check-in's state, seat, hold expiry and payment state.

     With `wait_while`, a long poll: while the check-in is in that state the answer waits
    until it changes (a worker held the seat, the payment ended, the hold ran out) or
    `wait_secs` pass, then returns the check-in as it is then. One request instead of a
    polling loop, and the answer comes as soon as the change commits.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.
        wait_while (WaitState | Unset): A state a check-in leaves without the client doing
            anything, so it can be waited on. Example: queued.
        wait_secs (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckinView | ErrorBody]
    """

    kwargs = _get_kwargs(
        checkin_id=checkin_id,
        wait_while=wait_while,
        wait_secs=wait_secs,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    checkin_id: str,
    *,
    client: AuthenticatedClient,
    wait_while: WaitState | Unset = UNSET,
    wait_secs: int | Unset = UNSET,
) -> CheckinView | ErrorBody | None:
    """A check-in's state, seat, hold expiry and payment state.

     With `wait_while`, a long poll: while the check-in is in that state the answer waits
    until it changes (a worker held the seat, the payment ended, the hold ran out) or
    `wait_secs` pass, then returns the check-in as it is then. One request instead of a
    polling loop, and the answer comes as soon as the change commits.

    Args:
        checkin_id (str):  Example: 01JDQ8ZK6V3N4XG2W5R7T9B1CM.
        wait_while (WaitState | Unset): A state a check-in leaves without the client doing
            anything, so it can be waited on. Example: queued.
        wait_secs (int | Unset):

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
            wait_while=wait_while,
            wait_secs=wait_secs,
        )
    ).parsed
