"""What a person who received parcels they did not order may do, by country (pure).

The texts are legal content, kept here in English and German side by side so that a
reviewer sees both at once (page chrome goes through the gettext catalogue instead).
They summarise; they are not legal advice, and every answer says where to get some.

- US: 39 U.S.C. § 3009 — unordered merchandise may be kept as a gift.
- DE: § 241a BGB — no claim against a consumer for unsolicited goods; not when the
  delivery was recognisably meant for someone else (Abs. 2), i.e. an obvious misdelivery.
- GB: Consumer Protection from Unfair Trading Regulations 2008, reg. 27A.
- other EU/EEA countries: Directive 2011/83/EU Art. 27, as each country implements it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from shopsafe.unsolicited.classification import Kind

# EU member states and the EEA countries that apply the Consumer Rights Directive.
EU_EEA: Final = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
        "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Rights:
    region: str
    law: str
    summary: str
    points: tuple[str, ...]


def language_of(tag: str | None) -> str:
    """`de` for German (any region), else `en`."""
    return "de" if (tag or "").lower().startswith("de") else "en"


def region_of(country: str) -> str:
    code = country.upper()
    if code in ("US", "DE", "GB"):
        return code
    return "EU" if code in EU_EEA else "other"


_LAW: Final[dict[str, str]] = {
    "US": "39 U.S.C. § 3009",
    "DE": "§ 241a BGB",
    "GB": "Consumer Protection from Unfair Trading Regulations 2008, reg. 27A",
    "EU": "Directive 2011/83/EU, Art. 27",
    "other": "",
}

_KEEP: Final[dict[str, dict[str, str]]] = {
    "en": {
        "US": "Merchandise you did not order may be treated as a gift: you may keep, use, give "
        "away or throw it away, and you owe the sender nothing.",
        "DE": "A business that sends goods you did not order has no claim against you: you "
        "need not pay, send them back or keep them safe, and you may keep, use or dispose "
        "of them.",
        "GB": "You may use, keep or dispose of unsolicited goods as if they were an "
        "unconditional gift. You owe nothing, and not answering is not agreeing to pay, "
        "return or look after them.",
        "EU": "You owe nothing for goods you did not order, and not answering is never "
        "agreement to pay. In most EU countries you may keep them; the details differ, so "
        "ask a consumer advice centre if the sender asks you for anything.",
        "other": "The law differs between countries, but in most of them you owe nothing for "
        "goods you did not order. Ask a local consumer advice service if anyone asks you for "
        "money.",
    },
    "de": {
        "US": "Unbestellte Ware dürfen Sie als Geschenk behandeln: Sie dürfen sie behalten, "
        "benutzen, verschenken oder wegwerfen und schulden dem Absender nichts.",
        "DE": "Schickt Ihnen ein Unternehmer Ware, die Sie nicht bestellt haben, hat er gegen "
        "Sie keinen Anspruch: Sie müssen nichts bezahlen, nichts zurückschicken und nichts "
        "aufbewahren, und Sie dürfen die Ware behalten, benutzen oder entsorgen.",
        "GB": "Unbestellte Ware dürfen Sie wie ein bedingungsloses Geschenk behalten, "
        "benutzen oder entsorgen. Sie schulden nichts, und Schweigen ist keine Zustimmung "
        "zu Zahlung, Rücksendung oder Aufbewahrung.",
        "EU": "Für unbestellte Ware schulden Sie nichts, und Schweigen ist nie eine "
        "Zustimmung zu einer Zahlung. In den meisten EU-Ländern dürfen Sie die Ware "
        "behalten; die Einzelheiten unterscheiden sich, fragen Sie deshalb eine "
        "Verbraucherzentrale, wenn der Absender etwas von Ihnen verlangt.",
        "other": "Das Recht ist von Land zu Land verschieden, aber fast überall schulden Sie "
        "für unbestellte Ware nichts. Fragen Sie eine Verbraucherberatung vor Ort, wenn "
        "jemand Geld von Ihnen verlangt.",
    },
}

_NOT_YOURS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "DE": "This parcel was ordered by someone else and only came to your address by "
        "mistake (for example for a previous resident). § 241a BGB does not cover a "
        "delivery that was recognisably meant for someone else (para. 2): please do not "
        "keep it; give it back to the carrier or write 'addressee unknown, return to "
        "sender' on it.",
        "any": "This parcel was ordered by someone else and only came to your address by "
        "mistake (for example for a previous resident). The rules on unordered goods do "
        "not cover a parcel meant for another person: please give it back to the carrier "
        "or write 'not at this address, return to sender' on it. You owe nothing.",
    },
    "de": {
        "DE": "Dieses Paket hat jemand anderes bestellt; es kam nur irrtümlich an Ihre "
        "Adresse (zum Beispiel für frühere Bewohner). Für eine erkennbar nicht für Sie "
        "bestimmte Sendung gilt § 241a BGB nicht (Abs. 2): Bitte behalten Sie sie nicht, "
        "sondern geben Sie sie dem Zusteller zurück oder vermerken Sie „Empfänger "
        "unbekannt – zurück an Absender“.",
        "any": "Dieses Paket hat jemand anderes bestellt; es kam nur irrtümlich an Ihre "
        "Adresse (zum Beispiel für frühere Bewohner). Die Regeln über unbestellte Ware "
        "gelten nicht für Sendungen an eine andere Person: Bitte geben Sie es dem Zusteller "
        "zurück oder vermerken Sie „Empfänger unbekannt – zurück an Absender“. Sie "
        "schulden nichts.",
    },
}

_POINTS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "en": {
        "DE": (
            "Exception (§ 241a para. 2 BGB): if a parcel was recognisably meant for someone "
            "else, for example addressed to another person, the sender may ask for it back.",
        ),
        "US": (
            "A bill or a demand to pay for unordered merchandise is itself unlawful; report "
            "it to the Federal Trade Commission.",
        ),
        "any": ("This is a summary, not legal advice.",),
    },
    "de": {
        "DE": (
            "Ausnahme (§ 241a Abs. 2 BGB): War eine Sendung erkennbar nicht für Sie bestimmt, "
            "etwa an eine andere Person adressiert, kann der Absender sie zurückverlangen.",
        ),
        "US": (
            "Eine Rechnung oder Zahlungsaufforderung für unbestellte Ware ist selbst "
            "unzulässig; melden Sie sie der Federal Trade Commission.",
        ),
        "any": ("Dies ist eine Zusammenfassung, keine Rechtsberatung.",),
    },
}

_ADVICE: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "Do not pay anything: no invoice, fee or return postage that anyone asks for in "
        "connection with these parcels.",
        "Do not scan QR codes on or in the parcels: they can lead to phishing sites that "
        "ask for passwords or card details.",
        "Check your shopping accounts, here and elsewhere, for orders, addresses and payment "
        "methods you do not know.",
        "Change your passwords, your e-mail account's first, and switch on two-step sign-in.",
        "Keep an eye on your bank and card statements for a while.",
    ),
    "de": (
        "Bezahlen Sie nichts: keine Rechnung, keine Gebühr und kein Rückporto, das jemand "
        "im Zusammenhang mit diesen Paketen verlangt.",
        "Scannen Sie keine QR-Codes auf oder in den Paketen: Sie können auf "
        "Phishing-Seiten führen, die Passwörter oder Kartendaten abfragen.",
        "Prüfen Sie Ihre Kundenkonten, hier und anderswo, auf Bestellungen, Adressen und "
        "Zahlungsmittel, die Sie nicht kennen.",
        "Ändern Sie Ihre Passwörter, zuerst das Ihres E-Mail-Kontos, und schalten Sie die "
        "Anmeldung in zwei Schritten ein.",
        "Behalten Sie Ihre Konto- und Kartenauszüge eine Weile im Blick.",
    ),
}

_QR_WARNING: Final[dict[str, str]] = {
    "en": "A QR code was found on your photo. We did not open it, and you should not scan it "
    "either: QR codes on parcels nobody ordered often lead to phishing sites.",
    "de": "Auf Ihrem Foto ist ein QR-Code. Wir haben ihn nicht geöffnet, und Sie sollten ihn "
    "auch nicht scannen: QR-Codes auf unbestellten Paketen führen oft zu Phishing-Seiten.",
}


def rights_for(country: str, kind: Kind, language: str) -> Rights:
    """The reporter's rights for parcels of this kind in this country, in their language."""
    lang = language_of(language)
    region = region_of(country)
    if kind == "misdelivery":
        summary = _NOT_YOURS[lang].get(region, _NOT_YOURS[lang]["any"])
        points = _POINTS[lang]["any"]
    else:
        summary = _KEEP[lang][region]
        points = _POINTS[lang].get(region, ()) + _POINTS[lang]["any"]
    return Rights(region=region, law=_LAW[region], summary=summary, points=points)


def advice(language: str) -> tuple[str, ...]:
    return _ADVICE[language_of(language)]


def qr_warning(language: str) -> str:
    return _QR_WARNING[language_of(language)]


def data_source(first: datetime, last: datetime, accounts: int, language: str) -> str:
    """GDPR Art. 15 (source of the data): when and by how many accounts the reporter's name
    and address were entered for deliveries — never which accounts."""
    day1, day2 = first.date().isoformat(), last.date().isoformat()
    if language_of(language) == "de":
        konten = "einem Kundenkonto" if accounts == 1 else f"{accounts} Kundenkonten"
        return (
            f"Ihr Name und Ihre Adresse wurden bei uns von {konten} für Lieferungen eingegeben, "
            f"zuerst am "
            f"{day1}, zuletzt am {day2}. Welche Konten das sind, sagen wir nicht; unser "
            "Trust-and-Safety-Team prüft sie."
        )
    noun = "one account" if accounts == 1 else f"{accounts} accounts"
    return (
        f"Your name and address were entered for deliveries by {noun} on this marketplace, "
        f"first on {day1}, most recently on {day2}. We do not say which accounts these are; "
        "our trust-and-safety team examines them."
    )
