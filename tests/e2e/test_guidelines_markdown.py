"""Guidelines are Markdown, rendered and sanitised: headings, emphasis, lists and safe links show as such;
HTML written into them is shown as text; scripts, event handlers and javascript: links never run."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.app import assert_no_csp_violation, log_in, next_task, start_labeling
from tests.e2e.conftest import Server, Tab
from tests.e2e.schemas import SENTIMENT

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
GUIDELINES = {
    "en": "\n".join(
        [
            "# How to label",
            "",
            "Pick the **overall** feeling, not a _detail_.",
            "",
            "- Praise: positive",
            "- Complaints: negative",
            "",
            "See [the handbook](https://example.org/handbook) and [this](javascript:window.__pwned=3).",
            "",
            IMG,
            "",
            SCRIPT,
            "",
            'Inline <b onmouseover="window.__pwned=4">tags</b> and ![a picture](/y) too.',
        ]
    ),
    "es": "# Cómo etiquetar\n\nElija el sentimiento **general**.",
}


def test_guidelines_markdown_is_rendered_and_sanitised(server: Server, open_tab: Callable[..., Tab]) -> None:
    workspace = server.workspace("Guidelines e2e")
    email = server.user(role="annotator", workspace_id=workspace)
    project = server.project(workspace, "Markdown", SENTIMENT, ["a task"], guidelines=GUIDELINES)
    tab = open_tab()
    page = tab.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, email)
    start_labeling(page, project)
    next_task(page)
    page.keyboard.press("Alt+g")
    panel = page.get_by_test_id("guidelines-text")
    expect(panel.get_by_role("heading", name="How to label")).to_be_visible()
    expect(panel.locator("strong")).to_have_text("overall")
    expect(panel.locator("em")).to_have_text("detail")
    expect(panel.get_by_role("listitem")).to_have_text(["Praise: positive", "Complaints: negative"])
    link = panel.get_by_role("link", name="the handbook")
    expect(link).to_have_attribute("href", "https://example.org/handbook")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    # the javascript: link loses its address; HTML is shown as text; the image shows its alternative text
    expect(panel.locator("a", has_text="this")).not_to_have_attribute("href", "javascript:window.__pwned=3")
    expect(panel).to_contain_text(IMG)
    expect(panel).to_contain_text(SCRIPT)
    expect(panel).to_contain_text('Inline <b onmouseover="window.__pwned=4">tags</b> and a picture too.')
    assert panel.locator("img, script, b, iframe, [onerror], [onmouseover], [style]").count() == 0
    panel.locator("a", has_text="this").click()
    panel.get_by_text("tags").hover()

    # Spanish guidelines in Spanish
    page.get_by_label("Language").select_option("es")
    expect(panel.get_by_role("heading", name="Cómo etiquetar")).to_be_visible()
    expect(panel.locator("strong")).to_have_text("general")

    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__pwned") is None
    assert [url for url in requested if url.endswith(("/x", "/y"))] == []
    assert_no_csp_violation(tab.console_errors)
    assert tab.page_errors == []
