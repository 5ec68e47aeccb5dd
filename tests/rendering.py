"""What a person reads of a Streamlit element (shared by the AppTest modules)."""

import re

from streamlit.testing.v1 import AppTest

TEXT_KINDS = ["title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"]


def unescaped(markdown: str) -> str:
    """Markdown as it reads on screen: the backslash escapes of pages.widgets.plain taken out."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u200b", "")


def texts(at: AppTest) -> list[str]:
    """Everything a person reads on the page: titles, headers, markdown, captions, alerts."""
    return [unescaped(element.value) for kind in TEXT_KINDS for element in getattr(at, kind)]
