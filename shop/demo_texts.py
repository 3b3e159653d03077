"""The demo catalog's texts in German, Polish and Danish (``seed_demo``), next to the English
names of shop/demo.py: categories, products (name, description), shipping and payment
methods. Filled into the language columns (django-modeltranslation) where they are empty,
so an operator's own translation is never overwritten."""

CATEGORIES = {
    # slug: {language: (name, description)}
    "kitchen": {
        "en": ("Kitchen", "Pots, pans and boards for every day."),
        "de": ("Küche", "Kannen, Pfannen und Bretter für jeden Tag."),
        "pl": ("Kuchnia", "Dzbanki, patelnie i deski na co dzień."),
        "da": ("Køkken", "Kander, pander og brætter til hverdagen."),
    },
    "pantry": {
        "en": ("Pantry", "Coffee, jam and sweets from the north."),
        "de": ("Vorratskammer", "Kaffee, Marmelade und Süßes aus dem Norden."),
        "pl": ("Spiżarnia", "Kawa, dżem i słodycze z północy."),
        "da": ("Spisekammer", "Kaffe, marmelade og slik fra Norden."),
    },
    "living": {
        "en": ("Living", "Blankets, candles and vases for a cosy home."),
        "de": ("Wohnen", "Decken, Kerzen und Vasen für ein gemütliches Zuhause."),
        "pl": ("Dom", "Koce, świece i wazony do przytulnego domu."),
        "da": ("Bolig", "Tæpper, lys og vaser til et hyggeligt hjem."),
    },
    "digital": {
        "en": ("Books & Gift cards", "E-books to download and gift cards to give."),
        "de": ("Bücher & Gutscheine", "E-Books zum Herunterladen und Geschenkgutscheine."),
        "pl": ("Książki i karty podarunkowe", "E-booki do pobrania i karty podarunkowe."),
        "da": ("Bøger & gavekort", "E-bøger til download og gavekort at give væk."),
    },
}

