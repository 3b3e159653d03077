"""The code generator mask (S7).

A mask is literal text with placeholders::

    A<NUM:1000>                          A1000, A1001, … (a running number per code)
    PROMO<NUM:0001><RAND:10000:99999>    leading zeros in the start keep the width
    P<RAND:000:999>                      P000 … P999: leading zeros in the minimum keep
                                         the width too, as in <NUM>
    (empty)                              random codes of an unambiguous alphabet

``parse`` checks the grammar, ``plan`` also checks that the mask can yield the requested
number of distinct codes, and ``generate`` produces them. Everything raises ``MaskError``
(a ``VoucherError``) before anything is written. Random parts come from ``os.urandom``,
so codes cannot be predicted from earlier ones.
"""

import os
import re
import struct
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shop.forms import parse_id

from .errors import VoucherError

# No 0/O and 1/I: codes are read aloud and typed from paper. 32 symbols = 5 bits a byte.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RANDOM_LENGTH = 12  # 32**12 = 2**60 possible codes
MAX_CODE_LENGTH = 64
# Shorter codes ("1", "2", "3" from <NUM:1>) are found by trying a few. Five, not more:
# the specification's own example, A<NUM:1000> (A1000 … A1099), must stay valid.
MIN_CODE_LENGTH = 5
LITERAL_CHARS = re.compile(r"^[A-Z0-9\-_.]*$")
PLACEHOLDER = re.compile(r"<([^<>]*)>")
_TRANSLATE = bytes(ord(ALPHABET[b & 31]) for b in range(256))


class MaskError(VoucherError):
    field = "mask"


@dataclass(frozen=True)
class Num:
    start: int
    width: int  # 0 = no padding

    def format(self, i):
        value = self.start + i
        return str(value).zfill(self.width) if self.width else str(value)


@dataclass(frozen=True)
class Rand:
    low: int
    high: int
    width: int = 0  # 0 = no padding; else the width of a minimum written with leading zeros

    @property
    def span(self):
        return self.high - self.low + 1

    def format(self, value):
        return str(value).zfill(self.width) if self.width else str(value)


@dataclass(frozen=True)
class Mask:
    text: str
    parts: tuple  # str | Num | Rand

    @property
    def is_random(self):
        """No mask at all: fully random codes."""
        return not self.parts

    @property
    def nums(self):
        return [p for p in self.parts if isinstance(p, Num)]

    @property
    def rands(self):
        return [p for p in self.parts if isinstance(p, Rand)]

    @property
    def has_random_part(self):
        return self.is_random or bool(self.rands)

    def capacity(self):
        """How many distinct codes the mask can yield (None = unlimited)."""
        if self.is_random:
            return len(ALPHABET) ** RANDOM_LENGTH
        if self.nums:
            padded = [n for n in self.nums if n.width]
            if padded:
                return min(10**n.width - n.start for n in padded)
            return None
        capacity = 1
        for r in self.rands:
            capacity *= r.span
        return capacity


def _number(token, text, what):
    number = parse_id(token)
    if number is None:
        raise MaskError(
            _("%(what)s in “%(placeholder)s” must be a whole number ≥ 0.")
            % {"what": what, "placeholder": f"<{text}>"}
        )
    return number


def _width(digits):
    """Leading zeros keep the width: ``0001`` pads to 4 digits, ``1`` does not pad."""
    return len(digits) if len(digits) > 1 and digits.startswith("0") else 0


def parse(mask_text):
    """Parse a mask into literal parts and placeholders; raise MaskError if malformed."""
    text = (mask_text or "").strip()
    if not text:
        return Mask("", ())
    parts = []
    pos = 0
    for match in PLACEHOLDER.finditer(text):
        parts.append(text[pos : match.start()])
        inner = match.group(1)
        pieces = inner.split(":")
        name = pieces[0].strip().upper()
        if name == "NUM" and len(pieces) == 2:
            start = _number(pieces[1].strip(), inner, _("The start"))
            parts.append(Num(start, _width(pieces[1].strip())))
        elif name == "RAND" and len(pieces) == 3:
            low = _number(pieces[1].strip(), inner, _("The minimum"))
            high = _number(pieces[2].strip(), inner, _("The maximum"))
            if low > high:
                raise MaskError(
                    _("In “%(placeholder)s” the minimum is larger than the maximum.")
                    % {"placeholder": f"<{inner}>"}
                )
            parts.append(Rand(low, high, _width(pieces[1].strip())))
        else:
            raise MaskError(
                _(
                    "“%(placeholder)s” is not a valid placeholder. "
                    "Use <NUM:start> or <RAND:min:max>."
                )
                % {"placeholder": f"<{inner}>"}
            )
        pos = match.end()
    parts.append(text[pos:])
    cleaned = []
    for part in parts:
        if isinstance(part, str):
            if "<" in part or ">" in part:
                raise MaskError(_("The mask has an unclosed or stray “<” or “>”."))
            part = part.upper()
            if not LITERAL_CHARS.match(part):
                raise MaskError(
                    _(
                        "The literal text “%(text)s” may only contain letters A–Z, digits, "
                        "“-”, “_” and “.”."
                    )
                    % {"text": part}
                )
            if part:
                cleaned.append(part)
        else:
            cleaned.append(part)
    return Mask(text, tuple(cleaned))


