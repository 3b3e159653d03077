"""Staff name searches ignore accents and case (the Polish audit): customers write "Lukasz
Wrobel" for "Łukasz Wróbel", so a data protection officer answering an access or erasure
request, or a clerk looking for an order, types the name without its diacritics — and must
still find the customer, the orders, the invoices and the credit notes. Typed with them, or
stored without them, the name is found too. Answered from the trigram indexes on the folded
names (shop_fold, shop/0032), never by reading the whole table."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import User
from orders.models import Order
from orders.services import create_credit_note, create_invoice, create_shipment
from privacy.subjects import search_customers, search_orders, search_other
from shop.db import FoldedContains, PersonName
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BROWSER = "admin:privacy_subject_changelist"
ORDERS = "admin:orders_order_changelist"
CUSTOMERS = "admin:customers_user_changelist"

# (first name, last name as stored, what staff type): Polish, Danish and German names typed
# without their diacritics, in another case, or with them.
NAMES = [
    ("Grzegorz", "Brzęczyszczykiewicz", "brzeczyszczykiewicz"),
    ("Grzegorz", "Brzęczyszczykiewicz", "Brzęczyszczykiewicz"),
    ("Grzegorz", "Brzęczyszczykiewicz", "BRZĘCZYSZCZYKIEWICZ"),
    ("Łukasz", "Wróbel", "Lukasz Wrobel"),
    ("Łukasz", "Wróbel", "łukasz wróbel"),
    ("Żaneta", "Łuczak-Ślęzak", "zaneta luczak-slezak"),
    ("Søren", "Kierkegård", "soren kierkegard"),
    ("Åse", "Øvergård", "ase overgard"),
    ("Jürgen", "Müller", "jurgen muller"),
    ("Jürgen", "Müller", "MÜLLER"),
    ("Ernst", "Weißmüller", "weissmuller"),
    # stored without the diacritics (as the customer typed it), searched with them
    ("Lukasz", "Wrobel", "Łukasz Wróbel"),
    ("Soren", "Sorensen", "Søren"),
]


def _billing(first, last):
    return {
        "first_name": first,
        "last_name": last,
        "street": "ul. Długa 5",
        "postcode": "00-238",
        "city": "Warszawa",
        "country": "PL",
    }


def _ship_all(order):
    return {line.pk: line.quantity for line in order.lines.all()}


@pytest.mark.parametrize(("first", "last", "typed"), NAMES)
def test_the_browser_finds_customers_and_orders_whatever_the_accents_and_case(
    make_order, first, last, typed
):
    person = UserFactory(first_name=first, last_name=last, email="klient@example.pl")
    order = make_order(customer=person, email="klient@example.pl", billing=_billing(first, last))
    guest = make_order(email="gosc@example.pl", billing=_billing(first, last))
    UserFactory(first_name="Anna", last_name="Nowak", email="anna@example.pl")
    make_order(email="anna@example.pl", billing=_billing("Anna", "Nowak"))

    assert [c.pk for c in search_customers(typed)] == [person.pk]
    assert {o.pk for o in search_orders(typed)} == {order.pk, guest.pk}


def test_an_erased_polish_customers_invoice_and_credit_note_are_found_without_diacritics(
    admin_client, make_order, staff
):
    """The audit's case: "Brzęczyszczykiewicz" found the order, the invoice and the credit
    note; "brzeczyszczykiewicz" found nothing."""
    person = UserFactory(
        first_name="Grzegorz", last_name="Brzęczyszczykiewicz", email="g.b@example.pl"
    )
    billing = _billing("Grzegorz", "Brzęczyszczykiewicz")
    order = make_order(customer=person, email=person.email, billing=billing)
    invoice = create_invoice(order, user=staff)
    create_shipment(order, _ship_all(order))
    line = order.lines.get()
    note = create_credit_note(Order.objects.get(pk=order.pk), {line.pk: 1}, reason="Wada")

    url = reverse(BROWSER)
    for typed in ("brzeczyszczykiewicz", "Brzęczyszczykiewicz", "GRZEGORZ BRZECZYSZCZYKIEWICZ"):
        response = admin_client.get(url, {"q": typed, "scope": "both"})
        assert response.status_code == 200
        assert [c.pk for c in response.context["customers"]] == [person.pk], typed
        assert [o.pk for o in response.context["orders"]] == [order.pk], typed
        places = {hit.place for hit in response.context["others"]}
        assert {f"Invoice {invoice.number}", f"Credit note {note.number}"} <= places, typed

    # After the erasure only the invoice and credit note keep the name (tax law).
    Order.objects.filter(pk=order.pk).update(
        customer=None, email="", billing_first_name="", billing_last_name=""
    )
    hits = {hit.place: hit for hit in search_other("brzeczyszczykiewicz")}
    assert hits[f"Invoice {invoice.number}"].name == "Grzegorz Brzęczyszczykiewicz"
    assert f"Credit note {note.number}" in hits


def test_the_order_list_finds_names_typed_without_diacritics(admin_client, make_order):
    wrobel = make_order(email="lw@example.pl", billing=_billing("Łukasz", "Wróbel"))
    soren = make_order(email="ss@example.dk", billing=_billing("Søren", "Sørensen"))
    jorgen = make_order(email="jj@example.dk", billing=_billing("Jørgen", "Jørgensen"))
    url = reverse(ORDERS)

    def found(typed):
        response = admin_client.get(url, {"q": typed})
        assert response.status_code == 200
        return {o.pk for o in response.context["cl"].result_list}

    assert found("lukasz wrobel") == {wrobel.pk}
    assert found("WRÓBEL") == {wrobel.pk}
    assert found("sorensen") == {soren.pk}
    assert found("Jorgensen") == {jorgen.pk}
    assert found("ensen") == {soren.pk, jorgen.pk}
    # order numbers and e-mail addresses are still found as before
    assert found(soren.number) == {soren.pk}
    assert found("lw@example") == {wrobel.pk}


def test_the_customer_list_finds_names_typed_without_diacritics(admin_client):
    wojcik = UserFactory(first_name="Paweł", last_name="Wójcik", email="pw@example.pl")
    muller = UserFactory(first_name="Jürgen", last_name="Müller", email="jm@example.de")
    aase = UserFactory(first_name="Åse", last_name="Ærø", email="ae@example.dk")
    url = reverse(CUSTOMERS)

    def found(typed):
        response = admin_client.get(url, {"q": typed})
        assert response.status_code == 200
        return {c.pk for c in response.context["cl"].result_list}

    assert found("pawel wojcik") == {wojcik.pk}
    assert found("Muller") == {muller.pk}
    assert found("müller") == {muller.pk}
    assert found("ase aero") == {aase.pk}  # unaccent spells Æ as "AE"
    assert found(wojcik.customer_number) == {wojcik.pk}


def test_like_wildcards_typed_are_taken_literally(make_order):
    # "_" and "%" in a search are characters, not patterns, also inside the folded pattern
    wrobel = make_order(email="lw@example.pl", billing=_billing("Łukasz", "Wróbel"))
    underscore = make_order(email="x@example.pl", billing=_billing("Anna", "Wr_bel"))
    assert [o.pk for o in search_orders("wr_bel")] == [underscore.pk]
    assert search_orders("wr%bel") == []
    assert [o.pk for o in search_orders("lukasz wróbel")] == [wrobel.pk]


def test_a_term_with_diacritics_does_not_find_other_names():
    UserFactory(first_name="Łucja", last_name="Nowak", email="ln@example.pl")
    lukasz = UserFactory(first_name="Łukasz", last_name="Nowak", email="lk@example.pl")
    assert [c.pk for c in search_customers("łukasz")] == [lukasz.pk]
    assert [c.pk for c in search_customers("lukasz nowak")] == [lukasz.pk]


def test_folded_contains_works_on_an_annotation_and_on_an_expression():
    person = UserFactory(first_name="Søren", last_name="Østergård", email="so@example.dk")
    UserFactory(first_name="Anna", last_name="Nowak", email="an@example.pl")
    named = User.objects.annotate(name=PersonName("first_name", "last_name"))
    assert list(named.filter(FoldedContains(F("name"), "ostergard"))) == [person]
    by_expression = User.objects.filter(
        FoldedContains(PersonName("first_name", "last_name"), "SØREN Ø")
    )
    assert list(by_expression) == [person]


def _plan(sql):
    with connection.cursor() as cursor:
        # Neither reading the table nor walking another index (the primary key's, the
        # creation date's, in the order asked for) with the name as a filter.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        # nor the customers' name-order index (customers/0022) read whole with the name as a
        # filter (dropped in this test's transaction only)
        cursor.execute("DROP INDEX IF EXISTS customers_user_person_name")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def _last_search_sql(search, table):
    with CaptureQueriesContext(connection) as queries:
        search("brzeczyszczykiewicz")
    return next(q["sql"] for q in reversed(queries.captured_queries) if table in q["sql"])


@pytest.mark.parametrize(
    ("search", "table", "index"),
    [
        (search_customers, '"customers_user"', "customers_user_name_fold_trgm"),
        (search_orders, '"orders_order"', "orders_order_name_fold_trgm"),
        (search_other, 'FROM "orders_invoice"', "orders_invoice_buyer_name_fold_trgm"),
    ],
)
def test_the_folded_name_search_can_use_its_trigram_index(search, table, index):
    sql = _last_search_sql(search, table)
    assert "shop_fold(" in sql
    assert index in _plan(sql)


def test_the_folded_pattern_is_a_constant_for_the_planner():
    """The pattern is folded by the same function as the column; being IMMUTABLE, PostgreSQL
    folds it once while planning, so the index condition is a plain LIKE pattern."""
    sql = _last_search_sql(search_orders, '"orders_order"')
    assert "'%BRZECZYSZCZYKIEWICZ%'::text" in _plan(sql)
