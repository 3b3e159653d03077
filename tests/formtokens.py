"""Sending a backoffice form that carries a one-time token (``shop.formtokens``)."""

import re
import uuid

from shop.formtokens import FIELD

TOKEN_INPUT = re.compile(rf'<input type="hidden" name="{FIELD}" value="([0-9a-f-]{{36}})"')


def page_token(response):
    """The one-time token of a form page, as a browser sees it in the HTML."""
    assert response.status_code == 200
    tokens = TOKEN_INPUT.findall(response.content.decode())
    assert len(tokens) == 1, tokens
    return tokens[0]


def fresh(data):
    """``data`` as sent from a page just shown: with a token of its own, never sent before."""
    return {**data, FIELD: str(uuid.uuid4())}
