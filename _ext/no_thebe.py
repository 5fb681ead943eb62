"""Keep thebe off the pages while ``launch_buttons.thebe`` is false.

Jupyter Book always loads sphinx-thebe, which puts its configuration (an
inline ``const THEBE_JS_URL = "<a CDN URL>"`` script) and ``sphinx-thebe.js`` on
every page even when thebe is turned off. Its configuration is registered once
per ``env-before-read-docs`` event, which a Jupyter Book build can emit twice;
the second copy then throws "Identifier 'THEBE_JS_URL' has already been
declared" on every page. Thebe itself needs a CDN and a Binder server, so the
book does not use it: this removes its scripts and stylesheet from every page.
"""


def _is_thebe(asset):
    name = str(getattr(asset, "filename", "") or "")
    body = getattr(asset, "attributes", {}).get("body", "")
    return "sphinx-thebe" in name or "THEBE_JS_URL" in body


def drop_thebe(app, pagename, templatename, context, doctree):
    if app.config.html_theme_options.get("launch_buttons", {}).get("thebe"):
        return
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]


def setup(app):
    app.connect("html-page-context", drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
