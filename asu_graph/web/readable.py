"""Typed literals as people read them, in English or French.

``"38000000"^^xsd:decimal`` beside a currency reads "€38,000,000" or
"38 000 000 €", ``"P10Y"^^xsd:duration`` "10 years" or "10 ans",
``"2019-11"^^xsd:gYearMonth`` "November 2019" or "novembre 2019". The exact
RDF term stays one hover away (the caller puts it in a ``title``) and in every
RDF representation; this only changes what an HTML page shows.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal
from rdflib.namespace import XSD

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}
# (singular, plural) per unit of xsd:duration, in reading order.
UNITS = {
    "en": {
        "Y": ("year", "years"),
        "M": ("month", "months"),
        "D": ("day", "days"),
        "H": ("hour", "hours"),
        "MIN": ("minute", "minutes"),
        "S": ("second", "seconds"),
    },
    "fr": {
        "Y": ("an", "ans"),
        "M": ("mois", "mois"),
        "D": ("jour", "jours"),
        "H": ("heure", "heures"),
        "MIN": ("minute", "minutes"),
        "S": ("seconde", "secondes"),
    },
}
BOOLEANS = {"en": ("yes", "no"), "fr": ("oui", "non")}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}
NUMBERS = {
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.negativeInteger,
    XSD.nonPositiveInteger,
    XSD.unsignedInt,
    XSD.unsignedLong,
}
_DURATION = re.compile(
    r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})")
_YEAR_MONTH = re.compile(r"^(-?\d{4,})-(\d{2})$")
NARROW_NBSP = "\u202f"


def number(text: str, lang: str) -> str | None:
    """Digit groups of three, the language's separators; None when not a number."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    fraction = fraction.rstrip("0")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    if lang == "fr":
        out = NARROW_NBSP.join(groups) + (f",{fraction}" if fraction else "")
    else:
        out = ",".join(groups) + (f".{fraction}" if fraction else "")
    return sign + out


def money(text: str, currency: str, lang: str) -> str | None:
    amount = number(text, lang)
    if amount is None:
        return None
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    if symbol is None or len(symbol) > 1:
        return f"{amount}\u00a0{currency.upper()}"
    return f"{amount}\u00a0{symbol}" if lang == "fr" else f"{symbol}{amount}"


def duration(text: str, lang: str) -> str | None:
    match = _DURATION.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        return None
    negative, *parts = match.groups()
    units = UNITS.get(lang, UNITS["en"])
    words = []
    for key, amount in zip(("Y", "M", "D", "H", "MIN", "S"), parts, strict=True):
        if amount is None or float(amount) == 0:
            continue
        one, many = units[key]
        shown = number(amount, lang) or amount
        words.append(f"{shown} {one if float(amount) == 1 else many}")
    if not words:
        return None
    joined = (
        ", ".join(words[:-1])
        + (f" {'et' if lang == 'fr' else 'and'} " if len(words) > 1 else "")
        + words[-1]
    )
    return ("-" if negative else "") + joined


def date(text: str, lang: str) -> str | None:
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    if not 1 <= month <= 12:
        return None
    name = MONTHS.get(lang, MONTHS["en"])[month - 1]
    if lang == "fr":
        return f"{'1er' if day == 1 else day} {name} {year}"
    return f"{day} {name} {year}"


def year_month(text: str, lang: str) -> str | None:
    match = _YEAR_MONTH.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return f"{MONTHS.get(lang, MONTHS['en'])[int(match.group(2)) - 1]} {match.group(1)}"


def readable(literal: Literal, lang: str, currency: str | None = None) -> str:
    """What a page shows for ``literal``: its lexical form unless a friendlier one exists."""
    text = str(literal)
    datatype = literal.datatype
    shown: str | None = None
    if datatype in NUMBERS:
        shown = money(text, currency, lang) if currency else number(text, lang)
    elif datatype in (XSD.duration, XSD.yearMonthDuration, XSD.dayTimeDuration):
        shown = duration(text, lang)
    elif datatype in (XSD.date, XSD.dateTime, XSD.dateTimeStamp):
        shown = date(text, lang)
        if shown and datatype != XSD.date and "T" in text:
            shown += " " + text.split("T", 1)[1][:5]
    elif datatype == XSD.gYearMonth:
        shown = year_month(text, lang)
    elif datatype == XSD.gYear:
        shown = text.lstrip("+")
    elif datatype == XSD.boolean:
        yes, no = BOOLEANS.get(lang, BOOLEANS["en"])
        shown = yes if text in ("true", "1") else no if text in ("false", "0") else None
    return shown or text
