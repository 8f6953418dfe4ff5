"""Contains all the data models used in inputs/outputs"""

from .boarding_pass_view import BoardingPassView
from .booking_view import BookingView
from .checkin_accepted import CheckinAccepted
from .checkin_state import CheckinState
from .checkin_view import CheckinView
from .create_checkin_request import CreateCheckinRequest
from .create_group_checkin_request import CreateGroupCheckinRequest
from .create_session_request import CreateSessionRequest
from .end_reason import EndReason
from .error_body import ErrorBody
from .group_accepted import GroupAccepted
from .passenger_view import PassengerView
from .pay_checkin_request import PayCheckinRequest
from .payment_accepted import PaymentAccepted
from .payment_state import PaymentState
from .preference import Preference
from .seat_map_view import SeatMapView
from .seat_position import SeatPosition
from .seat_state import SeatState
from .seat_view import SeatView
from .session_view import SessionView
from .wait_state import WaitState

__all__ = (
    "BoardingPassView",
    "BookingView",
    "CheckinAccepted",
    "CheckinState",
    "CheckinView",
    "CreateCheckinRequest",
    "CreateGroupCheckinRequest",
    "CreateSessionRequest",
    "EndReason",
    "ErrorBody",
    "GroupAccepted",
    "PassengerView",
    "PayCheckinRequest",
    "PaymentAccepted",
    "PaymentState",
    "Preference",
    "SeatMapView",
    "SeatPosition",
    "SeatState",
    "SeatView",
    "SessionView",
    "WaitState",
)
