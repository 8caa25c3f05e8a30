"""The browser fixtures work: Debian's Chromium loads a page of the live service."""


def test_the_api_docs_page_loads_in_chromium(live_server, browser):
    page = browser.new_page()
    try:
        response = page.goto(f"{live_server}/openapi.json")
        assert response is not None
        assert response.status == 200
        assert "openapi" in page.content()
    finally:
        page.close()
