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
def _notice(*sections):
    """Plain text as the legal pages render it (``linebreaks``): one paragraph per section,
    its title on the first line, each item on a line of its own; "§ 7" never broken apart."""
    return "\n\n".join("\n".join(lines) for lines in sections).replace("§ ", "§\u00a0")


# The demo's privacy notice (GDPR Art. 13), the start of an operator's own: it describes
# what this shop software does with personal data — its retention policy's default periods
# (Backoffice → Shop → Retention policy, for a German seller), the cookies it sets, the
# consents of the checkout and the account's privacy pages. The controller, the data
# protection officer, the recipients (carrier, payment service provider, tax consultant,
# collection agency, hosting) and the supervisory authority are the demo's (Hamburg):
# an operator replaces them with their own, and changes the text when they change a period.
PRIVACY = {
    "en": _notice(
        (
            "1. Who is responsible",
            "Nordlicht Handels GmbH, Hafenstraße 12, 20457 Hamburg, Germany",
            "Managing director: Anna Nordmann",
            "Phone +49 40 1234567, e-mail service@example.com",
        ),
        (
            "2. Data protection officer",
            "You can reach our data protection officer at dpo@example.com or by post at the "
            "address above, marked “Data protection officer”.",
        ),
        (
            "3. Customer account",
            "If you open an account, we store your name, e-mail address, password (only as "
            "a secure hash), language and what you add yourself: phone, company, VAT ID and "
            "addresses. They let you log in, see your orders and fill in the checkout. "
            "Legal basis: Art. 6(1)(b) GDPR (contract).",
        ),
        (
            "4. Orders, delivery and payment",
            "For every order, with or without an account, we process your name, billing "
            "and delivery address, e-mail address, phone number if you give one, the goods "
            "ordered, the payment method and its status and your note to us: to deliver, "
            "invoice and collect payment, to send downloads and gift cards, for "
            "withdrawals, returns and refunds, for your gift-card credit and loyalty "
            "points, and to e-mail you about your order. Legal basis: Art. 6(1)(b) GDPR. "
            "We need your name, address and e-mail address to conclude the contract; "
            "everything else is optional.",
        ),
        (
            "5. Invoices and tax records",
            "Invoices and credit notes, with your name, address and order, must be kept "
            "for tax purposes: Art. 6(1)(c) GDPR with § 147 AO and § 14b UStG.",
        ),
        (
            "6. Customer service",
            "When you write to us (contact form or e-mail), we use your name, e-mail "
            "address and message to answer you: Art. 6(1)(b) GDPR where it concerns an "
            "order, otherwise Art. 6(1)(f) GDPR (our interest in answering your questions).",
        ),
        (
            "7. Reviews",
            "If you write a review, we publish your rating, text and the name you choose "
            "with the product; your e-mail address is never published — we use it to "
            "confirm the review and to tell you whether it was published. Legal basis: "
            "Art. 6(1)(a) GDPR; you can have your review deleted at any time.",
        ),
        (
            "8. What you consent to",
            "Only if you agree (Art. 6(1)(a) GDPR):",
            "– Review requests: one e-mail per order some days after delivery, asking you "
            "to review the products.",
            "– Partner offers: after your order we show offers from partner shops and pass "
            "the order number, the net order value, the currency and a one-way hash of "
            "your e-mail address to our partner network — never your name or address.",
            "– Back-in-stock notices: one e-mail to the address you confirmed when a "
            "sold-out product is available again.",
            "For each consent we keep when you gave it and the text you agreed to. You can "
            "withdraw it at any time with effect for the future (Art. 7(3) GDPR): under My "
            "account → Privacy & consents (/account/privacy/) or with the link in each "
            "e-mail.",
        ),
        (
            "9. Discount codes by e-mail",
            "As our customer you may receive personal discount codes for goods similar to "
            "those you bought (§ 7(3) UWG, Art. 6(1)(f) GDPR). You can object to these "
            "e-mails at any time, at no cost other than the transmission costs at basic "
            "rates: with the link in each such e-mail or under My account → Discount codes "
            "(/account/codes/). Your codes then stay in your account; we only stop "
            "e-mailing them.",
        ),
        (
            "10. Security",
            "To protect your account and our shop against misuse (Art. 6(1)(f) GDPR) we "
            "record failed logins (the e-mail address typed, IP address, browser and time) "
            "and count requests per IP address for a few minutes up to 24 hours (contact "
            "form, reviews, gift-card and discount-code checks). Every time our staff look at your "
            "data we log who, when and why, to prove that your data is handled lawfully "
            "(Art. 6(1)(c) and Art. 5(2), 32 GDPR); your data download shows these entries.",
        ),
        (
            "11. Recipients",
            "We pass your data only to those who need it for the purpose:",
            "– the carrier (DHL): name and delivery address;",
            "– the payment service provider and card network for card payments, and our "
            "bank for refunds: name, amount, order number and, for a refund by transfer, "
            "your bank account;",
            "– our tax consultant: invoices, credit notes and their bookings (DATEV) for "
            "accounting and tax returns, and the tax authorities when they audit us;",
            "– a collection agency, if an invoice stays unpaid after reminders: name, "
            "billing address, order number and open amount (Art. 6(1)(f) GDPR);",
            "– our hosting and e-mail service providers, who process data only on our "
            "instructions (Art. 28 GDPR);",
            "– our partner network, only with your consent (section 8).",
            "We do not sell your data.",
        ),
        (
            "12. Outside the EU",
            "We do not transfer your data to countries outside the EU or the EEA. Only if "
            "you have goods delivered to such a country (e.g. Switzerland) does the carrier "
            "pass your delivery address to its partners there, because the delivery "
            "requires it (Art. 49(1)(b) GDPR); for Switzerland the European Commission has "
            "found the level of protection adequate (Art. 45 GDPR).",
        ),
        (
            "13. How long we keep your data",
            "– Customer account: until you delete it.",
            "– Invoices and credit notes: 8 years from the end of the year of the "
            "document; then your name and address are removed from them and their order.",
            "– Orders without an invoice: 3 years from the end of the year of the order "
            "(limitation period, § 195 BGB); then anonymised.",
            "– Orders as a guest: 2 years after the order (legal guarantee); then "
            "anonymised, the invoice until its own period ends.",
            "– Customer service messages: 3 years after the request is closed.",
            "– Reviews: until you ask us to delete them.",
            "– Copies of the e-mails we sent you: 90 days. Failed logins: 30 days. "
            "Back-in-stock notices: 90 days after the e-mail (unconfirmed ones: 90 days "
            "after the request; ones still waiting: 1 year after the confirmation). Log of "
            "staff access: 2 years.",
            "Proof of a consent is kept with its order.",
        ),
        (
            "14. Your rights",
            "You have the right of access (Art. 15 GDPR), rectification (Art. 16), erasure "
            "(Art. 17), restriction of processing (Art. 18) and data portability (Art. 20). "
            "In your account:",
            "– Download my data (/account/my-data/): everything we store about you, as one "
            "JSON file;",
            "– Profile and Addresses (/account/profile/, /account/addresses/): correct your data;",
            "– Privacy & consents (/account/privacy/): see and withdraw your consents;",
            "– Delete account (/account/delete/): we erase your account and anonymise your "
            "orders; only the invoices keep your name and address until their period ends.",
            "You can also write to our data protection officer (dpo@example.com), who also "
            "hands out the internal notes of our staff about you on request.",
        ),
        (
            "15. Right to object",
            "Where we rely on our legitimate interests (Art. 6(1)(f) GDPR), you may object "
            "at any time on grounds relating to your particular situation (Art. 21 GDPR). "
            "You may object to e-mails with discount codes at any time without giving "
            "reasons.",
        ),
        (
            "16. Right to complain",
            "You may complain to a data protection supervisory authority, in particular in "
            "the EU country where you live or work (Art. 77 GDPR). The authority "
            "responsible for us: Der Hamburgische Beauftragte für Datenschutz und "
            "Informationsfreiheit, Ludwig-Erhard-Straße 22, 20459 Hamburg, Germany.",
        ),
        (
            "17. Cookies",
            "We set only the cookies the shop needs to work, which require no consent "
            "(§ 25(2) no. 2 TDDDG):",
            "– sessionid: your shopping cart and your login; 14 days;",
            "– csrftoken: protects forms against forgery; 1 year;",
            "– django_language: the language you chose; until you close the browser.",
            "We use no analytics or advertising cookies and load nothing from other "
            "servers, except the partner offers you agreed to (section 8): they run in a "
            "separate frame that cannot read our cookies.",
        ),
        (
            "18. Automated decisions",
            "We make no automated decisions within the meaning of Art. 22 GDPR and do not "
            "profile you. Pay on invoice and cash on delivery are offered to customers with "
            "an account while their unpaid orders stay below a limit; all other payment "
            "methods remain open to you.",
        ),
    ),
    "de": _notice(
        (
            "1. Verantwortlicher",
            "Nordlicht Handels GmbH, Hafenstraße 12, 20457 Hamburg, Deutschland",
            "Geschäftsführerin: Anna Nordmann",
            "Telefon +49 40 1234567, E-Mail service@example.com",
        ),
        (
            "2. Datenschutzbeauftragter",
            "Unseren Datenschutzbeauftragten erreichen Sie unter dpo@example.com oder per "
            "Post unter der obigen Anschrift mit dem Zusatz „Datenschutzbeauftragter“.",
        ),
        (
            "3. Kundenkonto",
            "Wenn Sie ein Kundenkonto anlegen, speichern wir Ihren Namen, Ihre "
            "E-Mail-Adresse, Ihr Passwort (nur als sicheren Hash), Ihre Sprache und was Sie "
            "selbst ergänzen: Telefonnummer, Firma, USt-IdNr. und Adressen. Damit können Sie "
            "sich anmelden, Ihre Bestellungen einsehen und schneller bestellen. "
            "Rechtsgrundlage: Art. 6 Abs. 1 lit. b DSGVO (Vertrag).",
        ),
        (
            "4. Bestellung, Lieferung und Zahlung",
            "Für jede Bestellung – mit oder ohne Kundenkonto – verarbeiten wir Ihren Namen, "
            "Ihre Rechnungs- und Lieferadresse, Ihre E-Mail-Adresse, Ihre Telefonnummer, "
            "falls angegeben, die bestellten Waren, die Zahlungsart und ihren Stand sowie "
            "Ihre Nachricht an uns: um zu liefern, abzurechnen und die Zahlung einzuziehen, "
            "Downloads und Geschenkgutscheine zu versenden, Widerrufe, Rücksendungen und "
            "Erstattungen abzuwickeln, Ihr Kundenguthaben und Ihre Treuepunkte zu führen und "
            "Ihnen E-Mails zu Ihrer Bestellung zu senden. Rechtsgrundlage: Art. 6 Abs. 1 "
            "lit. b DSGVO. Name, Anschrift und E-Mail-Adresse benötigen wir für den "
            "Vertragsschluss; alle anderen Angaben sind freiwillig.",
        ),
        (
            "5. Rechnungen und Steuerunterlagen",
            "Rechnungen und Rechnungskorrekturen mit Ihrem Namen, Ihrer Anschrift und Ihrer "
            "Bestellung müssen wir aus steuerlichen Gründen aufbewahren: Art. 6 Abs. 1 "
            "lit. c DSGVO i. V. m. § 147 AO und § 14b UStG.",
        ),
        (
            "6. Kundenservice",
            "Wenn Sie uns schreiben (Kontaktformular oder E-Mail), verwenden wir Ihren "
            "Namen, Ihre E-Mail-Adresse und Ihre Nachricht, um Ihnen zu antworten: Art. 6 "
            "Abs. 1 lit. b DSGVO, wenn es um eine Bestellung geht, sonst Art. 6 Abs. 1 "
            "lit. f DSGVO (unser Interesse, Ihre Fragen zu beantworten).",
        ),
        (
            "7. Bewertungen",
            "Wenn Sie eine Bewertung schreiben, veröffentlichen wir Ihre Sterne, Ihren Text "
            "und den von Ihnen gewählten Namen beim Produkt; Ihre E-Mail-Adresse wird nie "
            "veröffentlicht – wir nutzen sie, um die Bewertung zu bestätigen und Ihnen "
            "mitzuteilen, ob sie veröffentlicht wurde. Rechtsgrundlage: Art. 6 Abs. 1 "
            "lit. a DSGVO; Sie können Ihre Bewertung jederzeit löschen lassen.",
        ),
        (
            "8. Ihre Einwilligungen",
            "Nur wenn Sie zustimmen (Art. 6 Abs. 1 lit. a DSGVO):",
            "– Bewertungsanfragen: eine E-Mail pro Bestellung einige Tage nach der "
            "Lieferung mit der Bitte, die Produkte zu bewerten.",
            "– Partnerangebote: Nach Ihrer Bestellung zeigen wir Angebote von Partnershops "
            "und übermitteln unserem Partnernetzwerk die Bestellnummer, den "
            "Nettobestellwert, die Währung und einen Einweg-Hash Ihrer E-Mail-Adresse – "
            "niemals Ihren Namen oder Ihre Anschrift.",
            "– Benachrichtigung bei Verfügbarkeit: eine E-Mail an die von Ihnen bestätigte "
            "Adresse, sobald ein ausverkauftes Produkt wieder lieferbar ist.",
            "Zu jeder Einwilligung speichern wir, wann Sie sie erteilt haben und welchem "
            "Text Sie zugestimmt haben. Sie können sie jederzeit mit Wirkung für die "
            "Zukunft widerrufen (Art. 7 Abs. 3 DSGVO): unter Mein Konto → Datenschutz & "
            "Einwilligungen (/account/privacy/) oder über den Link in jeder E-Mail.",
        ),
        (
            "9. Rabattcodes per E-Mail",
            "Als Kunde erhalten Sie von uns möglicherweise persönliche Rabattcodes für "
            "Waren, die den von Ihnen gekauften ähnlich sind (§ 7 Abs. 3 UWG, Art. 6 Abs. 1 "
            "lit. f DSGVO). Sie können diesen E-Mails jederzeit widersprechen, ohne dass "
            "hierfür andere als die Übermittlungskosten nach den Basistarifen entstehen: "
            "über den Link in jeder dieser E-Mails oder unter Mein Konto → Rabattcodes "
            "(/account/codes/). Ihre Codes bleiben dann in Ihrem Konto; wir senden sie Ihnen "
            "nur nicht mehr per E-Mail.",
        ),
        (
            "10. Sicherheit",
            "Um Ihr Konto und unseren Shop vor Missbrauch zu schützen (Art. 6 Abs. 1 lit. f "
            "DSGVO), speichern wir fehlgeschlagene Anmeldungen (eingegebene E-Mail-Adresse, "
            "IP-Adresse, Browser und Zeitpunkt) und zählen Anfragen je IP-Adresse für "
            "einige Minuten bis höchstens 24 Stunden (Kontaktformular, Bewertungen, "
            "Abfragen von Geschenkgutscheinen und Rabattcodes). Jedes Mal, wenn unsere "
            "Mitarbeitenden Ihre Daten ansehen, protokollieren wir, wer, wann und wozu – als "
            "Nachweis des rechtmäßigen Umgangs mit Ihren Daten (Art. 6 Abs. 1 lit. c i. V. m. "
            "Art. 5 Abs. 2, Art. 32 DSGVO); Ihr Datendownload zeigt diese Einträge.",
        ),
        (
            "11. Empfänger",
            "Wir geben Ihre Daten nur an diejenigen weiter, die sie für den jeweiligen Zweck "
            "benötigen:",
            "– das Versandunternehmen (DHL): Name und Lieferadresse;",
            "– den Zahlungsdienstleister und das Kartennetz bei Kartenzahlung sowie unsere "
            "Bank bei Erstattungen: Name, Betrag, Bestellnummer und bei einer Erstattung "
            "per Überweisung Ihre Bankverbindung;",
            "– unsere Steuerberatung: Rechnungen, Rechnungskorrekturen und deren Buchungen "
            "(DATEV) für Buchführung und Steuererklärungen, sowie die Finanzbehörden bei "
            "einer Prüfung;",
            "– ein Inkassounternehmen, wenn eine Rechnung trotz Mahnung unbezahlt bleibt: "
            "Name, Rechnungsadresse, Bestellnummer und offener Betrag (Art. 6 Abs. 1 lit. f "
            "DSGVO);",
            "– unsere Hosting- und E-Mail-Dienstleister, die Daten nur nach unserer Weisung "
            "verarbeiten (Art. 28 DSGVO);",
            "– unser Partnernetzwerk nur mit Ihrer Einwilligung (Abschnitt 8).",
            "Wir verkaufen Ihre Daten nicht.",
        ),
        (
            "12. Übermittlung außerhalb der EU",
            "Wir übermitteln Ihre Daten nicht in Länder außerhalb der EU oder des EWR. Nur "
            "wenn Sie Waren in ein solches Land liefern lassen (z. B. in die Schweiz), gibt "
            "das Versandunternehmen Ihre Lieferadresse an seine Partner dort weiter, weil "
            "die Zustellung es erfordert (Art. 49 Abs. 1 lit. b DSGVO); für die Schweiz hat "
            "die Europäische Kommission ein angemessenes Schutzniveau festgestellt (Art. 45 "
            "DSGVO).",
        ),
        (
            "13. Speicherdauer",
            "– Kundenkonto: bis Sie es löschen.",
            "– Rechnungen und Rechnungskorrekturen: 8 Jahre ab dem Ende des Jahres, in dem "
            "sie ausgestellt wurden; danach werden Ihr Name und Ihre Anschrift daraus und "
            "aus der Bestellung entfernt.",
            "– Bestellungen ohne Rechnung: 3 Jahre ab dem Ende des Bestelljahres "
            "(Verjährungsfrist, § 195 BGB); danach anonymisiert.",
            "– Bestellungen als Gast: 2 Jahre nach der Bestellung (gesetzliche "
            "Gewährleistung); danach anonymisiert, die Rechnung erst nach Ablauf ihrer "
            "eigenen Frist.",
            "– Nachrichten an den Kundenservice: 3 Jahre nach Abschluss der Anfrage.",
            "– Bewertungen: bis Sie ihre Löschung verlangen.",
            "– Kopien der E-Mails, die wir Ihnen gesendet haben: 90 Tage. Fehlgeschlagene "
            "Anmeldungen: 30 Tage. Benachrichtigungen bei Verfügbarkeit: 90 Tage nach der "
            "E-Mail (unbestätigte: 90 Tage nach der Anfrage; noch wartende: 1 Jahr nach der "
            "Bestätigung). Protokoll der Zugriffe unserer "
            "Mitarbeitenden: 2 Jahre.",
            "Der Nachweis einer Einwilligung wird mit der Bestellung aufbewahrt.",
        ),
        (
            "14. Ihre Rechte",
            "Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), "
            "Löschung (Art. 17), Einschränkung der Verarbeitung (Art. 18) und "
            "Datenübertragbarkeit (Art. 20). In Ihrem Kundenkonto:",
            "– Meine Daten herunterladen (/account/my-data/): alles, was wir über Sie "
            "speichern, als eine JSON-Datei;",
            "– Profil und Adressen (/account/profile/, /account/addresses/): Ihre Daten "
            "berichtigen;",
            "– Datenschutz & Einwilligungen (/account/privacy/): Ihre Einwilligungen "
            "einsehen und widerrufen;",
            "– Konto löschen (/account/delete/): Wir löschen Ihr Konto und anonymisieren "
            "Ihre Bestellungen; nur die Rechnungen behalten Ihren Namen und Ihre Anschrift "
            "bis zum Ende ihrer Aufbewahrungsfrist.",
            "Sie können sich auch an unseren Datenschutzbeauftragten wenden "
            "(dpo@example.com); dort erhalten Sie auf Anfrage auch die internen Notizen "
            "unserer Mitarbeitenden zu Ihnen.",
        ),
        (
            "15. Widerspruchsrecht",
            "Soweit wir uns auf berechtigte Interessen stützen (Art. 6 Abs. 1 lit. f "
            "DSGVO), können Sie jederzeit aus Gründen, die sich aus Ihrer besonderen "
            "Situation ergeben, widersprechen (Art. 21 DSGVO). E-Mails mit Rabattcodes "
            "können Sie jederzeit ohne Angabe von Gründen widersprechen.",
        ),
        (
            "16. Beschwerderecht",
            "Sie können sich bei einer Datenschutz-Aufsichtsbehörde beschweren, "
            "insbesondere in dem EU-Staat, in dem Sie wohnen oder arbeiten (Art. 77 DSGVO). "
            "Für uns zuständig ist: Der Hamburgische Beauftragte für Datenschutz und "
            "Informationsfreiheit, Ludwig-Erhard-Straße 22, 20459 Hamburg.",
        ),
        (
            "17. Cookies",
            "Wir setzen nur Cookies, die für den Betrieb des Shops unbedingt erforderlich "
            "sind und keiner Einwilligung bedürfen (§ 25 Abs. 2 Nr. 2 TDDDG):",
            "– sessionid: Ihr Warenkorb und Ihre Anmeldung; 14 Tage;",
            "– csrftoken: schützt Formulare vor Fälschung; 1 Jahr;",
            "– django_language: die von Ihnen gewählte Sprache; bis Sie den Browser schließen.",
            "Wir verwenden keine Analyse- oder Werbe-Cookies und laden nichts von fremden "
            "Servern – außer Partnerangeboten, denen Sie zugestimmt haben (Abschnitt 8): "
            "Diese laufen in einem abgeschotteten Rahmen, der unsere Cookies nicht lesen "
            "kann.",
        ),
        (
            "18. Automatisierte Entscheidungen",
            "Wir treffen keine automatisierten Entscheidungen im Sinne von Art. 22 DSGVO "
            "und erstellen kein Profil von Ihnen. Kauf auf Rechnung und Nachnahme bieten wir "
            "Kunden mit Kundenkonto an, solange deren unbezahlte Bestellungen unter einem "
            "Höchstbetrag bleiben; alle anderen Zahlungsarten stehen Ihnen weiter offen.",
        ),
    ),
    "pl": _notice(
        (
            "1. Administrator danych",
            "Nordlicht Handels GmbH, Hafenstraße 12, 20457 Hamburg, Niemcy",
            "Zarząd: Anna Nordmann",
            "Telefon +49 40 1234567, e-mail service@example.com",
        ),
        (
            "2. Inspektor ochrony danych",
            "Z naszym inspektorem ochrony danych skontaktujesz się pod adresem "
            "dpo@example.com lub listownie na powyższy adres z dopiskiem „Inspektor ochrony "
            "danych”.",
        ),
        (
            "3. Konto klienta",
            "Jeśli założysz konto, przechowujemy Twoje imię i nazwisko, adres e-mail, hasło "
            "(wyłącznie w postaci bezpiecznego skrótu), język oraz dane, które dodasz: "
            "telefon, firmę, numer VAT UE i adresy. Dzięki nim możesz się logować, "
            "przeglądać swoje zamówienia i szybciej składać kolejne. Podstawa prawna: art. 6 "
            "ust. 1 lit. b RODO (umowa).",
        ),
        (
            "4. Zamówienia, dostawa i płatność",
            "Przy każdym zamówieniu – z kontem lub bez – przetwarzamy Twoje imię i nazwisko, "
            "adres rozliczeniowy i adres dostawy, adres e-mail, numer telefonu (jeśli go "
            "podasz), zamówione towary, formę płatności i jej status oraz Twoją wiadomość "
            "do nas: aby dostarczyć towar, wystawić fakturę i pobrać płatność, wysłać pliki "
            "do pobrania i karty podarunkowe, obsłużyć odstąpienia od umowy, zwroty i "
            "refundacje, prowadzić Twoje środki na koncie i punkty lojalnościowe oraz "
            "wysyłać Ci e-maile dotyczące zamówienia. Podstawa prawna: art. 6 ust. 1 lit. b "
            "RODO. Imię i nazwisko, adres i adres e-mail są niezbędne do zawarcia umowy; "
            "pozostałe dane podajesz dobrowolnie.",
        ),
        (
            "5. Faktury i dokumentacja podatkowa",
            "Faktury i faktury korygujące z Twoim imieniem i nazwiskiem, adresem i "
            "zamówieniem musimy przechowywać ze względów podatkowych: art. 6 ust. 1 lit. c "
            "RODO w związku z § 147 AO i § 14b UStG (niemieckie przepisy podatkowe).",
        ),
        (
            "6. Obsługa klienta",
            "Gdy do nas piszesz (formularz kontaktowy lub e-mail), wykorzystujemy Twoje imię "
            "i nazwisko, adres e-mail i wiadomość, aby Ci odpowiedzieć: art. 6 ust. 1 "
            "lit. b RODO, jeśli sprawa dotyczy zamówienia, a w pozostałych przypadkach "
            "art. 6 ust. 1 lit. f RODO (nasz prawnie uzasadniony interes w odpowiadaniu na "
            "pytania).",
        ),
        (
            "7. Opinie",
            "Jeśli napiszesz opinię, publikujemy przy produkcie Twoją ocenę, tekst i "
            "wybrane przez Ciebie imię; Twojego adresu e-mail nigdy nie publikujemy – "
            "używamy go, aby potwierdzić opinię i poinformować Cię, czy została "
            "opublikowana. Podstawa prawna: art. 6 ust. 1 lit. a RODO; w każdej chwili "
            "możesz zażądać usunięcia opinii.",
        ),
        (
            "8. Twoje zgody",
            "Tylko za Twoją zgodą (art. 6 ust. 1 lit. a RODO):",
            "– Prośby o opinię: jeden e-mail na zamówienie kilka dni po dostawie z prośbą "
            "o ocenę produktów.",
            "– Oferty partnerów: po złożeniu zamówienia pokazujemy oferty sklepów "
            "partnerskich i przekazujemy naszej sieci partnerskiej numer zamówienia, "
            "wartość netto zamówienia, walutę i jednokierunkowy skrót (hash) Twojego adresu "
            "e-mail – nigdy imienia, nazwiska ani adresu.",
            "– Powiadomienia o dostępności: jeden e-mail na potwierdzony przez Ciebie "
            "adres, gdy wyprzedany produkt znów będzie dostępny.",
            "Dla każdej zgody zapisujemy, kiedy jej udzielono i na jaki tekst. Możesz ją w "
            "każdej chwili wycofać ze skutkiem na przyszłość (art. 7 ust. 3 RODO): w Moje "
            "konto → Prywatność i zgody (/account/privacy/) lub za pomocą linku w każdym "
            "e-mailu.",
        ),
        (
            "9. Kody rabatowe e-mailem",
            "Ponieważ robisz u nas zakupy, możesz otrzymywać osobiste kody rabatowe na "
            "towary podobne do kupionych (§ 7 ust. 3 UWG, art. 6 ust. 1 lit. f RODO). "
            "W każdej chwili możesz sprzeciwić się tym e-mailom, bez kosztów innych niż "
            "koszty przesyłu według podstawowych stawek: za pomocą linku w każdym takim "
            "e-mailu lub w Moje konto → Kody rabatowe (/account/codes/). Twoje kody "
            "pozostaną wtedy na koncie; przestaniemy tylko wysyłać je e-mailem.",
        ),
        (
            "10. Bezpieczeństwo",
            "Aby chronić Twoje konto i nasz sklep przed nadużyciami (art. 6 ust. 1 lit. f "
            "RODO), zapisujemy nieudane logowania (wpisany adres e-mail, adres IP, "
            "przeglądarkę i czas) i liczymy zapytania z każdego adresu IP przez kilka minut, "
            "najwyżej przez 24 godziny (formularz kontaktowy, opinie, sprawdzanie kart "
            "podarunkowych i kodów rabatowych). Za każdym razem, gdy nasz personel "
            "przegląda Twoje dane, rejestrujemy, kto, kiedy i w jakim celu to robi, aby "
            "wykazać zgodne z prawem przetwarzanie (art. 6 ust. 1 lit. c w związku z art. 5 "
            "ust. 2 i art. 32 RODO); te wpisy znajdziesz w pobranych danych.",
        ),
        (
            "11. Odbiorcy",
            "Przekazujemy Twoje dane tylko tym, którzy potrzebują ich do danego celu:",
            "– firmie kurierskiej (DHL): imię i nazwisko oraz adres dostawy;",
            "– dostawcy usług płatniczych i organizacji kartowej przy płatności kartą oraz "
            "naszemu bankowi przy zwrocie pieniędzy: imię i nazwisko, kwotę, numer "
            "zamówienia, a przy zwrocie przelewem – numer Twojego rachunku;",
            "– naszemu doradcy podatkowemu: faktury, faktury korygujące i ich księgowania "
            "(DATEV) na potrzeby księgowości i deklaracji podatkowych, a także organom "
            "podatkowym podczas kontroli;",
            "– firmie windykacyjnej, jeśli faktura pozostaje niezapłacona mimo upomnień: "
            "imię i nazwisko, adres rozliczeniowy, numer zamówienia i kwotę zaległości "
            "(art. 6 ust. 1 lit. f RODO);",
            "– naszym dostawcom hostingu i poczty e-mail, którzy przetwarzają dane wyłącznie "
            "na nasze polecenie (art. 28 RODO);",
            "– naszej sieci partnerskiej – tylko za Twoją zgodą (punkt 8).",
            "Nie sprzedajemy Twoich danych.",
        ),
        (
            "12. Przekazywanie poza UE",
            "Nie przekazujemy Twoich danych do państw spoza UE ani EOG. Tylko gdy zamawiasz "
            "dostawę do takiego państwa (np. do Szwajcarii), firma kurierska przekazuje "
            "Twój adres dostawy swoim partnerom w tym państwie, ponieważ wymaga tego "
            "doręczenie (art. 49 ust. 1 lit. b RODO); w przypadku Szwajcarii Komisja "
            "Europejska stwierdziła odpowiedni stopień ochrony (art. 45 RODO).",
        ),
        (
            "13. Jak długo przechowujemy dane",
            "– Konto klienta: do czasu, gdy je usuniesz.",
            "– Faktury i faktury korygujące: 8 lat od końca roku ich wystawienia; następnie "
            "usuwamy z nich i z zamówienia Twoje imię, nazwisko i adres.",
            "– Zamówienia bez faktury: 3 lata od końca roku złożenia zamówienia "
            "(przedawnienie roszczeń, § 195 BGB); następnie je anonimizujemy.",
            "– Zamówienia złożone bez konta: 2 lata od zamówienia (ustawowa odpowiedzialność "
            "za zgodność towaru z umową); następnie je anonimizujemy, a fakturę dopiero po "
            "upływie jej własnego okresu.",
            "– Wiadomości do obsługi klienta: 3 lata od zamknięcia sprawy.",
            "– Opinie: do czasu, gdy zażądasz ich usunięcia.",
            "– Kopie wysłanych do Ciebie e-maili: 90 dni. Nieudane logowania: 30 dni. "
            "Powiadomienia o dostępności: 90 dni po wysłaniu e-maila (niepotwierdzone: 90 "
            "dni od zgłoszenia; wciąż oczekujące: 1 rok od potwierdzenia). Rejestr dostępu "
            "naszego personelu: 2 lata.",
            "Dowód udzielenia zgody przechowujemy razem z zamówieniem.",
        ),
        (
            "14. Twoje prawa",
            "Masz prawo dostępu do danych (art. 15 RODO), ich sprostowania (art. 16), "
            "usunięcia (art. 17), ograniczenia przetwarzania (art. 18) i przenoszenia "
            "(art. 20). Na swoim koncie:",
            "– Pobierz moje dane (/account/my-data/): wszystko, co o Tobie przechowujemy, w "
            "jednym pliku JSON;",
            "– Profil i Adresy (/account/profile/, /account/addresses/): popraw swoje dane;",
            "– Prywatność i zgody (/account/privacy/): sprawdź i wycofaj swoje zgody;",
            "– Usuń konto (/account/delete/): usuwamy Twoje konto i anonimizujemy "
            "zamówienia; tylko faktury zachowują Twoje imię, nazwisko i adres do końca "
            "okresu przechowywania.",
            "Możesz też napisać do naszego inspektora ochrony danych (dpo@example.com); na "
            "żądanie otrzymasz tam również wewnętrzne notatki naszego personelu na Twój "
            "temat.",
        ),
        (
            "15. Prawo sprzeciwu",
            "Jeśli opieramy się na prawnie uzasadnionym interesie (art. 6 ust. 1 lit. f "
            "RODO), możesz w każdej chwili wnieść sprzeciw z przyczyn związanych z Twoją "
            "szczególną sytuacją (art. 21 RODO). Sprzeciw wobec e-maili z kodami rabatowymi "
            "możesz wnieść w każdej chwili bez podawania przyczyny.",
        ),
        (
            "16. Prawo do skargi",
            "Możesz wnieść skargę do organu nadzorczego ds. ochrony danych, w szczególności "
            "w państwie UE, w którym mieszkasz lub pracujesz (art. 77 RODO) – w Polsce do "
            "Prezesa Urzędu Ochrony Danych Osobowych, ul. Stawki 2, 00-193 Warszawa. Organ "
            "właściwy dla nas: Der Hamburgische Beauftragte für Datenschutz und "
            "Informationsfreiheit, Ludwig-Erhard-Straße 22, 20459 Hamburg, Niemcy.",
        ),
        (
            "17. Pliki cookie",
            "Używamy wyłącznie plików cookie niezbędnych do działania sklepu, które nie "
            "wymagają zgody (§ 25 ust. 2 pkt 2 niemieckiej ustawy TDDDG):",
            "– sessionid: Twój koszyk i logowanie; 14 dni;",
            "– csrftoken: chroni formularze przed sfałszowaniem; 1 rok;",
            "– django_language: wybrany przez Ciebie język; do zamknięcia przeglądarki.",
            "Nie używamy plików cookie analitycznych ani reklamowych i niczego nie ładujemy "
            "z cudzych serwerów – poza ofertami partnerów, na które się zgodzisz (punkt 8): "
            "działają one w odizolowanej ramce, która nie może odczytać naszych plików "
            "cookie.",
        ),
        (
            "18. Zautomatyzowane decyzje",
            "Nie podejmujemy zautomatyzowanych decyzji w rozumieniu art. 22 RODO i nie "
            "profilujemy Cię. Płatność na fakturę i za pobraniem oferujemy osobom "
            "posiadającym konto, dopóki ich niezapłacone zamówienia nie przekroczą limitu; "
            "wszystkie pozostałe formy płatności pozostają dla Ciebie dostępne.",
        ),
    ),
    "da": _notice(
        (
            "1. Dataansvarlig",
            "Nordlicht Handels GmbH, Hafenstraße 12, 20457 Hamburg, Tyskland",
            "Administrerende direktør: Anna Nordmann",
            "Telefon +49 40 1234567, e-mail service@example.com",
        ),
        (
            "2. Databeskyttelsesrådgiver",
            "Du kan kontakte vores databeskyttelsesrådgiver på dpo@example.com eller med "
            "post på adressen ovenfor, mærket „Databeskyttelsesrådgiver“.",
        ),
        (
            "3. Kundekonto",
            "Hvis du opretter en konto, gemmer vi dit navn, din e-mailadresse, din "
            "adgangskode (kun som en sikker hashværdi), dit sprog og det, du selv tilføjer: "
            "telefon, firma, momsnummer og adresser. Med dem kan du logge ind, se dine "
            "ordrer og bestille hurtigere. Retsgrundlag: GDPR art. 6, stk. 1, litra b "
            "(kontrakt).",
        ),
        (
            "4. Ordrer, levering og betaling",
            "For hver ordre – med eller uden konto – behandler vi dit navn, din faktura- og "
            "leveringsadresse, din e-mailadresse, dit telefonnummer, hvis du oplyser det, "
            "de bestilte varer, betalingsmåden og dens status og din besked til os: for at "
            "levere, fakturere og opkræve betaling, sende downloads og gavekort, håndtere "
            "fortrydelse, returneringer og refusioner, føre dit tilgodehavende og dine "
            "bonuspoint og sende dig e-mails om din ordre. Retsgrundlag: GDPR art. 6, "
            "stk. 1, litra b. Vi skal bruge dit navn, din adresse og din e-mailadresse for "
            "at indgå aftalen; alt andet er frivilligt.",
        ),
        (
            "5. Fakturaer og skatteregnskab",
            "Fakturaer og kreditnotaer med dit navn, din adresse og din ordre skal vi "
            "opbevare af skattemæssige grunde: GDPR art. 6, stk. 1, litra c, jf. § 147 AO og "
            "§ 14b UStG (tysk skattelovgivning).",
        ),
        (
            "6. Kundeservice",
            "Når du skriver til os (kontaktformular eller e-mail), bruger vi dit navn, din "
            "e-mailadresse og din besked til at svare dig: GDPR art. 6, stk. 1, litra b, "
            "hvis det drejer sig om en ordre, ellers litra f (vores interesse i at besvare "
            "dine spørgsmål).",
        ),
        (
            "7. Anmeldelser",
            "Hvis du skriver en anmeldelse, offentliggør vi din bedømmelse, din tekst og det "
            "navn, du vælger, ved produktet; din e-mailadresse bliver aldrig offentliggjort "
            "– vi bruger den til at bekræfte anmeldelsen og fortælle dig, om den er blevet "
            "offentliggjort. Retsgrundlag: GDPR art. 6, stk. 1, litra a; du kan til enhver "
            "tid få din anmeldelse slettet.",
        ),
        (
            "8. Det, du giver samtykke til",
            "Kun hvis du siger ja (GDPR art. 6, stk. 1, litra a):",
            "– Anmodninger om anmeldelser: én e-mail pr. ordre nogle dage efter leveringen, "
            "hvor vi beder dig anmelde produkterne.",
            "– Partnertilbud: efter din ordre viser vi tilbud fra partnerbutikker og "
            "videregiver ordrenummeret, ordrens nettoværdi, valutaen og en envejs-hashværdi "
            "af din e-mailadresse til vores partnernetværk – aldrig dit navn eller din "
            "adresse.",
            "– Besked, når en vare er på lager igen: én e-mail til den adresse, du har "
            "bekræftet, når et udsolgt produkt kan købes igen.",
            "For hvert samtykke gemmer vi, hvornår du gav det, og hvilken tekst du sagde ja "
            "til. Du kan til enhver tid trække det tilbage med virkning for fremtiden (GDPR "
            "art. 7, stk. 3): under Min konto → Privatliv og samtykker (/account/privacy/) "
            "eller med linket i hver e-mail.",
        ),
        (
            "9. Rabatkoder på e-mail",
            "Som kunde hos os kan du få personlige rabatkoder på varer, der ligner dem, du "
            "har købt (§ 7, stk. 3, i den tyske UWG, GDPR art. 6, stk. 1, litra f). Du kan "
            "til enhver tid frabede dig disse e-mails uden andre omkostninger end "
            "transmissionsomkostningerne efter basistakster: med linket i hver af disse "
            "e-mails eller under Min konto → Rabatkoder (/account/codes/). Dine koder bliver "
            "så i din konto; vi holder blot op med at sende dem på e-mail.",
        ),
        (
            "10. Sikkerhed",
            "For at beskytte din konto og vores butik mod misbrug (GDPR art. 6, stk. 1, "
            "litra f) registrerer vi mislykkede login (den indtastede e-mailadresse, "
            "IP-adresse, browser og tidspunkt) og tæller forespørgsler pr. IP-adresse i "
            "nogle minutter og højst 24 timer (kontaktformular, anmeldelser, opslag af "
            "gavekort og rabatkoder). Hver gang vores medarbejdere ser dine data, logger vi "
            "hvem, hvornår og hvorfor, så vi kan dokumentere, at dine data behandles lovligt "
            "(GDPR art. 6, stk. 1, litra c, jf. art. 5, stk. 2, og art. 32); du kan se "
            "disse registreringer, når du downloader dine data.",
        ),
        (
            "11. Modtagere",
            "Vi videregiver kun dine data til dem, der har brug for dem til formålet:",
            "– fragtfirmaet (DHL): navn og leveringsadresse;",
            "– betalingstjenesteudbyderen og kortnetværket ved kortbetaling og vores bank "
            "ved refusioner: navn, beløb, ordrenummer og ved refusion via bankoverførsel dit "
            "kontonummer;",
            "– vores revisor: fakturaer, kreditnotaer og deres posteringer "
            "(DATEV) til bogføring og skatteindberetning samt skattemyndighederne ved en "
            "kontrol;",
            "– et inkassofirma, hvis en faktura forbliver ubetalt trods rykkere: navn, "
            "faktureringsadresse, ordrenummer og udestående beløb (GDPR art. 6, stk. 1, "
            "litra f);",
            "– vores hosting- og e-mailudbydere, som kun behandler data efter vores instruks "
            "(GDPR art. 28);",
            "– vores partnernetværk, kun med dit samtykke (afsnit 8).",
            "Vi sælger ikke dine data.",
        ),
        (
            "12. Uden for EU",
            "Vi overfører ikke dine data til lande uden for EU eller EØS. Kun hvis du får "
            "varer leveret til et sådant land (f.eks. Schweiz), videregiver fragtfirmaet din "
            "leveringsadresse til sine samarbejdspartnere dér, fordi leveringen kræver det "
            "(GDPR art. 49, stk. 1, litra b); for Schweiz har Europa-Kommissionen fastslået, "
            "at beskyttelsesniveauet er tilstrækkeligt (GDPR art. 45).",
        ),
        (
            "13. Hvor længe vi gemmer dine data",
            "– Kundekonto: indtil du sletter den.",
            "– Fakturaer og kreditnotaer: 8 år fra udgangen af det år, de er udstedt; "
            "derefter fjernes dit navn og din adresse fra dem og fra ordren.",
            "– Ordrer uden faktura: 3 år fra udgangen af det år, ordren blev afgivet "
            "(forældelsesfrist, § 195 BGB); derefter anonymiseres de.",
            "– Ordrer som gæst: 2 år efter ordren (lovpligtig reklamationsret); derefter "
            "anonymiseres de, fakturaen dog først, når dens egen frist udløber.",
            "– Beskeder til kundeservice: 3 år efter at henvendelsen er afsluttet.",
            "– Anmeldelser: indtil du beder os slette dem.",
            "– Kopier af de e-mails, vi har sendt dig: 90 dage. Mislykkede login: 30 dage. "
            "Besked om varer på lager igen: 90 dage efter e-mailen (ubekræftede: 90 dage "
            "efter anmodningen; stadig ventende: 1 år efter bekræftelsen). Log over "
            "medarbejdernes adgang: 2 år.",
            "Dokumentationen for et samtykke opbevares sammen med ordren.",
        ),
        (
            "14. Dine rettigheder",
            "Du har ret til indsigt (GDPR art. 15), berigtigelse (art. 16), sletning "
            "(art. 17), begrænsning af behandling (art. 18) og dataportabilitet (art. 20). "
            "I din konto:",
            "– Download mine data (/account/my-data/): alt, hvad vi gemmer om dig, som én "
            "JSON-fil;",
            "– Profil og Adresser (/account/profile/, /account/addresses/): ret dine data;",
            "– Privatliv og samtykker (/account/privacy/): se og træk dine samtykker tilbage;",
            "– Slet konto (/account/delete/): vi sletter din konto og anonymiserer dine "
            "ordrer; kun fakturaerne beholder dit navn og din adresse, indtil deres "
            "opbevaringsfrist udløber.",
            "Du kan også skrive til vores databeskyttelsesrådgiver (dpo@example.com); der "
            "kan du på anmodning også få udleveret vores medarbejderes interne noter om dig.",
        ),
        (
            "15. Ret til indsigelse",
            "Når vi bygger på vores legitime interesser (GDPR art. 6, stk. 1, litra f), kan "
            "du til enhver tid gøre indsigelse af grunde, der vedrører din særlige situation "
            "(GDPR art. 21). Mod e-mails med rabatkoder kan du til enhver tid gøre "
            "indsigelse uden at begrunde det.",
        ),
        (
            "16. Ret til at klage",
            "Du kan klage til en databeskyttelsesmyndighed, især i det EU-land, hvor du bor "
            "eller arbejder (GDPR art. 77) – i Danmark Datatilsynet, Carl Jacobsens Vej 35, "
            "2500 Valby. Den myndighed, der fører tilsyn med os: Der Hamburgische "
            "Beauftragte für Datenschutz und Informationsfreiheit, Ludwig-Erhard-Straße 22, "
            "20459 Hamburg, Tyskland.",
        ),
        (
            "17. Cookies",
            "Vi sætter kun cookies, som er nødvendige for, at butikken fungerer, og som "
            "ikke kræver samtykke (§ 25, stk. 2, nr. 2, i den tyske TDDDG):",
            "– sessionid: din indkøbskurv og dit login; 14 dage;",
            "– csrftoken: beskytter formularer mod forfalskning; 1 år;",
            "– django_language: det sprog, du har valgt; indtil du lukker browseren.",
            "Vi bruger ingen cookies til statistik eller annoncering og henter intet fra "
            "andre servere – bortset fra partnertilbud, du har sagt ja til (afsnit 8): de "
            "kører i en adskilt ramme, der ikke kan læse vores cookies.",
        ),
        (
            "18. Automatiske afgørelser",
            "Vi træffer ingen automatiske afgørelser efter GDPR art. 22 og udarbejder ingen "
            "profil af dig. Betaling på faktura og efterkrav tilbyder vi kunder med konto, "
            "så længe deres ubetalte ordrer holder sig under en grænse; alle andre "
            "betalingsmåder står fortsat åbne for dig.",
        ),
    ),
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
