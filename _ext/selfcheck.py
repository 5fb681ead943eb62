"""Self-check questions that work on the static site, with no kernel.

A chapter places a question with one directive naming it::

    ```{selfcheck} lstm/forget-zero
    ```

``lstm/forget-zero`` is question ``forget-zero`` of
``chapters/selfcheck/lstm.yml``. Each question there has a ``question``, and a
list of ``choices``, each with an ``answer``, ``correct: true`` on the right
ones, and the ``feedback`` a reader sees after choosing it. All three texts are
MyST Markdown (math, code, ``{ref}`` links)::

    forget-zero:
      question: With $f_t = 0$ for every unit, what does the LSTM lose?
      choices:
        - answer: ...
          feedback: ...
        - answer: ...
          correct: true
          feedback: ...

The HTML is a plain form: a radio group labelled by the question, a
``<button>`` "Check", and the feedback of every choice inside a ``<details>``
box, so that without JavaScript (or in print) the answers are one click away
and never in plain view. ``assets/selfcheck.js`` turns the box into an
``aria-live`` region that shows only the feedback of the checked choice.
Nothing is loaded from outside the site.

``markdown(ref, root)`` renders a question as plain Markdown with the feedback
in ``<details>``: what a generated notebook should contain in place of the
directive.
"""
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

SOURCE_DIR = Path("chapters", "selfcheck")  # relative to the book's root


# -- the question files --------------------------------------------------------
def load(ref, root):
    """The question ``ref`` ("<file>/<id>") from ``<root>/chapters/selfcheck``.

    Returns ``(path, question)``; raises ``ValueError`` naming what is wrong.
    """
    file, sep, qid = ref.partition("/")
    if not sep or not file or not qid:
        raise ValueError(f"selfcheck: expected '<file>/<question id>', got {ref!r}")
    path = Path(root, SOURCE_DIR, file + ".yml")
    if not path.is_file():
        raise ValueError(f"selfcheck {ref!r}: no question file {path}")
    questions = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if qid not in questions:
        raise ValueError(f"selfcheck {ref!r}: {path.name} has no question {qid!r} "
                         f"(it has {', '.join(questions)})")
    question = questions[qid]
    choices = question.get("choices") or []
    if not question.get("question") or len(choices) < 2:
        raise ValueError(f"selfcheck {ref!r}: expected a 'question' and at least two 'choices'")
    for i, choice in enumerate(choices):
        if not choice.get("answer") or not choice.get("feedback"):
            raise ValueError(f"selfcheck {ref!r}: choice {i + 1} needs 'answer' and 'feedback'")
    if not any(choice.get("correct") for choice in choices):
        raise ValueError(f"selfcheck {ref!r}: no choice is marked 'correct: true'")
    return path, question


def letter(i):
    return "abcdefghij"[i]


def markdown(ref, root):
    """The question as plain Markdown (for a notebook): choices as a list,
    feedback for each choice in a collapsed ``<details>`` box."""
    _, q = load(ref, root)
    lines = ["**Check your understanding.** " + q["question"].strip(), ""]
    for i, choice in enumerate(q["choices"]):
        lines.append(f"- ({letter(i)}) " + " ".join(choice["answer"].split()))
    lines += ["", "<details><summary>Answers</summary>", ""]
    for i, choice in enumerate(q["choices"]):
        verdict = "Correct" if choice.get("correct") else "Not quite"
        lines += [f"({letter(i)}) **{verdict}.** " + choice["feedback"].strip(), ""]
    lines += ["</details>", ""]
    return "\n".join(lines)


# -- nodes ---------------------------------------------------------------------
class selfcheck(nodes.General, nodes.Element):
    """The whole question: ``<div class="selfcheck">``."""


class selfcheck_part(nodes.General, nodes.Element):
    """One HTML element of the form, written from its ``tag`` and ``attrs``."""


def part(tag, children=(), **attrs):
    node = selfcheck_part(tag=tag, attrs=attrs)
    node.extend(children)
    return node


def visit_selfcheck(self, node):
    self.body.append(self.starttag(node, "div", CLASS="selfcheck",
                                   **{"data-selfcheck": node["ref"]}))


