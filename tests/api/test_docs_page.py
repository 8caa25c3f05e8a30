"""`/docs` renders in a browser: the vendored Swagger UI reads the OpenAPI 3.1 document."""

from tests.api.signing import COMMIT, STATUS


def test_the_docs_page_shows_the_redeem_endpoints_in_chromium(live_server, browser, screenshot):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    offsite = []
    page.on(
        "request",
        lambda request: (
            offsite.append(request.url) if not request.url.startswith(live_server) else None
        ),
    )
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    shown = [p.replace("\u200b", "") for p in paths]
    assert shown[:2] == [STATUS, COMMIT]
    assert "/api/v1/partner/files/{kind}" in shown
    assert page.locator(".info .title").inner_text().startswith("Prakerja partner API")
    assert page.locator(".btn.authorize").is_visible()  # the signing headers' security scheme
    page.locator(".opblock-summary-path").first.click()
    page.wait_for_selector(".opblock-body .parameters-container, .opblock-body .body-param")
    assert "redeem_code" in page.locator(".opblock-body").first.inner_text()
    screenshot(page, "api-docs")
    assert problems == []  # no script error, no content-security-policy violation
    assert offsite == []  # every asset from this service
    page.close()
