from shop.erasure import scrub


def test_replaces_whole_words_in_any_case():
    text = "Erika Mustermann wrote from ERIKA@example.com; Erikas cat is not Erika."
    result = scrub(
        text,
        ["erika@example.com", "Erika Mustermann", "Erika"],
        ["deleted-1@invalid", "Deleted customer", "Deleted customer"],
    )
    assert result == (
        "Deleted customer wrote from deleted-1@invalid; Erikas cat is not Deleted customer."
    )


def test_empty_needles_and_empty_text_are_left_alone():
    assert scrub("Hello", ["", None], ["X", "Y"]) == "Hello"
    assert scrub("", ["Erika"], ["X"]) == ""


def test_replacement_is_literal_text():
    assert scrub("Name: Bob", ["Bob"], [r"\1 \g<0>"]) == r"Name: \1 \g<0>"
