"""Demo pictures drawn by the project with Pillow (``seed_demo``): simple, recognisable
shapes in each product's colour — a coffee pot, a jam jar, a skillet … — so the demo shop
shows real pictures without downloading any. Each drawing is 800 × 800 px; a second view
(the same object on its colour) shows how several pictures look."""

from io import BytesIO

from PIL import Image, ImageDraw

SIZE = 800


def _rgb(hex_colour):
    hex_colour = hex_colour.lstrip("#")
    return tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))


def _mix(colour, other, share):
    return tuple(round(a * (1 - share) + b * share) for a, b in zip(colour, other, strict=True))


def _shadow(draw, box):
    draw.ellipse(box, fill=(0, 0, 0, 40))


def coffee_pot(d, c):
    _shadow(d, (200, 650, 600, 700))
    d.polygon([(270, 300), (530, 300), (590, 660), (210, 660)], fill=c)  # body
    d.rectangle((300, 250, 500, 305), fill=_mix(c, (0, 0, 0), 0.2))  # collar
    d.ellipse((330, 200, 470, 270), fill=_mix(c, (0, 0, 0), 0.3))  # lid
    d.ellipse((385, 170, 415, 205), fill=(40, 40, 40))  # knob
    d.polygon([(245, 420), (150, 300), (175, 290), (265, 380)], fill=c)  # spout
    d.arc((500, 330, 660, 560), -80, 80, fill=(40, 40, 40), width=26)  # handle
    d.ellipse((340, 430, 460, 550), outline=(255, 255, 255), width=10)  # enamel dot


def cutting_board(d, c):
    _shadow(d, (160, 640, 640, 700))
    d.rounded_rectangle((180, 260, 620, 660), 50, fill=c)
    d.rounded_rectangle((340, 140, 460, 300), 40, fill=c)
    d.ellipse((375, 175, 425, 225), fill=(246, 244, 240))
    for y in range(320, 640, 55):
        d.line((220, y, 580, y + 10), fill=_mix(c, (0, 0, 0), 0.25), width=5)


def tea_towels(d, c):
    for i, shade in enumerate((0.0, 0.25, 0.45)):
        top = 240 + i * 110
        colour = _mix(c, (255, 255, 255), shade)
        d.rounded_rectangle((170, top, 630, top + 170), 18, fill=colour)
        for x in range(200, 620, 60):
            d.line((x, top + 10, x, top + 160), fill=_mix(colour, (0, 0, 0), 0.2), width=6)


def skillet(d, c):
    _shadow(d, (140, 600, 560, 680))
    d.ellipse((130, 220, 560, 650), fill=c)
    d.ellipse((170, 260, 520, 610), fill=_mix(c, (255, 255, 255), 0.15))
    d.polygon([(530, 380), (720, 330), (735, 370), (545, 440)], fill=c)


def coffee_bag(d, c):
    _shadow(d, (220, 650, 580, 700))
    d.polygon([(240, 200), (560, 200), (590, 660), (210, 660)], fill=c)
    d.rectangle((240, 170, 560, 215), fill=_mix(c, (0, 0, 0), 0.3))
    d.rounded_rectangle((280, 330, 520, 520), 20, fill=(246, 238, 220))
    for x, y in ((360, 400), (440, 440), (380, 470)):
        d.ellipse((x - 28, y - 20, x + 28, y + 20), fill=(90, 55, 30))
        d.line((x - 18, y, x + 18, y), fill=(246, 238, 220), width=4)


def jam_jar(d, c):
    _shadow(d, (220, 650, 580, 700))
    d.rounded_rectangle((230, 290, 570, 670), 60, fill=c)  # jar with jam
    d.rounded_rectangle((255, 300, 545, 360), 20, fill=_mix(c, (255, 255, 255), 0.3))
    d.rounded_rectangle((240, 200, 560, 290), 25, fill=(214, 168, 70))  # lid
    d.pieslice((240, 150, 560, 260), 180, 360, fill=(250, 250, 245))  # cloth
    d.rounded_rectangle((290, 430, 510, 560), 14, fill=(250, 248, 240))  # label
    for x in (350, 400, 450):
        d.ellipse((x - 16, 480, x + 16, 512), fill=c)


