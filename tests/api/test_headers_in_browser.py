"""The content security policy holds in a browser: no page of the service breaks it."""

import pytest

PAGES = ["/", "/?lang=en", "/saya", "/saya?lang=en", "/docs", "/statistics", "/signals"]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_breaks_the_content_security_policy(live_server, browser, path):
    page = browser.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(f"{live_server}{path}")
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert violations == []
    page.close()
