"""Launch buttons: the hub's or binder's URL plus the repository URL turn them on.

``_config.yml`` ships with ``launch_buttons.binderhub_url``,
``launch_buttons.jupyterhub_url`` and ``repository.url`` empty, so the site has
no launch buttons. The class page (``instructors/class_hub.md``) tells an
instructor to fill them in. This test does exactly that in a config *derived*
from ``_config.yml`` (as the Makefile derives its forced-execution config, so the
two cannot drift apart), builds a two-page book from it with execution off
(seconds instead of minutes: the buttons do not depend on outputs), and reads
the links out of the HTML:

- Binder: ``<binderhub>/v2/gh/<org>/<repo>/<branch>?urlpath=lab/tree/<path>``;
- JupyterHub: ``<hub>/hub/user-redirect/git-pull?repo=<repository url>
  &urlpath=lab/tree/<repo>/<path>&branch=<branch>``, the nbgitpuller link
  (nbgitpuller clones into a folder named after the repository, so the path
  starts with it).

The paths must name the chapter's own ``.md`` file, which must exist in the
repository. A page that is not a notebook (the class page itself) gets no
launch button, and the same two pages built with the unchanged config get none.
"""
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

BINDER = "https://mybinder.org"
HUB = "https://hub.example.edu"
ORG, REPO, BRANCH = "example-org", "rnn-book", "main"
REPOSITORY = f"https://github.com/{ORG}/{REPO}"

NOTEBOOK_PAGE = "chapters/intro"          # a MyST notebook: gets buttons
PLAIN_PAGE = "instructors/class_hub"      # plain Markdown: gets none
LAUNCH_MENU = 'class="dropdown dropdown-launch-buttons"'   # the theme's rocket menu


def derived_config(urls):
    """_config.yml with execution off, absolute extension paths and, if urls, the URLs set."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["execute"]["execute_notebooks"] = "off"
    local = config.get("sphinx", {}).get("local_extensions") or {}
    for name, path in local.items():
        local[name] = str((ROOT / path).resolve())
    if urls:
        config["launch_buttons"]["binderhub_url"] = BINDER
        config["launch_buttons"]["jupyterhub_url"] = HUB
        config["repository"]["url"] = REPOSITORY
        config["repository"]["branch"] = BRANCH
    return config


def build(tmp, urls):
    """Build NOTEBOOK_PAGE and PLAIN_PAGE into tmp; return the html folder."""
    tmp.mkdir(parents=True)
    config, toc = tmp / "_config.yml", tmp / "_toc.yml"
    config.write_text(yaml.safe_dump(derived_config(urls), sort_keys=False), encoding="utf-8")
    toc.write_text(yaml.safe_dump({
        "format": "jb-book", "root": NOTEBOOK_PAGE,
        "chapters": [{"file": PLAIN_PAGE}]}), encoding="utf-8")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", OPENBLAS_NUM_THREADS="1")
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(ROOT), "--config", str(config), "--toc", str(toc),
         "--path-output", str(tmp)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return tmp / "_build" / "html"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("launch")
    return {"on": build(tmp / "on", urls=True), "off": build(tmp / "off", urls=False)}


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def launch_links(html_dir, doc):
    parser = _Hrefs()
    parser.feed((html_dir / f"{doc}.html").read_text(encoding="utf-8"))
    return [h for h in parser.hrefs if h.startswith((BINDER, HUB))]


def test_committed_config_has_no_urls():
    """The repository is not public yet: the shipped config must not point anywhere."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["launch_buttons"]["binderhub_url"] == ""
    assert config["launch_buttons"]["jupyterhub_url"] == ""
    assert config["repository"]["url"] == ""
    # JupyterLab URLs (lab/tree/...): the pinned environment has no classic
    # notebook server, so a /tree/ link would not open the chapter
    assert config["launch_buttons"].get("notebook_interface") == "jupyterlab"


def test_binder_button_points_at_the_chapter(sites):
    links = [h for h in launch_links(sites["on"], NOTEBOOK_PAGE) if h.startswith(BINDER)]
    assert len(links) == 1, links
    url = urlsplit(links[0])
    assert f"{url.scheme}://{url.netloc}" == BINDER
    assert url.path == f"/v2/gh/{ORG}/{REPO}/{BRANCH}"
    query = parse_qs(url.query, strict_parsing=True)
    assert query == {"urlpath": [f"lab/tree/{NOTEBOOK_PAGE}.md"]}
    assert (ROOT / f"{NOTEBOOK_PAGE}.md").is_file()


def test_jupyterhub_button_is_an_nbgitpuller_link(sites):
    links = [h for h in launch_links(sites["on"], NOTEBOOK_PAGE) if h.startswith(HUB)]
    assert len(links) == 1, links
    url = urlsplit(links[0])
    assert f"{url.scheme}://{url.netloc}" == HUB
    assert url.path == "/hub/user-redirect/git-pull"
    query = parse_qs(url.query, strict_parsing=True)
    assert query == {"repo": [REPOSITORY], "branch": [BRANCH],
                     "urlpath": [f"lab/tree/{REPO}/{NOTEBOOK_PAGE}.md"]}
    # nbgitpuller clones into ./<repo>; the rest of the path is the chapter's file
    assert (ROOT / query["urlpath"][0].removeprefix(f"lab/tree/{REPO}/")).is_file()


def test_no_button_on_a_page_that_is_not_a_notebook(sites):
    html = (sites["on"] / f"{PLAIN_PAGE}.html").read_text(encoding="utf-8")
    assert LAUNCH_MENU not in html
    assert launch_links(sites["on"], PLAIN_PAGE) == []


def test_no_buttons_with_the_committed_urls(sites):
    for doc in (NOTEBOOK_PAGE, PLAIN_PAGE):
        html = (sites["off"] / f"{doc}.html").read_text(encoding="utf-8")
        assert LAUNCH_MENU not in html, doc
        assert launch_links(sites["off"], doc) == []
    # the same page with the URLs set does carry the launch menu
    assert LAUNCH_MENU in (sites["on"] / f"{NOTEBOOK_PAGE}.html").read_text(encoding="utf-8")
