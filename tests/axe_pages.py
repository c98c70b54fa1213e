"""Pages of an in-process site opened in the shared headless Chromium (the session `browser` fixture) at 1000 and
390 px: each screenshot kept under tests/artefacts/, each page checked by axe-core with no violation allowed."""

from __future__ import annotations

from pathlib import Path


def check_pages(browser, client, pages: dict[str, str], artefacts: Path, scroll_to: dict[str, str]) -> None:
    """`pages` by name → path on `client`; `scroll_to` by name → a selector brought into view before the
    screenshot. Screenshots are `artefacts/<name>-<width>.png`."""
    from e2e.test_site_browser import AXE, _describe

    artefacts.mkdir(parents=True, exist_ok=True)

    def serve(route):
        answer = client.get(route.request.url.removeprefix("http://site"))
        route.fulfill(status=answer.status_code, body=answer.content,
                      headers={"content-type": answer.headers["content-type"]})

    for width in (1000, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        for name, path in pages.items():
            page = context.new_page()
            page.route("**/*", serve)
            page.goto(f"http://site{path}")
            if name in scroll_to:
                page.locator(scroll_to[name]).scroll_into_view_if_needed()
            page.screenshot(path=str(artefacts / f"{name}-{width}.png"), full_page=True)
            page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            violations = page.evaluate("async () => (await axe.run()).violations")
            assert not violations, f"{name} at {width}px:\n{_describe(violations)}"
            page.close()
        context.close()
