"""Write tests/donors/duplicate_pairs.csv: the labelled pairs the duplicate scoring is measured
on (bench/duplicates.py, tests/donors/test_duplicate_scoring.py). Run once; the CSV is
committed, so the measure does not move when this script changes.

Each row is two donor records and a label (1: one person, 0: two), made from the kinds of pairs
the diaspora's records hold: spelling variants (those in the seeded variant table and others
the table does not know), typos, swapped first and last names, initials, a "Syed" before the
given name, new emails and addresses; and pairs that are two people: an office's shared phone,
households (same surname, address and phone), a father and son (Sr., Jr.), husband and wife
(Farhan, Farhana), common names (Muhammad Khan) in other cities.

    .venv/bin/python bench/duplicate_pairs_make.py
"""

from __future__ import annotations

import csv
import os
import random
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
django.setup()

from crm.demo.data import MEN, PLACES, STREETS, SURNAMES, WOMEN  # noqa: E402

OUT = ROOT / "tests" / "donors" / "duplicate_pairs.csv"
FIELDS = ["first_name", "last_name", "suffix", "email", "phone", "line1", "city", "region", "zip"]

# (in the seeded table), then spellings it does not know: the sound key and typo rules find them.
FIRST_VARIANTS = [
    ("Muhammad", "Mohammed"), ("Muhammad", "Mohammad"), ("Mohamed", "Muhammad"),
    ("Ahmed", "Ahmad"), ("Hussain", "Hussein"), ("Hassan", "Hasan"), ("Usman", "Osman"),
    ("Yusuf", "Yousuf"), ("Farooq", "Farouk"), ("Tariq", "Tarik"), ("Fatima", "Fatema"),
    ("Ayesha", "Aisha"), ("Zainab", "Zaynab"), ("Omar", "Umar"), ("Naveed", "Navid"),
    ("Rasheed", "Rashid"), ("Saeed", "Sayeed"), ("Zubair", "Zubayr"), ("Khalid", "Khaled"),
    ("Mustafa", "Mostafa"),
    ("Rizwan", "Rizwaan"), ("Kamran", "Kamraan"), ("Shazia", "Shaziya"), ("Imran", "Imraan"),
    ("Sohail", "Suhail"), ("Waseem", "Wasim"), ("Nadeem", "Nadim"), ("Junaid", "Junaed"),
    ("Faisal", "Faysal"), ("Adnan", "Adnaan"), ("Asif", "Aasif"), ("Iftikhar", "Iftikar"),
    ("Mansoor", "Mansur"), ("Shoaib", "Shoeb"), ("Javeria", "Javeriya"),
    ("Tehmina", "Tahmina"), ("Rubina", "Rubeena"), ("Saima", "Sayma"),
]  # fmt: skip
LAST_VARIANTS = [
    ("Chaudhry", "Chaudhary"), ("Chaudhry", "Choudhury"), ("Chowdhury", "Chaudhry"),
    ("Qureshi", "Kureshi"), ("Qureshi", "Quraishi"), ("Hussain", "Husain"),
    ("Siddiqui", "Siddiqi"), ("Sheikh", "Shaikh"), ("Akhtar", "Akhter"), ("Rehman", "Rahman"),
    ("Syed", "Sayed"), ("Haider", "Hyder"), ("Gilani", "Jilani"), ("Mirza", "Meerza"),
    ("Abbasi", "Abassi"), ("Bhatti", "Bhati"), ("Malik", "Mallik"), ("Farooqi", "Farooqui"),
    ("Hashmi", "Hashimi"), ("Yousafzai", "Yusufzai"), ("Durrani", "Durani"),
    ("Warraich", "Waraich"), ("Cheema", "Chima"), ("Ansari", "Ansaari"), ("Naqvi", "Naqavi"),
    ("Kazmi", "Kazimi"),
]  # fmt: skip
COMMON = [("Muhammad", "Khan"), ("Mohammed", "Khan"), ("Muhammad", "Ali"), ("Ahmed", "Khan"),
          ("Ali", "Khan"), ("Fatima", "Khan"), ("Muhammad", "Hussain"), ("Ayesha", "Malik")]  # fmt: skip
WIVES = [("Farhan", "Farhana"), ("Shahid", "Shahida"), ("Naveed", "Naveeda"),
         ("Rashid", "Rashida"), ("Saleem", "Saleema"), ("Javed", "Javeda")]  # fmt: skip


class Maker:
    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.n = 0

    def pick(self, seq):
        return self.rng.choice(seq)

    def phone(self, place) -> str:
        return f"+1{place[3][0]}{self.rng.randint(2000000, 9999999)}"

    def address(self, place) -> dict:
        return {
            "line1": f"{self.rng.randint(100, 9899)} {self.pick(STREETS)}",
            "city": place[0],
            "region": place[1],
            "zip": self.pick(place[2]),
        }

    def email(self, first: str, last: str, domain: str | None = None) -> str:
        self.n += 1
        domain = domain or self.pick(("example.com", "example.org", "gmail.com", "yahoo.com"))
        return f"{first}.{last}{self.n}@{domain}".lower().replace(" ", "")

    def person(self, first=None, last=None, place=None) -> dict:
        place = place or self.pick(PLACES)
        first = first or self.pick(MEN + WOMEN)
        last = last or self.pick(SURNAMES)
        return {
            "first_name": first,
            "last_name": last,
            "suffix": "",
            "email": self.email(first, last),
            "phone": self.phone(place),
            **self.address(place),
        }


def _street_spelled_out(line1: str) -> str:
    return line1.replace(" St", " Street").replace(" Ave", " Avenue").replace(" Rd", " Road")


