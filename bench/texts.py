"""Made-up but realistic story text for the generated data sets (deterministic)."""

from __future__ import annotations

import random

CSV_HEADER = (
    *("title", "body", "author", "role", "organisation", "link", "image", "image_alt"),
    *("language", "consent_by", "consent_date", "consent_scope", "pin_date", "notes"),
)


def pool(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


FIRST_NAMES = pool(
    "Zoë|Amara|Siân|Tomasz|Priya|Oluwaseun|Eilidh|Mohammed|Grace|Dylan|Aoife|Hamish|Fatima|"
    "Rhys|Chloe|Kwame|Ines|Callum|Mei|Bartosz|Niamh|Imran|Hannah|Joseph|Saoirse|Lukas|"
    "Ayesha|Owen"
)
LAST_NAMES = pool(
    "Adeyemi-Brown|Jones|Kowalski|Patel|MacLeod|Okafor|O'Neill|Hughes|Rahman|Evans|Nguyen|"
    "Campbell|Ahmed|Williams|Murphy|Davies|Singh|Fraser|Nowak|Thompson|Byrne|Khan|Roberts|"
    "Morgan|Chen|Reid"
)
ROLES = pool(
    "Designated Safeguarding Lead|Ward Sister|Social Worker|Practice Manager|"
    "Head of Adult Social Care|Community Nurse|GP Partner|Data Protection Officer|"
    "Paramedic|Housing Officer|Pharmacist|Health Visitor|School Business Manager|"
    "Occupational Therapist|Information Governance Lead|Care Home Manager"
)
ORGS = pool(
    "Hollinsbridge Primary School|St Aldhelm's Hospital NHS Trust|Calderfield Council|"
    "Northmoor Health Centre|Riverside Care Home|Westhaven Ambulance Service|"
    "Glenbrae Health and Social Care Partnership|Pen-y-Bryn Surgery|"
    "Ashcombe Housing Association|Kingsmere Community Pharmacy|Dunmore Academy Trust"
)
OPENINGS = (
    "When I started in this job, a family in crisis could have eleven different workers and "
    "eleven different files.",
    "Last winter an older man was discharged from hospital on a Friday afternoon.",
    "One of our pupils kept missing PE with tummy aches, and on its own that meant nothing.",
    "A woman rang us at 2am, frightened, and with no idea which service she needed.",
    "We used to fax referrals, then wait a fortnight for a letter back.",
    "Our district nurses spent the first hour of every visit asking the same questions again.",
    "A young carer turned up at the surgery asking about her mum's tablets.",
    "Nobody was careless. The systems just didn't talk to each other.",
    "For years the pharmacy couldn't see what the hospital had changed.",
    "The crew arrived to find a man who couldn't tell them what he took or why.",
)
MIDDLES = (
    "Because the team could see the discharge summary the same day, a carer was at his door "
    "by six o'clock.",
    "Once school and GP notes were looked at together, the pattern was clear.",
    "With the shared record we could see her history in seconds and call the right team.",
    "Now the referral lands in the right inbox within the hour, with consent recorded.",
    "Having the allergy list on the tablet meant we didn't give him the one drug that would "
    "have hurt him.",
    "Sharing just the facts that mattered, and nothing more, kept everyone on the same page.",
    "The information was there, properly protected, and the right person could act on it.",
    "We checked the data sharing agreement first; it took ten minutes, not ten weeks.",
    "Her social worker, her teacher and her GP finally had the same picture.",
)
ENDINGS = (
    "Ten years ago he would have waited over the weekend, alone, with no food in the house.",
    "The right help arrived within a week, not a term.",
    "That is what good information sharing looks like: quiet, safe and on time.",
    "Nobody had to tell their story five times.",
    "It felt like the system was finally on the family's side.",
    "Small change, big difference, and no one's privacy was put at risk.",
    "She's back at school and thriving, and her mum got the support she needed too.",
    "We'd never go back to the old way.",
)
TITLE_WORDS = (
    ("Joined-up", "Shared", "Timely", "Safe", "Quiet", "Better", "Faster", "Kinder", "Clearer"),
    ("notes", "records", "referrals", "information", "data", "answers", "hand-overs", "care"),
    (
        "spotted what none of us could alone",
        "got him home safely",
        "kept a family together",
        "made the difference",
        "saved a week of waiting",
        "meant one phone call, not five",
        "helped us act in time",
        "put the right people in the room",
    ),
)
SCOPES = (
    "social media, website, 12 months",
    "social media only",
    "all channels, no time limit",
    "social media and newsletter, 24 months",
)
LANGUAGES = ("en", "en", "en", "en", "en", "en", "cy", "gd", "ga", "pl", "ur", "fr")


def story_text(rng: random.Random, number: int) -> tuple[str, str, str]:
    """(title, body, author) for one story: ~300 characters of body."""
    title = (
        f"{rng.choice(TITLE_WORDS[0])} {rng.choice(TITLE_WORDS[1])} {rng.choice(TITLE_WORDS[2])}"
    )
    parts = [rng.choice(OPENINGS), rng.choice(MIDDLES), rng.choice(ENDINGS)]
    while sum(map(len, parts)) < 260:
        parts.insert(-1, rng.choice(MIDDLES))
    sep = "\n\n" if number % 7 == 0 else " "  # some bodies are multi-line cells
    body = sep.join(parts)
    # Real stories differ in their details: a place, a number of days, an age.
    detail = f" (That was in {rng.choice(ORGS).split()[0]}, {number % 97 + 2} days ago.)"
    body += detail
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return title, body, author


def short_row(rng: random.Random, number: int, consent: str, pin: str = "") -> list[str]:
    """A CSV row (CSV_HEADER order) with the required columns and a few optional ones."""
    title, body, author = story_text(rng, number)
    role, org = rng.choice(ROLES), rng.choice(ORGS)
    return [title, body, author, role, org, "", "", "", "en", author, consent, "", pin, ""]
