"""Made-up but plausible material for the MSP demo: names, places, issuers.

Every person, company, fund and address here is fictional. ZIP codes are real ones for the
city named (so state and ZIP filters look right); street numbers and names are invented, and
phone numbers use the 555-01xx range that is reserved for fiction. Emails use the reserved
example.com/.org/.net domains, so nothing the demo sends can reach a real inbox.
"""

from __future__ import annotations

from decimal import Decimal

MEN = (
    "Omar", "Ali", "Ahmed", "Usman", "Bilal", "Hamza", "Imran", "Faisal", "Tariq", "Kamran",
    "Asif", "Zeeshan", "Saad", "Hassan", "Hussain", "Junaid", "Adnan", "Farhan", "Nadeem",
    "Shahid", "Waqar", "Arif", "Javed", "Khalid", "Rashid", "Salman", "Yasir", "Zubair",
    "Irfan", "Naveed", "Danish", "Fahad", "Haris", "Kashif", "Mohsin", "Noman", "Rizwan",
    "Sohail", "Talha", "Waseem", "Asad", "Babar", "Ehsan", "Ghulam", "Iftikhar", "Mansoor",
    "Mustafa", "Qasim", "Raheel", "Shoaib", "Umair", "Zafar", "Samuel", "Emmanuel", "Sunil",
)  # fmt: skip

WOMEN = (
    "Ayesha", "Fatima", "Sana", "Hina", "Maryam", "Zainab", "Amna", "Sadia", "Nadia", "Rabia",
    "Saima", "Farah", "Mehwish", "Sidra", "Bushra", "Uzma", "Nida", "Shazia", "Samina",
    "Rubina", "Asma", "Hira", "Iqra", "Kiran", "Mahnoor", "Noor", "Sobia", "Tahira", "Zara",
    "Alina", "Anum", "Fariha", "Huma", "Javeria", "Lubna", "Madiha", "Naila", "Rida",
    "Saba", "Tehmina", "Yasmin", "Shabnam", "Ruth", "Sarah",
)  # fmt: skip

SURNAMES = (
    "Khan", "Ahmed", "Malik", "Chaudhry", "Qureshi", "Siddiqui", "Butt", "Sheikh", "Hussain",
    "Raza", "Mirza", "Baig", "Abbasi", "Javed", "Shah", "Bhatti", "Awan", "Rana", "Iqbal",
    "Akhtar", "Hashmi", "Rizvi", "Zaidi", "Naqvi", "Jafri", "Kazmi", "Gilani", "Durrani",
    "Afridi", "Yousafzai", "Memon", "Ansari", "Farooqi", "Saleem", "Aslam", "Nawaz", "Rehman",
    "Haider", "Cheema", "Gondal", "Warraich", "Tiwana", "Paracha", "Lodhi", "Niazi", "Masih",
    "Gill", "Sandhu", "Bajwa", "Sethi", "Kapadia", "Lakhani", "Hirani", "Dossani",
)  # fmt: skip

STREETS = (
    "Maple Ave", "Oak St", "Cedar Ln", "Willow Dr", "Meadow Ct", "Lakeview Dr", "Park Pl",
    "Hillcrest Rd", "Sunset Blvd", "Spring Mill Rd", "College Ave", "Main St", "Elm St",
    "Briarwood Dr", "Chestnut Ct", "Highland Ave", "Ridge Rd", "Orchard Way", "Valley View Rd",
    "Foxtail Ln", "Stonegate Dr", "Juniper Way", "Magnolia Ct", "Sycamore St", "Prairie Ln",
    "Harbor Dr", "Vista Del Mar", "Mission Blvd", "Canyon Rd", "Aspen Ct",
)  # fmt: skip