def _typo(name: str, rng) -> str:
    i = rng.randint(1, len(name) - 2)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def duplicates(m: Maker) -> list[tuple[str, dict, dict]]:
    rng, rows = m.rng, []
    names = (
        [("first variant", v) for v in FIRST_VARIANTS]
        + [("last variant", v) for v in LAST_VARIANTS]
        + [("both variants", None)] * 20
        + [("typo", None)] * 20
        + [("swapped", None)] * 14
        + [("initial", None)] * 10
        + [("syed before given name", None)] * 8
        + [("same name", None)] * 22
        + [("joined given name", None)] * 6
    )
    for how, variant in names:
        a = m.person()
        b = dict(a)
        if how == "first variant":
            a["first_name"], b["first_name"] = variant
        elif how == "last variant":
            a["last_name"], b["last_name"] = variant
        elif how == "both variants":
            a["first_name"], b["first_name"] = m.pick(FIRST_VARIANTS)
            a["last_name"], b["last_name"] = m.pick(LAST_VARIANTS)
        elif how == "typo":
            a["last_name"] = m.pick([s for s in SURNAMES if len(s) >= 6])
            b["last_name"] = _typo(a["last_name"], rng)
        elif how == "swapped":
            b["first_name"], b["last_name"] = a["last_name"], a["first_name"]
        elif how == "initial":
            b["first_name"] = a["first_name"][0] + "."
        elif how == "syed before given name":
            b["first_name"] = f"Syed {a['first_name']}"
        elif how == "joined given name":
            a["first_name"] = m.pick(("Abdul Rahman", "Abdul Qadir", "Abdul Aziz", "Abdul Majeed"))
            b["first_name"] = a["first_name"].replace(" ", "")
        # What else the two records share: one or two of these; the rest differ or is missing.
        shared = set(
            rng.sample(["email", "phone", "address", "address spelled", "city"], rng.randint(1, 2))
        )
        if "email" not in shared:
            b["email"] = m.email(b["first_name"], b["last_name"]) if rng.random() < 0.8 else ""
        elif rng.random() < 0.2 and a["email"].endswith("@gmail.com"):
            local, domain = a["email"].split("@")
            b["email"] = f"{local.replace('.', '')}+donate@{domain}".upper()
        if "phone" not in shared:
            place = next(p for p in PLACES if p[0] == a["city"])
            b["phone"] = m.phone(place) if rng.random() < 0.6 else ""
        elif rng.random() < 0.3:
            digits = a["phone"][2:]
            b["phone"] = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
        if "address spelled" in shared:
            b["line1"] = _street_spelled_out(a["line1"]).upper()
        elif "address" not in shared:
            place = next(p for p in PLACES if p[0] == a["city"])
            if "city" in shared:
                b.update(m.address(place))
            else:
                b.update(m.address(m.pick(PLACES)) if rng.random() < 0.7 else
                         {"line1": "", "city": "", "region": "", "zip": ""})  # fmt: skip
        rows.append((f"{how}; shares {' and '.join(sorted(shared))}", a, b))
    return rows


def different_people(m: Maker) -> list[tuple[str, dict, dict]]:
    rng, rows = m.rng, []
    for _ in range(40):  # an office or a mosque's phone, written on both records
        a, b = m.person(), m.person()
        b["phone"] = a["phone"]
        if rng.random() < 0.5:
            b["last_name"] = a["last_name"]  # colleagues or cousins sharing a surname
        rows.append(("shared phone", a, b))
    for _ in range(40):  # a household: same surname, address and phone
        a = m.person(first=m.pick(MEN))
        b = dict(a, first_name=m.pick([w for w in WOMEN if w[0] != a["first_name"][0]]))
        b["email"] = m.email(b["first_name"], b["last_name"]) if rng.random() < 0.7 else a["email"]
        rows.append(("household", a, b))
    for husband, wife in WIVES:  # spouses whose names differ by one letter
        a = m.person(first=husband)
        rows.append(("husband and wife", a, dict(a, first_name=wife, email="")))
    for _ in range(12):  # father and son
        a = m.person(first=m.pick(MEN))
        rows.append(
            ("father and son", dict(a, suffix="Sr."), dict(a, suffix="Jr.", email="", phone=""))
        )
    for _ in range(45):  # common names, other people
        first, last = m.pick(COMMON)
        a = m.person(first, last)
        other_place = m.pick(PLACES)
        if rng.random() < 0.3:  # same state, another city
            other_place = m.pick([p for p in PLACES if p[1] == a["region"]])
        b = m.person(m.pick([f for f, surname in COMMON if surname == last]), last, other_place)
        rows.append(("common name elsewhere", a, b))
    for _ in range(12):  # siblings sharing parents' phone, living apart
        a = m.person()
        b = m.person(last=a["last_name"])
        b["phone"] = a["phone"]
        rows.append(("siblings sharing a phone", a, b))
    for _ in range(10):  # neighbours in one building
        a = m.person()
        b = m.person(place=next(p for p in PLACES if p[0] == a["city"]))
        b.update(line1=a["line1"], zip=a["zip"])
        rows.append(("same building", a, b))
    return rows


def main() -> None:
    m = Maker()
    rows = [(1, *r) for r in duplicates(m)] + [(0, *r) for r in different_people(m)]
    with OUT.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["label", "category", *(f"a_{c}" for c in FIELDS), *(f"b_{c}" for c in FIELDS)]
        )
        for label, category, a, b in rows:
            writer.writerow([label, category, *(a[c] for c in FIELDS), *(b[c] for c in FIELDS)])
    print(f"{len(rows)} pairs ({sum(r[0] for r in rows)} duplicates) written to {OUT}")


if __name__ == "__main__":
    main()
