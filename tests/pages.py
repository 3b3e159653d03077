"""Small helpers of the view tests."""

from django.contrib.messages import get_messages


def ok_page(client, url):
    """The HTML of ``url``, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def message_texts(response):
    """The texts of the messages the response's request added (success, error …)."""
    return [str(m) for m in get_messages(response.wsgi_request)]
