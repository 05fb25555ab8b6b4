"""Two-factor login with TOTP, the codes computed here from the enrolled secret as an
authenticator app would."""

import time
from pathlib import Path

from account_web_client import WebUser, account_server

from assetport.accounts.totp import code_at


def test_enrol_confirm_and_log_in_with_a_code(tmp_path: Path) -> None:
    with account_server(tmp_path / "data") as server:
        web = WebUser(server)
        web.sign_up("tess@example.com")
        status, enrolled = web.account("POST", "/totp/enroll")
        assert status == 200, enrolled
        secret = enrolled["secret"]
        assert enrolled["otpauthUri"].startswith("otpauth://totp/Assetport:tess@example.com?")
        assert f"secret={secret}" in enrolled["otpauthUri"]
        # Not on until a first code proves the app has the secret.
        assert web.account("GET", "/me")[1]["totpEnabled"] is False
        status, answer = web.account("POST", "/totp/confirm", {"code": "000000"})
        assert (status, answer["code"]) == (401, -8007)
        now = int(time.time())
        status, answer = web.account("POST", "/totp/confirm", {"code": code_at(secret, now)})
        assert status == 200 and answer["totpEnabled"] is True

        status, answer = WebUser(server).log_in("tess@example.com")
        assert (status, answer["code"]) == (401, -8006)
        status, answer = WebUser(server).log_in("tess@example.com", totpCode="123456")
        assert (status, answer["code"]) == (401, -8007)
        # The confirming code is spent; the next step's code is within the allowed drift.
        phone = WebUser(server)
        status, me = phone.log_in("tess@example.com", totpCode=code_at(secret, now + 30))
        assert status == 200 and me["totpEnabled"] is True and phone.cookie is not None
        # ...and good once: the same code again is refused.
        again = WebUser(server).log_in("tess@example.com", totpCode=code_at(secret, now + 30))
        assert again[1]["code"] == -8007

        status, answer = phone.account("POST", "/totp/enroll")
        assert (status, answer["code"]) == (409, -8010)
