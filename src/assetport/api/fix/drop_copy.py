"""The drop copy session: every execution report of the account, whichever channel placed
the order (REST, WebSocket API, FIX), and no order entry (-1183 for any order message).
A key with READ or TRADE may log on (Binance: FIX_API or FIX_API_READ_ONLY)."""

from assetport.api import errors
from assetport.api.fix.reports import ReportFeeds
from assetport.api.fix.session import INVALID_MSG_TYPE, Session, SessionError
from assetport.api.fix.wire import Message
from assetport.api.user_data import UserData


class DropCopy:
    """The drop copy sessions' application (session.Application)."""

    def __init__(self, user_data: UserData) -> None:
        self._feeds = ReportFeeds(user_data)

    def start(self, session: Session) -> None:
        self._feeds.start(session)

    def stop(self, session: Session) -> None:
        self._feeds.stop(session)

    def handle(self, session: Session, message: Message) -> None:
        raise SessionError(errors.FIX_NOT_IN_DROP_COPY.error(), INVALID_MSG_TYPE, 35)