def depart_selfcheck(self, node):
    self.body.append("</div>\n")


def visit_part(self, node):
    attrs = {k.replace("_", "-"): v for k, v in node["attrs"].items()}
    tag = node["tag"]
    if tag == "input":  # a void element
        self.body.append(self.emptytag(node, "input", **attrs))
    else:
        self.body.append(self.starttag(node, tag, suffix="", **attrs))


def depart_part(self, node):
    if node["tag"] != "input":
        self.body.append(f"</{node['tag']}>")


def skip(self, node):
    raise nodes.SkipNode


# -- the directive -------------------------------------------------------------
class SelfCheck(SphinxDirective):
    required_arguments = 1
    has_content = False
    option_spec = {"class": directives.class_option}

    def inline(self, text):
        """MyST text as inline nodes (the children of its one paragraph)."""
        parsed = self.parse_text_to_nodes(" ".join(str(text).split()))
        if len(parsed) == 1 and isinstance(parsed[0], nodes.paragraph):
            # an inline (a TextElement), so that smart quotes apply as in the text
            return [nodes.inline("", "", *parsed[0].children)]
        return parsed

    def run(self):
        ref = self.arguments[0]
        try:
            path, q = load(ref, self.env.srcdir)
        except ValueError as err:
            raise self.error(str(err)) from None
        self.env.note_dependency(str(path))
        base = "sc-" + ref.replace("/", "-")
        root = selfcheck(ref=ref, classes=self.options.get("class", []))
        root.document = self.state.document
        self.set_source_info(root)

        title = part("p", [nodes.strong(text="Check your understanding")],
                     CLASS="sc-title", ids=[base + "-title"])
        question = part("div", self.parse_text_to_nodes(str(q["question"])),
                        CLASS="sc-question", ids=[base + "-q"])
        choices = part("div", CLASS="sc-choices", role="radiogroup",
                       aria_labelledby=f"{base}-title {base}-q")
        for i, choice in enumerate(q["choices"]):
            cid = f"{base}-{i}"
            label = part("label", self.inline(choice["answer"]), for_=cid)
            label["attrs"]["for"] = label["attrs"].pop("for_")
            choices += part("div", [
                part("input", type="radio", name=base, value=str(i), ids=[cid]),
                label,
            ], CLASS="sc-choice")
        check = part("button", [nodes.Text("Check")], type="button", CLASS="sc-check")
        feedback = part("div", CLASS="sc-feedback")
        for i, choice in enumerate(q["choices"]):
            right = bool(choice.get("correct"))
            verdict = [part("span", [nodes.Text(f"({letter(i)}) ")], CLASS="sc-which"),
                       nodes.strong(text="Correct. " if right else "Not quite. ")]
            body = self.parse_text_to_nodes(str(choice["feedback"]))
            if body and isinstance(body[0], nodes.paragraph):
                body[0].children[0:0] = verdict
                for child in verdict:
                    child.parent = body[0]
            else:
                body.insert(0, nodes.paragraph("", "", *verdict))
            feedback += part("div", body, CLASS="sc-fb " + ("sc-right" if right else "sc-wrong"),
                             data_choice=str(i), data_correct="true" if right else "false")
        answers = part("details", [part("summary", [nodes.Text("Answers")]), feedback],
                       CLASS="sc-answers")
        root.extend([title, question, choices, check, answers])
        return [root]


def add_assets(app, pagename, templatename, context, doctree):
    if doctree is not None and any(True for _ in doctree.findall(selfcheck)):
        app.add_css_file("selfcheck.css")
        app.add_js_file("selfcheck.js", defer="defer")


def setup(app):
    app.add_node(selfcheck, html=(visit_selfcheck, depart_selfcheck),
                 latex=(skip, None), text=(skip, None), man=(skip, None),
                 texinfo=(skip, None))
    app.add_node(selfcheck_part, html=(visit_part, depart_part),
                 latex=(skip, None), text=(skip, None), man=(skip, None),
                 texinfo=(skip, None))
    app.add_directive("selfcheck", SelfCheck)
    app.connect("html-page-context", add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
