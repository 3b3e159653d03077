"""The rows of a backoffice change list, written as Django's admin writes them, faster.

Django's ``items_for_result`` works out every cell from scratch: it looks the column's name
up among the model's fields (raising and catching ``FieldDoesNotExist`` for every computed
column), asks for the empty-value text, builds the cell's classes, reverses the row's
change URL and merges the list's filters into it, and formats each cell with
``format_html`` — per cell, 50 rows × 6 columns per page. ``FastRows`` does the part that is
the same for every row once per column (``Column``) and per list (the change URL with a
placeholder for the key), and per row only what depends on the row. Its HTML is Django's,
byte for byte (``tests/shop/test_admin_rows.py`` compares both for every change list of the
backoffice); a list with editable columns (a formset) keeps Django's own code.
"""

import datetime
from urllib.parse import quote as url_quote

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    items_for_result,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

# A key no row has: reversed once into the change URL, replaced by each row's key.
PLACEHOLDER = "{pk}"
# What reverse() makes of it in the URL's path (it quotes "{" and "}").
PLACEHOLDER_IN_URL = url_quote(PLACEHOLDER, safe="")
# reverse() quotes a path argument with these characters left as they are.
PATH_SAFE = "!$&'()*+,;=/~:@"


class Column:
    """What one column of ``list_display`` is, found out once per list."""

    def __init__(self, cl, index, name, first_link):
        model_admin = cl.model_admin
        self.name = name
        self.link = first_link
        self.empty = model_admin.get_empty_value_display()
        coerced = name
        if callable(name):
            coerced = f"lambda{index}" if name.__name__ == "<lambda>" else name.__name__
        self.classes = [f"field-{coerced}"]
        self.field = None
        self.attr = None
        self.kind = "generic"  # lookup_field() per row
        try:
            self.field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(name):
                self.kind, self.attr = "callable", name
            elif hasattr(model_admin, name) and name != "__str__":
                self.kind, self.attr = "callable", getattr(model_admin, name)
        else:
            self.kind = "field"
        if self.kind == "callable":
            self.empty = getattr(self.attr, "empty_value_display", self.empty)
            self.boolean = getattr(self.attr, "boolean", False)
            if name == "action_checkbox":
                self.classes = ["action-checkbox"]
        elif self.kind == "field" and not self.field.auto_created:
            if isinstance(self.field, (models.DateField, models.TimeField, models.ForeignKey)):
                self.classes.append("nowrap")

    def cell(self, result, model_admin):
        """``(text, classes)`` of this column for the row ``result``, as Django makes it."""
        classes = self.classes
        empty = self.empty
        if self.kind == "callable":
            try:
                value = self.attr(result)
            except ObjectDoesNotExist:
                return empty, classes
            if isinstance(value, str) and value.strip() == "":
                value = ""
            text = display_for_value(value, empty, self.boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                classes = [*classes, "nowrap"]
            return text, classes
        if self.kind == "field" and not self.field.auto_created:
            field = self.field
            try:
                value = getattr(result, self.name)
            except ObjectDoesNotExist:
                return empty, classes
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if isinstance(field.remote_field, models.ManyToOneRel):
                field_value = getattr(result, field.name)
                return (empty if field_value is None else field_value), classes
            return display_for_field(value, field, empty, avoid_link=self.link), classes
        # Anything else (a model's method or property, a related lookup, an automatically
        # created field): exactly Django's steps.
        try:
            field, attr, value = lookup_field(self.name, result, model_admin)
        except ObjectDoesNotExist:
            return empty, classes
        empty = getattr(attr, "empty_value_display", empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if field is None or field.auto_created:
            if self.name == "action_checkbox":
                classes = ["action-checkbox"]
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            text = display_for_value(value, empty, boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                classes = [*classes, "nowrap"]
            return text, classes
        if isinstance(field.remote_field, models.ManyToOneRel):
            field_value = getattr(result, field.name)
            text = empty if field_value is None else field_value
        else:
            text = display_for_field(value, field, empty, avoid_link=self.link)
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes = [*classes, "nowrap"]
        return text, classes


class FastRows:
    """The rows of the change list ``cl``: one string of cells per row."""

    def __init__(self, cl):
        self.cl = cl
        links = cl.list_display_links
        self.columns = []
        for index, name in enumerate(cl.list_display):
            if links is None:
                link = False
            elif index == 0 and not links:
                link = True
            else:
                link = name in links
            self.columns.append(Column(cl, index, name, link))
        self.url_template = self._url_template()

    def _url_template(self):
        """The change URL of a row with the list's filters kept, with PLACEHOLDER_IN_URL
        where the row's key goes (None: reversed per row, as Django does)."""
        cl = self.cl
        try:
            url = reverse(
                f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
                args=(PLACEHOLDER,),
                current_app=cl.model_admin.admin_site.name,
            )
        except NoReverseMatch:
            return None
        url = add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
        )
        # Only a key in the path: the list's own filters are quoted a second time inside
        # "_changelist_filters", so they cannot hold the placeholder as it is in the path.
        return url if url.count(PLACEHOLDER_IN_URL) == 1 else None

    def url_for(self, result):
        cl = self.cl
        if self.url_template is not None:
            key = url_quote(str(quote(getattr(result, cl.pk_attname))), safe=PATH_SAFE)
            return self.url_template.replace(PLACEHOLDER_IN_URL, key, 1)
        url = cl.url_for_result(result)
        return add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
        )

    def row(self, result):
        cl = self.cl
        model_admin = cl.model_admin
        cells = []
        first = True
        for column in self.columns:
            text, classes = column.cell(result, model_admin)
            row_class = ' class="{}"'.format(" ".join(classes))
            if column.link:
                tag = "th" if first else "td"
                first = False
                try:
                    url = self.url_for(result)
                except NoReverseMatch:
                    inner = conditional_escape(text)
                else:
                    attr = str(cl.to_field) if cl.to_field else cl.lookup_opts.pk.attname
                    popup = (
                        format_html(' data-popup-opener="{}"', result.serializable_value(attr))
                        if cl.is_popup
                        else ""
                    )
                    inner = format_html('<a href="{}"{}>{}</a>', url, popup, text)
                cells.append(f"<{tag}{row_class}>{inner}</{tag}>")
            else:
                cells.append(f"<td{row_class}>{conditional_escape(text)}</td>")
        return mark_safe("".join(cells))


def result_list(cl):
    """The context of ``change_list_results.html``, as Django's ``result_list`` gives it;
    each row is one item: the row's cells as one string."""
    headers = list(result_headers(cl))
    context = {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
    }
    if cl.formset:
        from django.contrib.admin.templatetags.admin_list import results

        context["results"] = list(results(cl))
    else:
        rows = FastRows(cl)
        context["results"] = [ResultList(None, [rows.row(result)]) for result in cl.result_list]
    return context


def django_rows(cl):
    """Django's own cells of every row, joined as ``result_list`` joins them (for the test
    that compares both)."""
    return ["".join(items_for_result(cl, result, None)) for result in cl.result_list]
