"""The mails the accounts send, in English or Korean (the language chosen at sign-up).

Every mail carries the account's anti-phishing code, when it has one, at the start of the
subject and in the first line, so its owner can tell a real mail from a copy. Links point
at the server's public address (`--public-url`), never at the Host a request named: a
forged Host would otherwise send a reset link to someone else's server.
"""

from email.message import EmailMessage
from typing import Final

_TEXTS: Final = {
    "en": {
        "code": "Your anti-phishing code: {code}",
        "verify.subject": "Confirm your email address",
        "verify.body": (
            "Welcome to Assetport.\n\n"
            "Open this link to confirm that this address is yours (it works once, for 24 "
            "hours):\n\n{link}\n\n"
            "Until then you can log in and look around, but not trade.\n"
            "If you did not sign up, ignore this mail: nothing happens without the link."
        ),
        "attempt.subject": "Someone tried to sign up with your address",
        "attempt.body": (
            "Someone, perhaps you, tried to create an Assetport account with this address. "
            "It already has an account, so nothing was created.\n\n"
            "To log in: {login}\nForgot your password? {reset}\n\n"
            "If it was not you, you need not do anything."
        ),
        "reset.subject": "Reset your password",
        "reset.body": (
            "Someone, perhaps you, asked to reset the password of the Assetport account of "
            "this address. Open this link to choose a new password (it works once, for one "
            "hour):\n\n{link}\n\n"
            "If you did not ask, ignore this mail: your password stays as it is."
        ),
        "login.subject": "New login from {address}",
        "login.body": (
            "Your Assetport account was just logged in to from an address it had not used "
            "before: {address}, at {time} (UTC).\n\n"
            "If this was you, there is nothing to do. If it was not, reset your password now "
            "({reset}) and turn on two-factor login on your account page ({account})."
        ),
        "changed.subject": "Your password was changed",
        "changed.body": (
            "The password of your Assetport account was just changed, and every other "
            "session was logged out.\n\n"
            "If you did not do this, reset your password now: {reset}"
        ),
        "totp_off.subject": "Two-factor login was turned off",
        "totp_off.body": (
            "Two-factor login of your Assetport account was just turned off, confirmed with "
            "the password and a code. Your recovery codes no longer work.\n\n"
            "If you did not do this, reset your password now: {reset}"
        ),
        "recovery.subject": "A recovery code was used",
        "recovery.body": (
            "A recovery code of your Assetport account was just used in place of a "
            "two-factor code. It cannot be used again; {left} codes are left. Make new ones "
            "on your account page: {account}\n\n"
            "If you did not do this, reset your password now: {reset}"
        ),
        "alert_up.subject": "Price alert: {pair} rose to {price} {quote}",
        "alert_down.subject": "Price alert: {pair} fell to {price} {quote}",
        "alert_up.body": (
            "A trade on {pair} at {last} {quote} reached the alert you set: rises to {price} "
            "{quote}.\n\nThe alert has fired and sends no more mail. The market: {market}\n\n"
            "Prices move fast: look at the market before you trade."
        ),
        "alert_down.body": (
            "A trade on {pair} at {last} {quote} reached the alert you set: falls to {price} "
            "{quote}.\n\nThe alert has fired and sends no more mail. The market: {market}\n\n"
            "Prices move fast: look at the market before you trade."
        ),
    },
    "ko": {
        "code": "피싱 방지 코드: {code}",
        "verify.subject": "이메일 주소를 확인하세요",
        "verify.body": (
            "Assetport에 오신 것을 환영합니다.\n\n"
            "이 주소가 본인의 것임을 확인하려면 아래 링크를 여세요 (24시간 동안 한 번만 "
            "쓸 수 있습니다):\n\n{link}\n\n"
            "확인 전에도 로그인해 둘러볼 수 있지만 거래는 할 수 없습니다.\n"
            "가입한 적이 없다면 이 메일을 무시하세요: 링크 없이는 아무 일도 일어나지 않습니다."
        ),
        "attempt.subject": "누군가 이 주소로 가입을 시도했습니다",
        "attempt.body": (
            "누군가(본인일 수도 있습니다) 이 주소로 Assetport 계정을 만들려고 했습니다. "
            "이 주소에는 이미 계정이 있으므로 새 계정은 만들어지지 않았습니다.\n\n"
            "로그인: {login}\n비밀번호를 잊으셨나요? {reset}\n\n"
            "본인이 아니라면 아무것도 하지 않으셔도 됩니다."
        ),
        "reset.subject": "비밀번호 재설정",
        "reset.body": (
            "누군가(본인일 수도 있습니다) 이 주소의 Assetport 계정 비밀번호 재설정을 "
            "요청했습니다. 새 비밀번호를 정하려면 아래 링크를 여세요 (한 시간 동안 한 번만 "
            "쓸 수 있습니다):\n\n{link}\n\n"
            "요청한 적이 없다면 이 메일을 무시하세요: 비밀번호는 그대로입니다."
        ),
        "login.subject": "새 주소에서 로그인: {address}",
        "login.body": (
            "Assetport 계정에 처음 보는 주소에서 방금 로그인했습니다: {address}, {time} (UTC).\n\n"
            "본인이라면 아무것도 하지 않으셔도 됩니다. 본인이 아니라면 지금 비밀번호를 "
            "재설정하고({reset}) 계정 페이지에서 2단계 인증을 켜세요({account})."
        ),
        "changed.subject": "비밀번호가 변경되었습니다",
        "changed.body": (
            "Assetport 계정의 비밀번호가 방금 변경되었고, 다른 모든 세션은 로그아웃되었습니다."
            "\n\n본인이 한 일이 아니라면 지금 비밀번호를 재설정하세요: {reset}"
        ),
        "totp_off.subject": "2단계 인증이 꺼졌습니다",
        "totp_off.body": (
            "Assetport 계정의 2단계 인증이 비밀번호와 코드 확인을 거쳐 방금 꺼졌습니다. "
            "복구 코드도 더 이상 쓸 수 없습니다.\n\n"
            "본인이 한 일이 아니라면 지금 비밀번호를 재설정하세요: {reset}"
        ),
        "recovery.subject": "복구 코드가 사용되었습니다",
        "recovery.body": (
            "Assetport 계정의 복구 코드 하나가 2단계 인증 코드 대신 방금 사용되었습니다. "
            "사용한 코드는 다시 쓸 수 없으며, 남은 코드는 {left}개입니다. 계정 페이지에서 새 "
            "코드를 만드세요: {account}\n\n"
            "본인이 한 일이 아니라면 지금 비밀번호를 재설정하세요: {reset}"
        ),
        "alert_up.subject": "가격 알림: {pair} {price} {quote} 이상 상승",
        "alert_down.subject": "가격 알림: {pair} {price} {quote} 이하 하락",
        "alert_up.body": (
            "설정하신 가격 알림에 도달했습니다: {pair} {price} {quote} 이상으로 상승 "
            "(체결가 {last} {quote}).\n\n이 알림은 발송을 마쳤으며 다시 보내지 않습니다. "
            "마켓 보기: {market}\n\n가격은 빠르게 변합니다. 거래하기 전에 마켓을 확인하세요."
        ),
        "alert_down.body": (
            "설정하신 가격 알림에 도달했습니다: {pair} {price} {quote} 이하로 하락 "
            "(체결가 {last} {quote}).\n\n이 알림은 발송을 마쳤으며 다시 보내지 않습니다. "
            "마켓 보기: {market}\n\n가격은 빠르게 변합니다. 거래하기 전에 마켓을 확인하세요."
        ),
    },
}
LANGUAGES: Final = tuple(_TEXTS)


