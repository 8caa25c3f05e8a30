"""The content security policy holds in a browser: no page of the service breaks it."""

import pytest

from prakerja.accounts.permissions import Role
from tests.web.staff_helpers import accounts_of_every_role

PAGES = ["/", "/?lang=en", "/saya", "/saya?lang=en", "/docs"]
#: Staff pages behind sign-in, visited as an auditor (who reads everything).
STAFF_PAGES = ["/statistics", "/signals?lang=en", "/grievances", "/recoveries"]


def _watch(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


@pytest.mark.parametrize("path", PAGES)
def test_no_page_breaks_the_content_security_policy(live_server, browser, path):
    page = browser.new_page()
    violations = _watch(page)
    response = page.goto(f"{live_server}{path}")
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert violations == []
    page.close()


def test_no_staff_page_behind_sign_in_breaks_the_content_security_policy(
    live_server, browser, session
):
    username, password = accounts_of_every_role(session)[Role.AUDITOR]
    page = browser.new_page()
    violations = _watch(page)
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    for path in STAFF_PAGES:
        response = page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        assert (response.status, page.url) == (200, f"{live_server}{path}")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert violations == []
    page.close()
