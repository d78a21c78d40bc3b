"""The morning picture as one self-contained HTML page: `out/overdue-<as_of>.<lang>.html`.

`model.page_model` turns a `ComplianceResult` and the ledger's recorded runs into plain
numbers and words (the workbook's views, states and colours); `charts` draws them as inline
SVG; `render.write_page` fills the Jinja2 template (autoescaped) and writes the file
atomically. No script, style or font is fetched: the page opens from a shared folder or an
e-mail attachment with no network.
"""

from outputs.page.render import PAGE_NAME, render_page, write_page

__all__ = ["PAGE_NAME", "render_page", "write_page"]