def liquorice(d, c):
    _shadow(d, (180, 620, 620, 690))
    d.rounded_rectangle((200, 230, 600, 650), 40, fill=(245, 245, 245))
    d.rounded_rectangle((200, 230, 600, 330), 40, fill=c)
    for i in range(9):
        x, y = 260 + (i % 3) * 110, 380 + (i // 3) * 85
        d.rounded_rectangle((x, y, x + 70, y + 55), 18, fill=c)


def wool_throw(d, c):
    d.rounded_rectangle((150, 260, 650, 600), 30, fill=c)
    d.rounded_rectangle((150, 260, 650, 380), 30, fill=_mix(c, (255, 255, 255), 0.2))
    for x in range(170, 640, 30):
        d.line((x, 600, x, 650), fill=c, width=8)
    for y in range(420, 600, 45):
        d.line((150, y, 650, y), fill=_mix(c, (0, 0, 0), 0.15), width=6)


def candles(d, c):
    _shadow(d, (200, 640, 600, 700))
    for x in (250, 430):
        d.rectangle((x, 300, x + 120, 670), fill=c)
        d.ellipse((x, 280, x + 120, 320), fill=_mix(c, (255, 255, 255), 0.3))
        d.line((x + 60, 300, x + 60, 250), fill=(40, 40, 40), width=6)
        d.ellipse((x + 40, 170, x + 80, 255), fill=(255, 170, 40))
        d.ellipse((x + 50, 200, x + 70, 250), fill=(255, 235, 150))


def vase(d, c):
    _shadow(d, (250, 650, 550, 700))
    d.ellipse((220, 350, 580, 680), fill=c)
    d.rectangle((340, 200, 460, 420), fill=c)
    d.ellipse((320, 180, 480, 230), fill=_mix(c, (0, 0, 0), 0.25))
    d.line((400, 200, 380, 90), fill=(80, 120, 70), width=8)
    d.ellipse((340, 60, 420, 120), fill=(230, 200, 80))


def ebook(d, c):
    d.rounded_rectangle((230, 150, 570, 670), 36, fill=(45, 45, 50))
    d.rectangle((260, 190, 540, 610), fill=c)
    d.rounded_rectangle((300, 250, 500, 300), 10, fill=(255, 255, 255))
    d.ellipse((340, 380, 460, 500), fill=(250, 235, 200))
    d.ellipse((370, 410, 430, 470), fill=_mix(c, (0, 0, 0), 0.3))


def gift_card(d, c):
    _shadow(d, (170, 570, 630, 630))
    d.rounded_rectangle((140, 230, 660, 570), 36, fill=c)
    d.rectangle((140, 370, 660, 420), fill=(250, 215, 90))
    d.rectangle((380, 230, 430, 570), fill=(250, 215, 90))
    d.ellipse((330, 300, 400, 380), outline=(250, 215, 90), width=14)
    d.ellipse((410, 300, 480, 380), outline=(250, 215, 90), width=14)


DRAWINGS = {
    "KIT-001": coffee_pot,
    "KIT-002": cutting_board,
    "KIT-003": tea_towels,
    "KIT-004": skillet,
    "PAN-001": coffee_bag,
    "PAN-002": jam_jar,
    "PAN-003": liquorice,
    "LIV-001": wool_throw,
    "LIV-002": candles,
    "LIV-003": vase,
    "DIG-001": ebook,
    "GC-025": gift_card,
    "GC-050": gift_card,
}


def draw(sku, colour, variant=0):
    """PNG bytes of the demo picture of ``sku`` (``variant`` 1: on its own colour)."""
    c = _rgb(colour)
    background = (246, 244, 240) if variant == 0 else _mix(c, (255, 255, 255), 0.75)
    image = Image.new("RGB", (SIZE, SIZE), background)
    overlay = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    DRAWINGS.get(sku, gift_card)(ImageDraw.Draw(overlay), c)
    image.paste(overlay, (0, 0), overlay)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