def _letter(
    kind: str, to: str, language: str, anti_phishing: str | None, **values: str
) -> EmailMessage:
    texts = _TEXTS.get(language, _TEXTS["en"])
    subject = "Assetport: " + texts[f"{kind}.subject"].format(**values)
    body = texts[f"{kind}.body"].format(**values)
    if anti_phishing:
        subject = f"[{anti_phishing}] {subject}"
        body = texts["code"].format(code=anti_phishing) + "\n\n" + body
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body + "\n\n-- \nAssetport\n")
    return message


def verification(
    to: str, language: str, anti_phishing: str | None, base_url: str, token: str
) -> EmailMessage:
    return _letter("verify", to, language, anti_phishing, link=f"{base_url}/verify#token={token}")


def sign_up_attempt(
    to: str, language: str, anti_phishing: str | None, base_url: str
) -> EmailMessage:
    return _letter(
        "attempt", to, language, anti_phishing, login=f"{base_url}/login",
        reset=f"{base_url}/reset-password",
    )  # fmt: skip


def password_reset(
    to: str, language: str, anti_phishing: str | None, base_url: str, token: str
) -> EmailMessage:
    return _letter(
        "reset", to, language, anti_phishing, link=f"{base_url}/reset-password#token={token}"
    )


def new_login(
    to: str, language: str, anti_phishing: str | None, base_url: str, address: str, time: str
) -> EmailMessage:
    return _letter(
        "login", to, language, anti_phishing, address=address, time=time,
        reset=f"{base_url}/reset-password", account=f"{base_url}/account",
    )  # fmt: skip


def password_changed(
    to: str, language: str, anti_phishing: str | None, base_url: str
) -> EmailMessage:
    return _letter("changed", to, language, anti_phishing, reset=f"{base_url}/reset-password")


def two_factor_off(
    to: str, language: str, anti_phishing: str | None, base_url: str
) -> EmailMessage:
    return _letter("totp_off", to, language, anti_phishing, reset=f"{base_url}/reset-password")


def recovery_code_used(
    to: str, language: str, anti_phishing: str | None, base_url: str, left: int
) -> EmailMessage:
    return _letter(
        "recovery", to, language, anti_phishing, left=str(left), account=f"{base_url}/account",
        reset=f"{base_url}/reset-password",
    )  # fmt: skip


def price_alert(
    to: str, language: str, anti_phishing: str | None, base_url: str, *, symbol: str,
    pair: str, quote: str, up: bool, price: str, last: str,
) -> EmailMessage:  # fmt: skip
    """An alert by email fired: `price` is the alert's, `last` the trade's that reached it
    (decimal texts in the quote asset)."""
    return _letter(
        "alert_up" if up else "alert_down", to, language, anti_phishing, pair=pair,
        quote=quote, price=price, last=last, market=f"{base_url}/trade/{symbol}",
    )  # fmt: skip
