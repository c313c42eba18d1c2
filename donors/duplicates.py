"""Likely duplicate donors, scored: plain functions over plain records, no database.

The names of the diaspora reach the books spelled many ways (Muhammad, Mohammad, Mohammed;
Chaudhry, Choudhury). Each name is reduced to a canonical spelling through the staff's table of
spelling variants (``NameVariant``, a plain dict here), then to a sound key (metaphone, from
jellyfish); two spellings that share either are the same name, and a near spelling (Jaro-Winkler)
is a typo.

Only donors that share a blocking key are compared: an email, a phone, a house number in a ZIP
code, or a rare name's sounds. A key held by too many donors (an office's switchboard) is
dropped, so the number of pairs grows with the donors, not with their square.

A pair is flagged when the names agree and something else does: an email, a phone, an address
or a city. A phone or an address on its own never flags a pair (households and offices share
them), nor does a name on its own (there are many Muhammad Khans).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import jellyfish
import phonenumbers

_WORD = re.compile(r"[a-z0-9]+")
_E164 = re.compile(r"\+[1-9]\d{6,14}")

# The duplicates page, the command and the benchmark show pairs scoring at least this.
THRESHOLD = 60
# A name held by at most this many donors is rare enough that the same name in the same city or
# ZIP code is worth a look; a more common one needs an email, a phone or an address too.
RARE_NAME = 3
WEAK_PLACE = 10
# A key held by more donors than this (an office's switchboard, a big building) is no key.
MAX_BLOCK = 40

TITLES = frozenset(
    "dr drs mr mrs ms miss mx prof professor haji hajji hafiz engr sir madam begum".split()
)
# An honorific of the Prophet's family, written before the given name ("Syed Ali Raza"); as a
# last name ("Ali Syed") it is a surname and is kept.
SYED = frozenset("syed sayed sayyid sayyed syeda saiyed saiyid".split())
SUFFIXES = frozenset("jr sr ii iii iv md phd esq".split())
# Particles that belong to the next word: "Abdul Rahman" is one given name.
JOINED = frozenset("abdul abdel abd abu ul al el ur ud".split())
ORG_WORDS = frozenset("the inc incorporated llc llp ltd co corp corporation company".split())
STREET_WORDS = {
    "street": "st", "avenue": "ave", "av": "ave", "drive": "dr", "road": "rd", "lane": "ln",
    "court": "ct", "place": "pl", "boulevard": "blvd", "circle": "cir", "parkway": "pkwy",
    "terrace": "ter", "highway": "hwy", "north": "n", "south": "s", "east": "e", "west": "w",
    "apartment": "apt", "suite": "ste", "unit": "apt",
}  # fmt: skip


def ascii_words(text: str) -> list[str]:
    """Lower-case ASCII words of ``text``: accents dropped, anything but letters and digits
    splits words."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _WORD.findall(text.lower())


def variant_word(text: str) -> str:
    """How the variant table stores a spelling: lower-case letters only."""
    return "".join(w for w in ascii_words(text) if w.isalpha())


@functools.lru_cache(maxsize=65536)
def sound(word: str) -> str:
    """The word's sound key: metaphone, after the transliterations it does not know."""
    word = word.replace("v", "w").replace("q", "k").replace("ee", "i").replace("oo", "u")
    word = re.sub(r"(.)\1+", r"\1", word)  # Aasif, Asif
    word = word.replace("kh", "k").replace("gh", "g")  # Iftikhar, Iftikar
    return jellyfish.metaphone(word) or word


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    local, at, domain = email.partition("@")
    if not at:
        return ""
    local = local.split("+", 1)[0]
    if domain in {"gmail.com", "googlemail.com"}:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def normalize_phone(phone: str) -> str:
    """E.164 (US numbers may come without +1), or the digits when it does not parse."""
    phone = str(phone or "").strip()
    if not phone or _E164.fullmatch(phone):  # as the phone field stores it
        return phone
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", phone)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Address:
    line1: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class DonorRecord:
    """What the scoring reads of a donor."""

    id: int
    kind: str = "person"
    first_name: str = ""
    last_name: str = ""
    organization_name: str = ""
    suffix: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()

    @property
    def is_organization(self) -> bool:
        return self.kind not in {"person", "household"}


@dataclass(frozen=True)
class Name:
    """One name as written, its canonical spelling and its sound."""

    written: str
    plain: str  # as written, lower-case letters only
    canonical: str
    sound: str


@dataclass(frozen=True)
class Place:
    zip5: str
    number: str
    street: str
    city: str
    region: str


