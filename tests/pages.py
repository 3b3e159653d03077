"""Small helpers of the view tests."""


def ok_page(client, url):
    """The HTML of ``url``, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()
