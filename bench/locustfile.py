"""The load of ``manage.py bench --http``: one locust user class per table row, and the mixed
journey of the soak. Run by ``shop.httpbench`` as ``locust -f bench/locustfile.py --headless
<UserClass>``; it imports no Django (locust patches the standard library with gevent), the
paths and ids it needs come as JSON in the environment variable ``SHOP_LOCUST_CONFIG``:

    base           "https://127.0.0.1:8128": the origin the shop sees (TLS ends in front of
                   it: every request says ``X-Forwarded-Proto: https``, as a proxy would)
    bare, home, category, product, search, cart, css, orders, order, customers   paths
    product_id, shipping_method, payment_method   for the add-to-cart and checkout forms
    session_cookie, staff_session                 the staff session (2FA done) for backoffice

Every user waits 0 s between tasks: the rows measure the most the stack can answer.

It lives outside the apps: importing locust patches the standard library with gevent, so no
Django process may import it (a test that walks the apps' modules would hang).
"""

import json
import os
import re
import time
from http.cookiejar import Cookie, DefaultCookiePolicy

from locust import constant, constant_throughput, events, task
from locust.contrib.fasthttp import FastHttpUser

CONFIG = json.loads(os.environ.get("SHOP_LOCUST_CONFIG") or "{}")
JOURNEY = "guest checkout journey"
MIXED_TASK = "mixed task"
# What a browser behind the TLS-terminating proxy sends: the production settings redirect
# plain http and check the Origin of every POST.
HEADERS = {
    "X-Forwarded-Proto": "https",
    "Origin": CONFIG.get("base", ""),
    "Accept-Language": "en",
}


class BehindTls(DefaultCookiePolicy):
    """The shop's cookies are ``Secure`` (production settings); the bench talks plain http to
    gunicorn as the TLS-terminating proxy does, so the jar sends them over http too."""

    def return_ok_secure(self, cookie, request):
        return True


def set_cookie(jar, name, value):
    """Put a cookie for the bench host into a user's cookie jar (as a browser would hold it)."""
    host = CONFIG.get("host", "127.0.0.1")
    jar.set_cookie(
        Cookie(
            0, name, value, None, False, host, False, False, "/", True, True, None, False,
            None, None, {},
        )
    )  # fmt: skip


def cookie(jar, name):
    return next((c.value for c in jar if c.name == name), "")


CHECKOUT_TOKEN = re.compile(r'name="checkout_token" value="([^"]+)"')


def checkout_form(csrf, token):
    return {
        "csrfmiddlewaretoken": csrf,
        "checkout_token": token,  # the page's one-time token: an order per checkout page
        "email": "bench-journey@example.invalid",
        "billing_first_name": "Bench",
        "billing_last_name": "Journey",
        "billing_street": "Teststraße 1",
        "billing_postcode": "10115",
        "billing_city": "Berlin",
        "billing_country": "DE",
        "ship_to_billing": "on",
        "shipping_country": "DE",
        "shipping_method": CONFIG.get("shipping_method", ""),
        "payment_method": CONFIG.get("payment_method", ""),
        "accept_terms": "on",
        "digital_consent": "on",  # asked only for a cart with downloads
    }


class ShopUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    # The stack closes the connection after each answer (gunicorn's sync workers).
    connection_timeout = 30.0
    network_timeout = 30.0

    def __init__(self, environment):
        super().__init__(environment)
        self.client.cookiejar.set_policy(BehindTls())

    def get(self, path, name=None, expect=200):
        with self.client.get(
            path, headers=HEADERS, name=name or path, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}, expected {expect}")
            return response

    def post(self, path, data, name, expect_location):
        with self.client.post(
            path, data=data, headers=HEADERS, name=name, allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or not location.endswith(expect_location):
                response.failure(f"HTTP {response.status_code} to {location!r}")
                return False
            return True

    def csrf(self):
        token = cookie(self.client.cookiejar, "csrftoken")
        if not token:
            self.get(CONFIG["product"], name="product page")
            token = cookie(self.client.cookiejar, "csrftoken")
        return token

    def add_to_cart(self):
        return self.post(
            "/cart/add/",
            {"csrfmiddlewaretoken": self.csrf(), "product": CONFIG["product_id"], "quantity": 1},
            "add to cart",
            CONFIG["cart"],
        )

    def checkout_journey(self):
        """add → cart → checkout → success, as a new guest (a fresh session each time);
        one journey is recorded as one request of its own (name ``JOURNEY``)."""
        jar = self.client.cookiejar
        for c in [c for c in jar if c.name == CONFIG.get("session_cookie", "sessionid")]:
            jar.clear(c.domain, c.path, c.name)
        start = time.perf_counter()
        ok = (
            self.add_to_cart()
            and self.get(CONFIG["cart"], name="journey: cart").status_code == 200
            and (page := self.get("/checkout/", name="journey: checkout")).status_code == 200
            and (token := CHECKOUT_TOKEN.search(page.text))
            and self.post(
                "/checkout/",
                checkout_form(self.csrf(), token.group(1)),
                "journey: place order",
                "/success/",
            )
            and self.get("/checkout/success/", name="journey: success").status_code == 200
        )
        events.request.fire(
            request_type="JOURNEY",
            name=JOURNEY,
            response_time=(time.perf_counter() - start) * 1000,
            response_length=0,
            exception=None if ok else RuntimeError("journey failed"),
            context={},
        )

    def staff(self):
        set_cookie(self.client.cookiejar, CONFIG["session_cookie"], CONFIG["staff_session"])


class BareView(ShopUser):
    @task
    def bare(self):
        self.get(CONFIG["bare"], name="bare view")


class Home(ShopUser):
    @task
    def home(self):
        self.get(CONFIG["home"], name="home")


class Category(ShopUser):
    @task
    def category(self):
        self.get(CONFIG["category"], name="category")


class Product(ShopUser):
    @task
    def product(self):
        self.get(CONFIG["product"], name="product page")


class Search(ShopUser):
    @task
    def search(self):
        self.get(CONFIG["search"], name="search")


class Cart(ShopUser):
    def on_start(self):
        self.add_to_cart()

    @task
    def cart(self):
        self.get(CONFIG["cart"], name="cart")


def paced():
    """No think time, or — with ``SHOP_LOCUST_RATE`` — that many tasks per second per user:
    a row offered a fixed load (the checkout at 40/s), the soak's 80 %."""
    if os.environ.get("SHOP_LOCUST_RATE"):
        return constant_throughput(float(os.environ["SHOP_LOCUST_RATE"]))
    return constant(0)


class Checkout(ShopUser):
    wait_time = paced()

    @task
    def journey(self):
        self.checkout_journey()


class BackofficeFloor(ShopUser):
    def on_start(self):
        self.staff()

    @task
    def floor(self):
        self.get(CONFIG["staff_floor"], name="backoffice floor")


class BackofficeOrders(ShopUser):
    def on_start(self):
        self.staff()

    @task
    def orders(self):
        self.get(CONFIG["orders"], name="backoffice orders list")


class BackofficeOrder(ShopUser):
    def on_start(self):
        self.staff()

    @task
    def order(self):
        self.get(CONFIG["order"], name="backoffice order detail")


class BackofficeCustomers(ShopUser):
    def on_start(self):
        self.staff()

    @task
    def customers(self):
        self.get(CONFIG["customers"], name="backoffice customer search")


class StaticCss(ShopUser):
    @task
    def css(self):
        self.get(CONFIG["css"], name="static css")


class Mixed(ShopUser):
    """The soak's mix: mostly browsing, some carts and checkouts, a little backoffice. With
    ``SHOP_LOCUST_RATE`` set, each user runs that many tasks per second (the soak's 80 %)."""

    wait_time = paced()

    def done(self):
        """Counts the finished task (name ``MIXED_TASK``): the soak paces tasks, not requests."""
        events.request.fire(
            request_type="TASK",
            name=MIXED_TASK,
            response_time=0,
            response_length=0,
            exception=None,
            context={},
        )

    @task(6)
    def browse(self):
        self.get(CONFIG["home"], name="home")
        self.get(CONFIG["category"], name="category")
        self.get(CONFIG["product"], name="product page")
        self.get(CONFIG["css"], name="static css")
        self.done()

    @task(2)
    def search(self):
        self.get(CONFIG["search"], name="search")
        self.done()

    @task(1)
    def journey(self):
        self.checkout_journey()
        self.done()

    @task(1)
    def backoffice(self):
        jar = self.client.cookiejar
        guest = cookie(jar, CONFIG["session_cookie"])
        self.staff()
        self.get(CONFIG["orders"], name="backoffice orders list")
        self.get(CONFIG["order"], name="backoffice order detail")
        self.get(CONFIG["customers"], name="backoffice customer search")
        if guest:
            set_cookie(jar, CONFIG["session_cookie"], guest)
        else:
            jar.clear(CONFIG.get("host", "127.0.0.1"), "/", CONFIG["session_cookie"])
        self.done()