PRODUCTS = {
    # SKU: {language: (name, description)}
    "KIT-001": {
        "en": ("Enamel coffee pot", "A 1.2-litre enamel pot for the stove and the campfire."),
        "de": ("Emaille-Kaffeekanne", "Eine 1,2-Liter-Kanne aus Emaille für Herd und Lagerfeuer."),
        "pl": ("Emaliowany dzbanek do kawy", "Emaliowany dzbanek 1,2 l na kuchenkę i ognisko."),
        "da": ("Emaljekaffekande", "En emaljekande på 1,2 liter til komfur og bål."),
    },
    "KIT-002": {
        "en": ("Oak cutting board", "Solid oak, oiled, with a juice groove."),
        "de": ("Schneidebrett aus Eiche", "Massive Eiche, geölt, mit Saftrille."),
        "pl": ("Deska do krojenia z dębu", "Lity dąb, olejowany, z rowkiem na sok."),
        "da": ("Skærebræt i eg", "Massiv eg, olieret, med saftrille."),
    },
    "KIT-003": {
        "en": ("Linen tea towels (set of 3)", "Three washed-linen towels that dry without lint."),
        "de": ("Geschirrtücher aus Leinen (3 Stück)", "Drei gewaschene Leinentücher, fusselfrei."),
        "pl": ("Lniane ściereczki (3 szt.)", "Trzy prane lniane ściereczki, które nie pylą."),
        "da": ("Viskestykker i hør (3 stk.)", "Tre vaskede hørviskestykker, der ikke fnugger."),
    },
    "KIT-004": {
        "en": ("Cast-iron skillet 26 cm", "Pre-seasoned cast iron for every hob and the oven."),
        "de": ("Gusseisenpfanne 26 cm", "Eingebranntes Gusseisen für jeden Herd und den Ofen."),
        "pl": (
            "Patelnia żeliwna 26 cm",
            "Wstępnie wypalone żeliwo na każdą kuchenkę i do piekarnika.",
        ),
        "da": ("Støbejernspande 26 cm", "Forbehandlet støbejern til alle kogeplader og ovnen."),
    },
    "PAN-001": {
        "en": (
            "Organic filter coffee 500 g",
            "Medium roast from a Hamburg roastery, ground for filters.",
        ),
        "de": (
            "Bio-Filterkaffee 500 g",
            "Mittlere Röstung aus einer Hamburger Rösterei, filterfein.",
        ),
        "pl": (
            "Ekologiczna kawa mielona 500 g",
            "Średnio palona w hamburskiej palarni, mielona do przelewu.",
        ),
        "da": (
            "Økologisk filterkaffe 500 g",
            "Mellemristet fra et risteri i Hamborg, malet til filter.",
        ),
    },
    "PAN-002": {
        "en": ("Nordic berry jam", "Lingonberries and blueberries, 65 % fruit."),
        "de": ("Nordische Beerenmarmelade", "Preiselbeeren und Heidelbeeren, 65 % Frucht."),
        "pl": ("Dżem z leśnych owoców", "Borówki brusznice i jagody, 65 % owoców."),
        "da": ("Nordisk bærmarmelade", "Tyttebær og blåbær, 65 % frugt."),
    },
    "PAN-003": {
        "en": ("Sea-salt liquorice", "Soft liquorice with a pinch of sea salt."),
        "de": ("Lakritz mit Meersalz", "Weiche Lakritze mit einer Prise Meersalz."),
        "pl": ("Lukrecja z solą morską", "Miękka lukrecja ze szczyptą soli morskiej."),
        "da": ("Lakrids med havsalt", "Blød lakrids med et drys havsalt."),
    },
    "LIV-001": {
        "en": ("Wool throw blanket", "Lambswool, 130 × 180 cm, woven in Norway."),
        "de": ("Wolldecke", "Lammwolle, 130 × 180 cm, in Norwegen gewebt."),
        "pl": ("Wełniany koc", "Wełna jagnięca, 130 × 180 cm, tkany w Norwegii."),
        "da": ("Uldplaid", "Lammeuld, 130 × 180 cm, vævet i Norge."),
    },
    "LIV-002": {
        "en": ("Beeswax candles (pair)", "Hand-dipped, burn about eight hours each."),
        "de": ("Bienenwachskerzen (Paar)", "Handgezogen, brennen je etwa acht Stunden."),
        "pl": (
            "Świece z wosku pszczelego (para)",
            "Ręcznie maczane, każda pali się około ośmiu godzin.",
        ),
        "da": ("Bivokslys (par)", "Håndstøbte, brænder cirka otte timer hver."),
    },
    "LIV-003": {
        "en": ("Stoneware vase", "Glazed stoneware, 24 cm high."),
        "de": ("Steinzeugvase", "Glasiertes Steinzeug, 24 cm hoch."),
        "pl": ("Wazon kamionkowy", "Szkliwiona kamionka, wysokość 24 cm."),
        "da": ("Stentøjsvase", "Glaseret stentøj, 24 cm høj."),
    },
    "DIG-001": {
        "en": (
            "Nordic baking e-book",
            "Cinnamon buns, rye bread and cardamom cake: 40 recipes (PDF).",
        ),
        "de": (
            "E-Book Nordisch backen",
            "Zimtschnecken, Roggenbrot und Kardamomkuchen: 40 Rezepte (PDF).",
        ),
        "pl": (
            "E-book Nordyckie wypieki",
            "Cynamonki, chleb żytni i ciasto kardamonowe: 40 przepisów (PDF).",
        ),
        "da": (
            "E-bog Nordisk bagning",
            "Kanelsnegle, rugbrød og kardemommekage: 40 opskrifter (PDF).",
        ),
    },
    "GC-025": {
        "en": ("Gift card 25 EUR", "A gift card worth 25 euros, sent by e-mail."),
        "de": ("Geschenkgutschein 25 EUR", "Ein Gutschein über 25 Euro, per E-Mail."),
        "pl": (
            "Karta podarunkowa 25 EUR",
            "Karta podarunkowa o wartości 25 euro, wysyłana e-mailem.",
        ),
        "da": ("Gavekort 25 EUR", "Et gavekort på 25 euro, sendt på e-mail."),
    },
    "GC-050": {
        "en": ("Gift card 50 EUR", "A gift card worth 50 euros, sent by e-mail."),
        "de": ("Geschenkgutschein 50 EUR", "Ein Gutschein über 50 Euro, per E-Mail."),
        "pl": (
            "Karta podarunkowa 50 EUR",
            "Karta podarunkowa o wartości 50 euro, wysyłana e-mailem.",
        ),
        "da": ("Gavekort 50 EUR", "Et gavekort på 50 euro, sendt på e-mail."),
    },
}