def plan(mask_text, count):
    """Parse and check that ``count`` distinct codes fit the mask and the code length."""
    mask = parse(mask_text)
    if count < 1:
        raise MaskError(_("The number of codes must be at least 1."), field="count")
    capacity = mask.capacity()  # literal text only: exactly one code
    if capacity is not None and count > capacity:
        raise MaskError(
            _("The mask “%(mask)s” can yield only %(capacity)s distinct codes, not %(count)s.")
            % {"mask": mask.text, "capacity": f"{capacity:,}", "count": f"{count:,}"}
        )
    longest = max_length(mask, count)
    if longest > MAX_CODE_LENGTH:
        raise MaskError(
            _("Codes from this mask would be %(length)s characters long; the limit is %(max)s.")
            % {"length": longest, "max": MAX_CODE_LENGTH}
        )
    shortest = min_length(mask)
    if shortest < MIN_CODE_LENGTH:
        raise MaskError(
            _(
                "Codes from this mask can be as short as %(length)s characters and easy to "
                "guess; they must have at least %(min)s. Add letters or start the number "
                "higher, e.g. <NUM:10000> or <NUM:00001>."
            )
            % {"length": shortest, "min": MIN_CODE_LENGTH}
        )
    return mask


def min_length(mask):
    """The length of the shortest code the mask can yield: a running number is shortest at
    its start, a random one at its minimum (both at least as wide as their leading zeros)."""
    if mask.is_random:
        return RANDOM_LENGTH
    length = 0
    for part in mask.parts:
        if isinstance(part, str):
            length += len(part)
        elif isinstance(part, Num):
            length += max(part.width, len(str(part.start)))
        else:
            length += max(part.width, len(str(part.low)))
    return length


def max_length(mask, count):
    if mask.is_random:
        return RANDOM_LENGTH
    length = 0
    for part in mask.parts:
        if isinstance(part, str):
            length += len(part)
        elif isinstance(part, Num):
            length += max(part.width, len(str(part.start + count - 1)))
        else:
            length += max(part.width, len(str(part.high)))
    return length


def random_codes(count):
    raw = os.urandom(count * RANDOM_LENGTH).translate(_TRANSLATE).decode("ascii")
    return [raw[i : i + RANDOM_LENGTH] for i in range(0, len(raw), RANDOM_LENGTH)]


def _random_ints(rand, count):
    """``count`` uniform-enough integers in [low, high]: 64 random bits modulo a small span."""
    span, low = rand.span, rand.low
    if span == 1:
        return [rand.format(low)] * count
    return [rand.format(low + v % span) for (v,) in struct.iter_unpack("<Q", os.urandom(8 * count))]


def render(mask, count, offset=0):
    """``count`` codes for indexes offset … offset+count-1 (not yet de-duplicated)."""
    if mask.is_random:
        return random_codes(count)
    columns = []
    for part in mask.parts:
        if isinstance(part, str):
            columns.append([part] * count)
        elif isinstance(part, Num):
            if part.width:
                columns.append(
                    [str(part.start + i).zfill(part.width) for i in range(offset, offset + count)]
                )
            else:
                columns.append([str(part.start + i) for i in range(offset, offset + count)])
        else:
            columns.append(_random_ints(part, count))
    return ["".join(row) for row in zip(*columns, strict=True)]


def _enumerate_rand_only(mask, count):
    """Masks with random parts but no running number: draw distinct combinations."""
    import random

    rng = random.SystemRandom()
    capacity = mask.capacity()
    if capacity <= 4 * count or capacity < 2**62:
        picks = rng.sample(range(capacity), count)
    else:  # pragma: no cover - astronomically large masks
        seen = set()
        while len(seen) < count:
            seen.add(rng.randrange(capacity))
        picks = list(seen)
    codes = []
    for pick in picks:
        out = []
        # mixed radix: the last placeholder varies fastest
        values = []
        for r in reversed(mask.rands):
            pick, digit = divmod(pick, r.span)
            values.append(r.format(r.low + digit))
        values.reverse()
        it = iter(values)
        for part in mask.parts:
            out.append(part if isinstance(part, str) else next(it))
        codes.append("".join(out))
    return codes


def generate(mask_text, count, exclude=frozenset()):
    """Return ``count`` distinct codes. ``exclude`` holds codes that must not be produced
    (existing ones that clashed); random parts are drawn again for those, a clash of a
    deterministic code is an error."""
    mask = plan(mask_text, count)
    if mask.parts and not mask.nums and not mask.rands:
        codes = [mask.parts[0] if len(mask.parts) == 1 else "".join(mask.parts)]
    elif mask.parts and not mask.nums:
        codes = _enumerate_rand_only(mask, count)
    else:
        codes = render(mask, count)
    return ensure_distinct(mask, codes, exclude)


def ensure_distinct(mask, codes, exclude=frozenset()):
    """Replace duplicates (within the batch or in ``exclude``) by fresh random draws."""
    seen = set()
    bad = []
    for i, code in enumerate(codes):
        if code in seen or code in exclude:
            bad.append(i)
        else:
            seen.add(code)
    if not bad:
        return codes
    if not mask.has_random_part:
        clashing = [codes[i] for i in bad[:5]]
        raise MaskError(
            _("These codes already exist: %(codes)s. Choose another mask or start number.")
            % {"codes": ", ".join(clashing)}
        )
    for _attempt in range(50):
        still_bad = []
        fresh = (
            _enumerate_rand_only(mask, len(bad))
            if mask.parts and not mask.nums
            else [render(mask, 1, offset=i)[0] for i in bad]
        )
        for i, code in zip(bad, fresh, strict=True):
            if code in seen or code in exclude:
                still_bad.append(i)
            else:
                seen.add(code)
                codes[i] = code
        bad = still_bad
        if not bad:
            return codes
    raise MaskError(
        _("The mask “%(mask)s” has too few free codes left; widen its random range.")
        % {"mask": mask.text}
    )


def preview(mask_text, count, n=10):
    """The first ``n`` codes the mask yields, for the backoffice form."""
    mask = plan(mask_text, count)
    return generate(mask.text, min(n, count))
