"""The generator mask grammar (S7), without the database."""

import pytest

from vouchers import masks
from vouchers.errors import VoucherError


def test_seed_example_one_running_number():
    codes = masks.generate("A<NUM:1000>", 100)
    assert codes == [f"A{n}" for n in range(1000, 1100)]


def test_seed_example_two_number_and_random_part():
    codes = masks.generate("PROMO<NUM:1000><RAND:10000:99999>", 1000)
    assert len(codes) == len(set(codes)) == 1000
    for i, code in enumerate(codes):
        assert code.startswith(f"PROMO{1000 + i}")
        assert 10000 <= int(code[9:]) <= 99999
        assert len(code) == 14


def test_leading_zeros_keep_the_width():
    assert masks.generate("X<NUM:0007>", 4) == ["X0007", "X0008", "X0009", "X0010"]


def test_padded_number_may_not_overflow_its_width():
    codes = masks.generate("PP<NUM:098>", 902)
    assert codes[:3] == ["PP098", "PP099", "PP100"] and codes[-1] == "PP999"
    with pytest.raises(VoucherError, match="only 902 distinct"):
        masks.generate("PP<NUM:098>", 903)


def test_unpadded_number_grows():
    assert masks.generate("NNNN<NUM:9>", 3) == ["NNNN9", "NNNN10", "NNNN11"]


def test_several_placeholders_and_literal_text_case():
    codes = masks.generate("shop-<NUM:1>-<RAND:5:5>-<RAND:0:9>", 3)
    assert [c[:9] for c in codes] == ["SHOP-1-5-", "SHOP-2-5-", "SHOP-3-5-"]
    assert all(c[-1].isdigit() for c in codes)


def test_random_only_mask_yields_distinct_codes_up_to_its_capacity():
    codes = masks.generate("RRRR<RAND:1:20>", 20)
    assert sorted(codes) == sorted(f"RRRR{n}" for n in range(1, 21))
    with pytest.raises(VoucherError, match="only 20 distinct"):
        masks.generate("RRRR<RAND:1:20>", 21)


def test_literal_mask_is_exactly_one_code():
    assert masks.generate("summer24", 1) == ["SUMMER24"]
    with pytest.raises(VoucherError, match="only 1 distinct"):
        masks.generate("SUMMER24", 2)


def test_no_mask_gives_long_unambiguous_random_codes():
    codes = masks.generate("", 500)
    assert len(set(codes)) == 500
    for code in codes:
        assert len(code) >= 10
        assert not set(code) & set("0O1I")
        assert set(code) <= set(masks.ALPHABET)


@pytest.mark.parametrize(
    "mask, message",
    [
        ("A<NUM>", "not a valid placeholder"),
        ("A<NUM:x>", "whole number"),
        ("A<RAND:5>", "not a valid placeholder"),
        ("A<RAND:9:1>", "minimum is larger than the maximum"),
        ("A<FOO:1>", "not a valid placeholder"),
        ("A<NUM:1", "stray"),
        ("A>B", "stray"),
        ("A B<NUM:1>", "may only contain"),
        ("Ä<NUM:1>", "may only contain"),
        ("<RAND:-1:5>", "whole number"),
    ],
)
def test_malformed_masks_are_clear_errors(mask, message):
    with pytest.raises(VoucherError, match=message):
        masks.plan(mask, 1)


def test_count_must_be_positive():
    with pytest.raises(VoucherError, match="at least 1"):
        masks.plan("A<NUM:1>", 0)


def test_code_length_limit():
    with pytest.raises(VoucherError, match="characters long"):
        masks.plan("A" * 60 + "<NUM:100000>", 1)


def test_clash_of_a_deterministic_code_is_an_error():
    mask = masks.plan("AAAA<NUM:1>", 3)
    with pytest.raises(VoucherError, match="already exist: AAAA2"):
        masks.ensure_distinct(mask, ["AAAA1", "AAAA2", "AAAA3"], exclude={"AAAA2"})


def test_clash_of_a_random_part_is_drawn_again():
    mask = masks.plan("AAA<NUM:1><RAND:1:3>", 2)
    codes = masks.ensure_distinct(mask, ["AAA11", "AAA21"], exclude={"AAA11", "AAA12"})
    assert codes[0] == "AAA13" and codes[1] == "AAA21"


def test_preview_checks_the_full_count():
    assert masks.preview("A<NUM:1000>", 100, 3) == ["A1000", "A1001", "A1002"]
    with pytest.raises(VoucherError):
        masks.preview("<NUM:01>", 500, 3)


def test_leading_zeros_in_a_random_minimum_keep_the_width_as_in_num():
    """Decided in issue 18: ``<RAND:000:999>`` pads like ``<NUM:0001>``; ``<RAND:0:999>`` not."""
    codes = masks.generate("PP<RAND:000:999>", 1000)
    assert sorted(codes) == [f"PP{n:03d}" for n in range(1000)]
    unpadded = masks.generate("PPPP<RAND:0:9>", 10)
    assert sorted(unpadded) == [f"PPPP{n}" for n in range(10)]
    mixed = masks.generate("<NUM:1>-<RAND:007:9>", 50)
    assert all(len(code.split("-")[1]) == 3 for code in mixed)


def test_padded_random_width_counts_towards_the_code_length():
    assert masks.max_length(masks.parse("<RAND:00000:9>"), 1) == 5


@pytest.mark.parametrize(
    "mask, shortest",
    [("<NUM:1>", 1), ("A<NUM:1>", 2), ("AB<RAND:1:999>", 3), ("PP<NUM:01>", 4), ("ABCD", 4)],
)
def test_masks_yielding_guessable_short_codes_are_refused(mask, shortest):
    """``<NUM:1>`` would make the codes "1", "2", "3" …: a mask must not be able to yield a
    code shorter than MIN_CODE_LENGTH."""
    with pytest.raises(VoucherError, match=f"as short as {shortest} characters") as exc:
        masks.plan(mask, 1)
    assert exc.value.field == "mask"
    assert f"at least {masks.MIN_CODE_LENGTH}" in exc.value.message


@pytest.mark.parametrize("mask", ["A<NUM:1000>", "<NUM:00001>", "ABCD<RAND:5:9>", "ABCDE"])
def test_masks_whose_shortest_code_is_long_enough_are_accepted(mask):
    assert masks.min_length(masks.plan(mask, 1)) >= masks.MIN_CODE_LENGTH