SHIPPING = {
    # English name: {language: (name, description)}
    "DHL Paket": {
        "en": ("DHL Paket", "Delivered in 2–3 working days."),
        "de": ("DHL Paket", "Zustellung in 2–3 Werktagen."),
        "pl": ("DHL Paczka", "Dostawa w ciągu 2–3 dni roboczych."),
        "da": ("DHL Pakke", "Leveret på 2–3 hverdage."),
    },
    "DHL Express": {
        "en": ("DHL Express", "Ordered by 2 pm on a working day, delivered the next day."),
        "de": ("DHL Express", "Bis 14 Uhr an Werktagen bestellt, am nächsten Tag geliefert."),
        "pl": ("DHL Express", "Zamówienie do 14:00 w dzień roboczy, dostawa następnego dnia."),
        "da": ("DHL Express", "Bestilt inden kl. 14 på en hverdag, leveret dagen efter."),
    },
}

PAYMENT = {
    # code: {language: (name, description)}; English in shop/demo.py
    "card": {
        "de": (
            "Kreditkarte",
            "Visa, Mastercard oder American Express – belastet, wenn Ihre Bestellung in Rechnung gestellt wird.",
        ),
        "pl": (
            "Karta kredytowa",
            "Visa, Mastercard lub American Express – obciążenie przy wystawieniu faktury.",
        ),
        "da": (
            "Kreditkort",
            "Visa, Mastercard eller American Express – trækkes, når ordren faktureres.",
        ),
    },
    "prepayment": {
        "de": (
            "Vorkasse (Überweisung)",
            "Überweisen Sie den Betrag nach der Bestellung; wir versenden, sobald er eingegangen ist.",
        ),
        "pl": (
            "Przedpłata (przelew)",
            "Przelej kwotę po złożeniu zamówienia; wysyłamy, gdy tylko wpłynie.",
        ),
        "da": (
            "Forudbetaling (bankoverførsel)",
            "Overfør beløbet efter bestillingen; vi sender, så snart det er modtaget.",
        ),
    },
    "invoice": {
        "de": ("Kauf auf Rechnung", "Zahlen Sie innerhalb von 14 Tagen nach Erhalt der Rechnung."),
        "pl": ("Płatność na fakturę", "Zapłać w ciągu 14 dni od otrzymania faktury."),
        "da": ("Betaling på faktura", "Betal inden for 14 dage efter modtagelse af fakturaen."),
    },
    "cod": {
        "de": ("Nachnahme", "Zahlen Sie bar beim Zusteller, wenn das Paket ankommt."),
        "pl": ("Za pobraniem", "Zapłać kurierowi gotówką przy odbiorze paczki."),
        "da": ("Efterkrav", "Betal budet kontant, når pakken ankommer."),
    },
}

