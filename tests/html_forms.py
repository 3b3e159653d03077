"""HTML forms as a browser sends them: the fields of every form of a page (inputs, the
checked boxes and radios, each select's chosen option or else its first, text areas; no
files), for tests that post a page's own forms back (tests/security/test_form_fuzzing.py,
tests/shop/test_change_pages_save.py)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: list = field(default_factory=list)  # [(name, value)] as a browser would send
    choices: dict = field(default_factory=dict)  # name -> values offered (select/radio)


class FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links = []
        self.forms = []
        self._form = None
        self._select = None
        self._multiple = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(
                self.page,
                (a.get("method") or "get").lower(),
                urljoin(self.page, a.get("action") or self.page),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            box = kind in ("checkbox", "radio")
            if box:
                self._form.choices.setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" not in a:
                    return
            # A checked box without a value sends "on", as a browser does.
            self._form.fields.append((a["name"], a.get("value", "on" if box else "")))
        elif tag == "button" and a.get("name"):
            self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._multiple = "multiple" in a
            self._form.choices[self._select] = []
            if not self._multiple:  # a browser sends the chosen option, or else the first
                self._form.fields.append((self._select, None))
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form.choices[self._select].append(value)
            fields = self._form.fields
            if self._multiple:  # only the chosen ones, none when none is
                if "selected" in a:
                    fields.append((self._select, value))
                return
            name, current = fields[-1] if fields else (None, None)
            if name == self._select and (current is None or "selected" in a):
                fields[-1] = (name, value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form.fields.append(tuple(self._textarea))
            self._textarea = None


def post_data(fields):
    """``fields`` (``[(name, value)]``) as the test client posts them: a list per name."""
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data