@dataclass
class Keys:
    """A record prepared for comparison."""

    record: DonorRecord
    given: list[Name]  # a household has two
    last: Name | None
    organization: str
    suffix: str
    emails: set[str]
    phones: set[str]
    places: list[Place]
    name_key: str = ""


@dataclass
class Candidate:
    first: int
    second: int
    score: int
    reasons: list[str] = field(default_factory=list)


def _name(words: list[str], written: str, variants: Mapping[str, str]) -> Name | None:
    if not words:
        return None
    joined = "".join(words)
    canonical = variants.get(joined) or "".join(variants.get(w, w) for w in words)
    return Name(
        written=written.strip(),
        plain=variant_word(written),
        canonical=canonical,
        sound=sound(canonical),
    )


def _given_names(first_name: str, variants: Mapping[str, str]) -> list[Name]:
    names = []
    for part in re.split(r"\s+(?:and|&)\s+|&", first_name or "", flags=re.IGNORECASE):
        words = [w for w in ascii_words(part) if w.isalpha()]
        while words and words[0] in TITLES:
            words = words[1:]
        if len(words) > 1 and words[0] in SYED:
            words = words[1:]
        if len(words) > 1 and words[0] in JOINED:
            words = [words[0] + words[1], *words[2:]]
        # The first given name decides; a middle name is often left out.
        name = _name(words[:1], part, variants)
        if name:
            names.append(name)
    return names


def _place(address: Address) -> Place:
    words = [STREET_WORDS.get(w, w) for w in ascii_words(address.line1)]
    number = words[0] if words and words[0][:1].isdigit() else ""
    street = " ".join(words[1:] if number else words)
    return Place(
        zip5=re.sub(r"\D", "", address.postal_code or "")[:5],
        number=number,
        street=street,
        city=" ".join(ascii_words(address.city)),
        region=(address.region or "").strip().upper(),
    )


def _last_name(last_name: str, variants: Mapping[str, str]) -> tuple[Name | None, str]:
    words = ascii_words(last_name)
    suffix = next((w for w in words if w in SUFFIXES), "")  # "Khan Jr."
    words = [w for w in words if w.isalpha() and w not in SUFFIXES]
    return _name(words, last_name, variants), suffix


def prepare(record: DonorRecord, variants: Mapping[str, str], cache: dict | None = None) -> Keys:
    """``cache`` (one per set of variants) keeps each name's reading: names repeat."""
    cache = {} if cache is None else cache
    person = not record.is_organization
    given, last, suffix = [], None, ""
    if person:
        given = cache.get(("f", record.first_name))
        if given is None:
            given = cache[("f", record.first_name)] = _given_names(record.first_name, variants)
        found = cache.get(("l", record.last_name))
        if found is None:
            found = cache[("l", record.last_name)] = _last_name(record.last_name, variants)
        last, suffix = found
    suffix = "".join(w for w in ascii_words(record.suffix) if w in SUFFIXES) or suffix
    keys = Keys(
        record=record,
        given=given,
        last=last,
        organization=" ".join(
            w for w in ascii_words(record.organization_name) if w not in ORG_WORDS
        ),
        suffix=suffix,
        emails={e for e in map(normalize_email, record.emails) if e},
        phones={p for p in map(normalize_phone, record.phones) if p},
        places=[_place(a) for a in record.addresses],
    )
    if record.is_organization:
        keys.name_key = "o:" + " ".join(sound(w) for w in keys.organization.split()[:2])
    elif keys.last or keys.given:
        sounds = [keys.given[0].sound if keys.given else "", keys.last.sound if keys.last else ""]
        keys.name_key = "n:" + "|".join(sorted(sounds))
    return keys


def _blocking(keys: Keys, name_count: int) -> set[str]:
    found = {f"e:{e}" for e in keys.emails} | {f"p:{p}" for p in keys.phones}
    found |= {f"a:{p.zip5}:{p.number}" for p in keys.places if p.zip5 and p.number}
    # A rare name alone: a pair can be flagged by its town only when its name is rare, and
    # every pair sharing more than a town is found by the keys above.
    if keys.name_key and name_count <= RARE_NAME:
        found.add(keys.name_key)
    return found