# The demo's other legal pages (the terms are in shop/demo.py).
PRIVACY = {
    "en": "Who is responsible\nNordlicht Handels GmbH, Hafenstraße 12, 20457 Hamburg.\n\n"
    "What we store\nYour name, addresses, e-mail address and orders, to deliver and invoice "
    "them; invoices are kept for ten years as the law requires.\n\n"
    "Your rights\nYou may ask for a copy of your data, its correction or deletion at any time.",
    "de": "Verantwortlicher\nNordlicht Handels GmbH, Hafenstraße 12, 20457 Hamburg.\n\n"
    "Was wir speichern\nIhren Namen, Ihre Adressen, Ihre E-Mail-Adresse und Ihre Bestellungen, "
    "um sie zu liefern und abzurechnen; Rechnungen bewahren wir zehn Jahre auf, wie es das "
    "Gesetz verlangt.\n\n"
    "Ihre Rechte\nSie können jederzeit Auskunft, Berichtigung oder Löschung Ihrer Daten "
    "verlangen.",
    "pl": "Administrator\nNordlicht Handels GmbH, Hafenstraße 12, 20457 Hamburg.\n\n"
    "Co przechowujemy\nImię i nazwisko, adresy, adres e-mail i zamówienia, aby je dostarczyć "
    "i rozliczyć; faktury przechowujemy przez dziesięć lat, jak wymaga prawo.\n\n"
    "Twoje prawa\nW każdej chwili możesz zażądać kopii, sprostowania lub usunięcia danych.",
    "da": "Dataansvarlig\nNordlicht Handels GmbH, Hafenstraße 12, 20457 Hamburg.\n\n"
    "Hvad vi gemmer\nDit navn, dine adresser, din e-mailadresse og dine ordrer for at levere "
    "og fakturere dem; fakturaer opbevares i ti år, som loven kræver.\n\n"
    "Dine rettigheder\nDu kan til enhver tid bede om indsigt, berigtigelse eller sletning af "
    "dine data.",
}

# The products' warnings and safety information (GPSR: in the consumer's language), by SKU;
# the English texts are shop/demo.py's SAFETY.
SAFETY = {
    "KIT-001": {
        "de": "Griff wird heiß: Topflappen verwenden. Nicht für Induktionskochfelder. "
        "Nicht leer erhitzen.",
        "pl": "Uchwyt się nagrzewa: używaj łapki kuchennej. Nie nadaje się na płyty "
        "indukcyjne. Nie podgrzewaj pustego.",
        "da": "Håndtaget bliver varmt: brug en grydelap. Ikke til induktionskogeplader. "
        "Må ikke opvarmes tom.",
    },
    "KIT-004": {
        "de": "Griff wird sehr heiß. Kinder vom Herd fernhalten.",
        "pl": "Uchwyt bardzo się nagrzewa. Trzymaj dzieci z dala od kuchenki.",
        "da": "Håndtaget bliver meget varmt. Hold børn væk fra komfuret.",
    },
    "LIV-002": {
        "de": "Brennende Kerzen nie unbeaufsichtigt lassen. Von Kindern, Haustieren und "
        "allem Brennbaren fernhalten.",
        "pl": "Nigdy nie zostawiaj palącej się świecy bez nadzoru. Trzymaj z dala od dzieci, "
        "zwierząt i wszystkiego, co może się zapalić.",
        "da": "Lad aldrig et brændende lys være uden opsyn. Hold det væk fra børn, kæledyr "
        "og alt, der kan brænde.",
    },
    "LIV-003": {
        "de": "Zerbrechlich. Mit Sprung nicht mehr wasserdicht.",
        "pl": "Kruche. Pęknięte przestaje być wodoszczelne.",
        "da": "Skrøbelig. Ikke vandtæt, når den er revnet.",
    },
    "PAN-002": {
        "de": "Nach dem Öffnen im Kühlschrank aufbewahren und innerhalb von 4 Wochen verzehren.",
        "pl": "Po otwarciu przechowywać w lodówce i spożyć w ciągu 4 tygodni.",
        "da": "Opbevares i køleskab efter åbning og spises inden for 4 uger.",
    },
}