# (city, state, ZIP codes, area codes, time zone, weight). Indiana and California are where
# the dinners are, so most donors live there.
PLACES = (
    ("Indianapolis", "IN", ("46204", "46220", "46240", "46250", "46256", "46260"), ("317",), "America/Indiana/Indianapolis", 30),
    ("Carmel", "IN", ("46032", "46033"), ("317",), "America/Indiana/Indianapolis", 16),
    ("Fishers", "IN", ("46037", "46038"), ("317",), "America/Indiana/Indianapolis", 12),
    ("West Lafayette", "IN", ("47906",), ("765",), "America/Indiana/Indianapolis", 8),
    ("Zionsville", "IN", ("46077",), ("317",), "America/Indiana/Indianapolis", 5),
    ("Noblesville", "IN", ("46060", "46062"), ("317",), "America/Indiana/Indianapolis", 4),
    ("Westfield", "IN", ("46074",), ("317",), "America/Indiana/Indianapolis", 4),
    ("Bloomington", "IN", ("47401", "47408"), ("812",), "America/Indiana/Indianapolis", 4),
    ("Fort Wayne", "IN", ("46804", "46814"), ("260",), "America/Indiana/Indianapolis", 3),
    ("San Jose", "CA", ("95120", "95129", "95135"), ("408",), "America/Los_Angeles", 14),
    ("Fremont", "CA", ("94536", "94539", "94555"), ("510",), "America/Los_Angeles", 14),
    ("Santa Clara", "CA", ("95051", "95054"), ("408",), "America/Los_Angeles", 7),
    ("Sunnyvale", "CA", ("94086", "94087"), ("408",), "America/Los_Angeles", 6),
    ("Cupertino", "CA", ("95014",), ("408",), "America/Los_Angeles", 5),
    ("Milpitas", "CA", ("95035",), ("408",), "America/Los_Angeles", 5),
    ("San Francisco", "CA", ("94107", "94110", "94115", "94122"), ("415",), "America/Los_Angeles", 6),
    ("Palo Alto", "CA", ("94301", "94306"), ("650",), "America/Los_Angeles", 3),
    ("Pleasanton", "CA", ("94566", "94588"), ("925",), "America/Los_Angeles", 4),
    ("San Ramon", "CA", ("94582", "94583"), ("925",), "America/Los_Angeles", 3),
    ("Los Angeles", "CA", ("90024", "90034", "90049", "90064"), ("310",), "America/Los_Angeles", 7),
    ("Irvine", "CA", ("92602", "92612", "92618", "92620"), ("949",), "America/Los_Angeles", 8),
    ("Diamond Bar", "CA", ("91765",), ("909",), "America/Los_Angeles", 2),
    ("San Diego", "CA", ("92122", "92130"), ("858",), "America/Los_Angeles", 3),
    ("Jackson Heights", "NY", ("11372",), ("718",), "America/New_York", 4),
    ("Brooklyn", "NY", ("11218", "11230"), ("718",), "America/New_York", 4),
    ("Hicksville", "NY", ("11801",), ("516",), "America/New_York", 3),
    ("New York", "NY", ("10025", "10128"), ("212",), "America/New_York", 3),
    ("Edison", "NJ", ("08820",), ("732",), "America/New_York", 3),
    ("Jersey City", "NJ", ("07306",), ("201",), "America/New_York", 2),
    ("Houston", "TX", ("77042", "77077"), ("713",), "America/Chicago", 4),
    ("Sugar Land", "TX", ("77479",), ("281",), "America/Chicago", 2),
    ("Plano", "TX", ("75024", "75093"), ("972",), "America/Chicago", 3),
    ("Naperville", "IL", ("60540", "60565"), ("630",), "America/Chicago", 3),
    ("Chicago", "IL", ("60645", "60659"), ("773",), "America/Chicago", 3),
    ("Fairfax", "VA", ("22030",), ("703",), "America/New_York", 2),
    ("Herndon", "VA", ("20171",), ("703",), "America/New_York", 2),
    ("Rockville", "MD", ("20850",), ("301",), "America/New_York", 2),
    ("Alpharetta", "GA", ("30022",), ("770",), "America/New_York", 2),
    ("Troy", "MI", ("48084",), ("248",), "America/Detroit", 2),
    ("Columbus", "OH", ("43235",), ("614",), "America/New_York", 2),
    ("Redmond", "WA", ("98052",), ("425",), "America/Los_Angeles", 2),
    ("Cambridge", "MA", ("02139",), ("617",), "America/New_York", 1),
    ("Cary", "NC", ("27519",), ("919",), "America/New_York", 1),
)  # fmt: skip

BAY_AREA = frozenset(
    {"San Jose", "Fremont", "Santa Clara", "Sunnyvale", "Cupertino", "Milpitas",
     "San Francisco", "Palo Alto", "Pleasanton", "San Ramon"}
)  # fmt: skip
INDY_AREA = frozenset(
    {"Indianapolis", "Carmel", "Fishers", "Zionsville", "Noblesville", "Westfield",
     "West Lafayette"}
)  # fmt: skip

# (issuer as a receipt names it, a round demo price per share)
STOCKS = (
    ("Eli Lilly and Company (LLY)", Decimal("780.00")),
    ("Apple Inc. (AAPL)", Decimal("210.00")),
    ("Microsoft Corporation (MSFT)", Decimal("420.00")),
    ("Cummins Inc. (CMI)", Decimal("350.00")),
    ("Vanguard Total Stock Market ETF (VTI)", Decimal("270.00")),
    ("Alphabet Inc. Class A (GOOGL)", Decimal("170.00")),
)

# (kind, in honor or memory of, who to tell, their email)
TRIBUTES = (
    ("memory", "Begum Rashida Qureshi", "The Qureshi family", "qureshi.family@example.net"),
    ("memory", "Chaudhry Abdul Ghafoor", "", ""),
    ("honor", "Our parents' 50th anniversary", "Shamim and Akbar Malik", "akbar.malik@example.com"),
    ("memory", "Sister Ruth Lewis", "St. Joseph's Parish", "office@stjoseph.example.org"),
    (
        "honor",
        "Dr. Nasreen Baig, on her retirement",
        "Dr. Nasreen Baig",
        "nasreen.baig@example.com",
    ),
    ("memory", "Mian Muhammad Aslam", "", ""),
)