def _part(a: Name | None, b: Name | None, *, surname: bool = False) -> tuple[float, str]:
    """How well two written names agree (0 to 1) and, for a spelling difference, why."""
    if a is None or b is None:
        return 0.5, ""
    if a.canonical == b.canonical:
        if a.plain == b.plain:
            return 1.0, ""
        return 0.95, f"name variant: {a.written} ~ {b.written}"
    if len(a.canonical) == 1 or len(b.canonical) == 1:  # an initial: "O. Mirza"
        initials = {a.canonical[0], a.plain[:1]} & {b.canonical[0], b.plain[:1]}
        return (0.6, "") if initials else (0.0, "")
    for x, y in ((a.canonical, b.canonical), (a.plain, b.plain)):
        short, long = sorted((x, y), key=len)
        if long in {short + "a", short + "ah"}:
            # Farhan and Farhana, Rashid and Rashida: a man's name and a woman's.
            return 0.0, ""
    short, long = sorted((a.canonical, b.canonical), key=len)
    similarity = jellyfish.jaro_winkler_similarity(a.canonical, b.canonical)
    if a.sound == b.sound and similarity >= 0.75:
        return 0.9, f"sounds alike: {a.written} ~ {b.written}"
    # A typo: one letter wrong, missing or swapped in a longer name (Sana and Saba are two);
    # a surname may also lose a letter (Malik, Maik): relatives share theirs exactly, so this
    # does not pair them, where Omar and Omair would be brothers.
    typo = len(short) >= 5 or (surname and len(long) >= 5 and len(long) > len(short))
    if typo and jellyfish.damerau_levenshtein_distance(short, long) <= 1:
        return 0.85, f"spelling: {a.written} ~ {b.written}"
    return 0.0, ""


def _given(a: list[Name], b: list[Name]) -> tuple[float, str]:
    if not a or not b:
        return 0.5, ""
    return max((_part(x, y) for x in a for y in b), key=lambda r: r[0])


def _address(a: Keys, b: Keys) -> tuple[int, str]:
    best = (0, "")
    for x, y in itertools.product(a.places, b.places):
        same_area = (x.zip5 and x.zip5 == y.zip5) or (
            not (x.zip5 and y.zip5) and x.city == y.city and x.region == y.region
        )
        if same_area and x.number and x.number == y.number:
            street = jellyfish.jaro_winkler_similarity(x.street, y.street)
            found = (25, "same address") if street >= 0.9 else (15, "same house number and ZIP")
        elif same_area:
            found = (WEAK_PLACE, "same ZIP code")
        elif x.city and x.city == y.city and x.region == y.region:
            found = (WEAK_PLACE, "same city")
        else:
            continue
        best = max(best, found)
    return best


def score_pair(a: Keys, b: Keys, *, name_count: int = 2) -> Candidate:
    """The pair's score (0 to 100) and the reasons a person reviewing it would want.
    ``name_count`` is how many donors share the name's sounds: a rare name agreeing says
    more than a common one."""
    if a.record.id > b.record.id:  # reasons name the lower id's spelling first, as listed
        a, b = b, a
    reasons: list[str] = []
    first, second = a.record.id, b.record.id
    if a.record.is_organization != b.record.is_organization:
        return Candidate(first, second, 0, ["a person and an organization"])

    evidence = 0
    shared_email = a.emails & b.emails
    if shared_email:
        evidence += 35
        reasons.append(f"same email {min(shared_email)}")
    if a.phones & b.phones:
        evidence += 20
        reasons.append(f"same phone {min(a.phones & b.phones)}")
    points, why = _address(a, b)
    if points:
        evidence += points
        reasons.append(why)

    cap = 100
    if a.record.is_organization:
        similarity = jellyfish.jaro_winkler_similarity(a.organization, b.organization)
        names_agree = similarity >= 0.9
        name_points = 20 + 25 * similarity if names_agree else 0
        if names_agree and a.organization != b.organization:
            reasons.insert(0, "similar organization names")
    else:
        straight = (_given(a.given, b.given), _part(a.last, b.last, surname=True))
        # "Khan Ayesha": a's first name against b's last, and the other way round.
        swapped = (
            _given(a.given, [b.last] if b.last else []),
            _part(a.last, b.given[0] if b.given else None),
        )
        (given, given_why), (last, last_why) = straight
        if swapped[0][0] + swapped[1][0] > given + last + 0.3 and a.given and b.given:
            (given, given_why), (last, last_why) = swapped
            reasons.insert(0, "first and last names swapped")
        names_agree = last >= 0.85 and given >= 0.6
        name_points = 20 + 25 * (given + last) / 2
        for why in (last_why, given_why):
            if why:
                reasons.insert(0, why)
        if not names_agree:
            if shared_email and given >= 0.85:
                name_points = 25  # a changed last name behind one email
                reasons.append("different last names")
            elif shared_email and last >= 0.85 and not (a.given and b.given):
                name_points = 30  # "Khan" from a payout report and Ayesha Khan, one email
                reasons.append("no first name on one record")
            elif last >= 0.85:
                cap = 35
                reasons.append("different first names (household?)")
            else:
                cap = 30
                reasons.append("different names")
        if a.record.kind != b.record.kind and names_agree:
            cap = min(cap, 50)  # "Ayesha and Omar Khan" and Ayesha: a household and its member
            reasons.append("a household and a person")
        if a.suffix and b.suffix and a.suffix != b.suffix:
            cap = min(cap, 35)
            reasons.append(f"{a.record.suffix or a.suffix} and {b.record.suffix or b.suffix}")
    if name_points and names_agree:
        if name_count <= 2:
            name_points += 8
        elif name_count > 20:
            name_points -= 5
    if not evidence:
        cap = min(cap, 55)  # a name alone is not enough
    elif evidence == WEAK_PLACE and name_count > RARE_NAME:
        cap = min(cap, 55)  # nor is a common name in one town
        reasons.append(f"common name ({name_count} donors)")
    score = max(0, min(cap, round(name_points + evidence), 100))
    return Candidate(first, second, score, reasons)