INTERACTION_NOTES = (
    ("call", "Thanked for the year-end gift; interested in the girls' scholarship program."),
    ("meeting", "Coffee in Carmel: talked about sponsoring a table at the Indianapolis Dinner."),
    ("email", "Asked for a copy of last year's annual report; sent the PDF."),
    ("note", "Prefers to be contacted by text message; does not want mailed appeals."),
    ("meeting", "Visit with the program director about the flood relief work in Sindh."),
    ("letter", "Handwritten thank-you from the chair after the dinner."),
    ("call", "Will ask their employer about the matching gift program."),
    ("event", "Volunteered at the registration table at the dinner."),
)

# The organization profile. The EIN is a placeholder in the IRS's format, not a real one.
ORGANIZATION = dict(
    legal_name="Movement for Solidarity and Peace in Pakistan",
    ein="12-3456789",
    address_line1="228 East 45th Street, Suite 900",
    city="New York",
    state="NY",
    postal_code="10017",
    email="office@msp.example.org",
    phone="+1 212 555 0147",
    website="https://msp.example.org",
    signatory_name="Sara Ahmed",
    signatory_title="Treasurer",
    time_zone="America/New_York",
    fiscal_year_start_month=1,
    # Many of MSP's donors live in the UK, Canada, Europe and the Gulf.
    donation_currencies="GBP CAD EUR AED",
    ny_disclosure=(
        "A copy of our latest annual financial report may be obtained, upon request, from "
        "Movement for Solidarity and Peace in Pakistan, 228 East 45th Street, Suite 900, "
        "New York, NY 10017, or from the New York State Attorney General's Charities Bureau, "
        "Attn: FOIL Officer, 28 Liberty Street, New York, NY 10005, or at www.charitiesnys.com."
    ),
    ca_disclosure=(
        "Of the price you pay, {deductible} is deductible as a charitable contribution for "
        "federal income tax purposes; the rest is the value of the meal and entertainment you "
        "receive."
    ),
)

# The eight seats: (prefix, first, last, city, role, committees, years after the first term began).
BOARD = (
    ("Dr.", "Imran", "Qureshi", "Carmel", "chair", ("Finance", "Governance"), 0),
    ("", "Sara", "Ahmed", "Brooklyn", "treasurer", ("Finance",), 0),
    ("", "Nadia", "Malik", "Fremont", "secretary", ("Governance", "Events"), 0),
    ("Dr.", "Zainab", "Hussain", "Indianapolis", "member", ("Development", "Events"), 0),
    ("", "Tariq", "Chaudhry", "San Jose", "member", ("Development",), 1),
    ("Rev.", "Samuel", "Masih", "West Lafayette", "member", ("Events", "Governance"), 0),
    ("", "Hina", "Raza", "Irvine", "member", ("Development", "Events"), 1),
    ("", "Kamran", "Baig", "Fishers", "member", ("Finance",), 2),
)
COMMITTEES = ("Development", "Events", "Finance", "Governance")

# Organizations that give: key -> (kind, name, city, tags).
ORGANIZATIONS = {
    "larkspur": ("company", "Larkspur Systems Inc.", "Santa Clara", ("Matching gifts",)),
    "crescent": ("company", "Crescent Health Partners, P.C.", "Indianapolis", ("Matching gifts",)),
    "lahore_grill": ("company", "Lahore Grill Catering LLC", "Indianapolis", ("In-kind",)),
    "karachi_kitchen": ("company", "Karachi Kitchen Catering", "Fremont", ("In-kind",)),
    "indus_software": ("company", "Indus Valley Software LLC", "Fishers", ("Sponsor",)),
    "noor": ("foundation", "Noor Family Foundation", "Irvine", ("Foundation",)),
    "ravi": ("foundation", "Ravi River Foundation", "Naperville", ("Foundation",)),
    "hoosier": ("foundation", "Hoosier Interfaith Peace Fund", "Indianapolis", ("Foundation",)),
    "beacon": ("daf_sponsor", "Beacon Charitable Gift Fund", "Cambridge", ()),
    "cypress": ("daf_sponsor", "Cypress Community Giving Fund", "San Francisco", ()),
}

FUNDS = (
    # (name, restricted, description); the first is the general fund.
    ("General fund", False, "Unrestricted: where most needed."),
    ("Flood relief", True, "Relief and rebuilding after the floods in Sindh and Punjab."),
    ("Girls' education scholarships", True, "School fees, books and transport for girls."),
    ("Interfaith peace program", True, "Dialogue circles and youth camps across faiths."),
)