def find_candidates(
    records: Iterable[DonorRecord],
    variants: Mapping[str, str],
    *,
    threshold: int = THRESHOLD,
    max_block: int = MAX_BLOCK,
) -> list[Candidate]:
    """The pairs scoring at least ``threshold``, best first."""
    cache: dict = {}
    prepared = [prepare(r, variants, cache) for r in records]
    name_counts = Counter(k.name_key for k in prepared if k.name_key)
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(prepared):
        for key in _blocking(keys, name_counts[keys.name_key]):
            blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= max_block:  # larger: an office's switchboard, say
            pairs.update(itertools.combinations(members, 2))
    found = []
    for i, j in pairs:
        a, b = prepared[i], prepared[j]
        count = name_counts[a.name_key] if a.name_key == b.name_key else 2
        candidate = score_pair(a, b, name_count=count)
        if candidate.score >= threshold:
            found.append(candidate)
    found.sort(key=lambda c: (-c.score, c.first, c.second))
    return found


@dataclass
class Measure:
    pairs: int
    duplicates: int
    true_positives: int
    false_positives: int
    false_negatives: int
    missed: list[str]  # the categories of the duplicates not found
    wrong: list[str]  # the categories of the pairs flagged that are two people

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.duplicates if self.duplicates else 1.0


def read_labelled_pairs(path) -> list[tuple[int, str, DonorRecord, DonorRecord]]:
    """The labelled pairs file (tests/donors/duplicate_pairs.csv): each row two records, a
    label (1: one person) and the kind of pair."""
    import csv  # only the measure reads files

    def record(row: dict, side: str, pk: int) -> DonorRecord:
        get = lambda name: row[f"{side}_{name}"]  # noqa: E731
        household = " and " in get("first_name")
        return DonorRecord(
            id=pk,
            kind="household" if household else "person",
            first_name=get("first_name"),
            last_name=get("last_name"),
            suffix=get("suffix"),
            emails=(get("email"),) if get("email") else (),
            phones=(get("phone"),) if get("phone") else (),
            addresses=(Address(get("line1"), get("city"), get("region"), get("zip")),)
            if get("line1") or get("city")
            else (),
        )

    with open(path, newline="") as f:
        return [
            (
                int(row["label"]),
                row["category"],
                record(row, "a", 2 * i + 1),
                record(row, "b", 2 * i + 2),
            )
            for i, row in enumerate(csv.DictReader(f))
        ]


def measure(
    labelled: list[tuple[int, str, DonorRecord, DonorRecord]],
    variants: Mapping[str, str],
    *,
    threshold: int = THRESHOLD,
) -> Measure:
    """Precision and recall of the whole search (blocking and scoring) over the labelled
    pairs' records taken together: a pair counts as found when the search lists it."""
    records = [r for _, _, a, b in labelled for r in (a, b)]
    found = {(c.first, c.second) for c in find_candidates(records, variants, threshold=threshold)}
    result = Measure(len(labelled), sum(label for label, *_ in labelled), 0, 0, 0, [], [])
    for label, category, a, b in labelled:
        flagged = (a.id, b.id) in found
        if label and flagged:
            result.true_positives += 1
        elif label:
            result.false_negatives += 1
            result.missed.append(category)
        elif flagged:
            result.false_positives += 1
            result.wrong.append(category)
    return result
