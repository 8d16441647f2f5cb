"""The demo data set loaded by ``manage.py load_demo``: plain data, no logic.

One record is real: Qatar's statement at the 2022 Dushanbe border-security conference, told
as a neutral summary written for this archive (never the ministry's own sentences).  Every
other person, event and statement is a fictional sample, labelled "(fictional)" or
"(fictional sample)" in its name or title and "fictional sample" in its notes and source; they
speak for real delegations only so that country pages and facets have something to show.
No words are put in the mouth of a real person.

Every statement carries ``import_key`` ``demo:<n>`` and every source name says "demo", so the
loader is idempotent and demo rows can be found (and removed) later.
"""

import datetime

d = datetime.date

FICTIONAL_SOURCE = "Fictional sample source (demo record, not a real publication)"
FICTIONAL_NOTE = "Fictional sample person for the demo data set; not a real official."

# --- speakers ---------------------------------------------------------------------------

SPEAKERS = [
    {
        "slug": "mutlaq-bin-majed-al-qahtani",
        "name": "Mutlaq bin Majed Al Qahtani",
        "honorific": "Dr.",
        "country": "QAT",
        "aliases": [
            "Mutlaq Al-Qahtani",
            "Mutlaq bin Majed Al-Qahtani",
            "Mutlaq Al Qahtani",
            "Mutlaq Majed Al-Qahtani",
            "مطلق بن ماجد القحطاني",
        ],
        "notes": (
            "Real person. The demo set holds one record about him: a neutral summary, "
            "written for this archive, of a statement reported by Qatar's Ministry of Foreign "
            "Affairs."
        ),
    },
    {
        "slug": "amina-sample",
        "name": "Amina Sample (fictional)",
        "honorific": "HE",
        "country": "KEN",
        "aliases": ["A. Sample"],
        "notes": FICTIONAL_NOTE,
    },
    {
        "slug": "liam-osample",
        "name": "Liam O'Sample (fictional)",
        "honorific": "Mr.",
        "country": "CAN",
        "aliases": ["Liam OSample", "Liam O’Sample"],
        "notes": FICTIONAL_NOTE,
    },
    {
        "slug": "jean-baptiste-exemple",
        "name": "Jean-Baptiste Exemple (fictional)",
        "honorific": "HE",
        "country": "CHE",
        "aliases": ["Jean Baptiste Exemple", "J.-B. Exemple"],
        "notes": FICTIONAL_NOTE,
    },
    {
        "slug": "ingrid-prove",
        "name": "Ingrid Prøve (fictional)",
        "honorific": "Ms.",
        "country": "NOR",
        "aliases": ["Ingrid Prove", "Ingrid Proeve"],
        "notes": FICTIONAL_NOTE,
    },
    {
        "slug": "kenji-mihon",
        "name": "Kenji Mihon (fictional)",
        "honorific": "Mr.",
        "country": "JPN",
        "aliases": ["見本 健二"],
        "notes": FICTIONAL_NOTE,
    },
    {
        "slug": "lucia-exemplo",
        "name": "Lúcia Exemplo (fictional)",
        "honorific": "Dr.",
        "country": "BRA",
        "aliases": ["Lucia Exemplo"],
        "notes": FICTIONAL_NOTE,
    },
    {
        "slug": "karim-al-namudhaj",
        "name": "Karim Al-Namudhaj (fictional)",
        "honorific": "HE",
        "country": "JOR",
        "aliases": ["Karim Al Namudhaj", "كريم النموذج"],
        "notes": FICTIONAL_NOTE,
    },
    {
        "slug": "nour-mithal",
        "name": "Nour Mithal (fictional)",
        "honorific": "Dr.",
        "country": "EGY",
        "aliases": ["Nur Mithal", "نور مثال"],
        "notes": FICTIONAL_NOTE,
    },
    {
        "slug": "tomas-beispiel",
        "name": "Tomás Beispiel (fictional)",
        "honorific": "Mr.",
        "country": "DEU",
        "aliases": ["Tomas Beispiel"],
        "notes": FICTIONAL_NOTE,
    },
    {
        # Appears only on a draft: the public must not find this name anywhere.
        "slug": "zofia-probka",
        "name": "Zofia Próbka (fictional)",
        "honorific": "Ms.",
        "country": "POL",
        "aliases": [],
        "notes": FICTIONAL_NOTE + " Appears only on a draft.",
    },
]

# --- events -----------------------------------------------------------------------------

SAMPLE_ASSEMBLY = "Sample Assembly of Nations (fictional)"
SAMPLE_WATER = "Sample Water Dialogue (fictional)"
FICTIONAL_ORGANISER = "Fictional organising committee (demo data)"

EVENTS = [
    {
        "slug": "dushanbe-border-security-conference-2022",
        "name": (
            "High-Level International Conference on International and Regional Border "
            "Security and Management Cooperation to Counter Terrorism and Prevent the "
            "Movement of Terrorists"
        ),
        "short_name": "Dushanbe Border Security Conference 2022",
        "kind": "conference",
        "series": "Dushanbe Process",
        "city": "Dushanbe",
        "country": "TJK",
        "start_date": d(2022, 10, 18),
        "end_date": d(2022, 10, 19),
        "organiser": "",
    },
    {
        "slug": "sample-assembly-first-session-2019",
        "name": "Sample Assembly of Nations (fictional), first session, general debate",
        "short_name": "Sample Assembly 2019 (fictional)",
        "kind": "session",
        "series": SAMPLE_ASSEMBLY,
        "city": "New York",
        "country": "USA",
        "start_date": d(2019, 9, 24),
        "end_date": d(2019, 9, 30),
        "organiser": FICTIONAL_ORGANISER,
    },
    {
        "slug": "sample-assembly-second-session-2020",
        "name": "Sample Assembly of Nations (fictional), second session, general debate",
        "short_name": "Sample Assembly 2020 (fictional)",
        "kind": "session",
        "series": SAMPLE_ASSEMBLY,
        "city": "New York",
        "country": "USA",
        "start_date": d(2020, 9, 22),
        "end_date": d(2020, 9, 29),
        "organiser": FICTIONAL_ORGANISER,
    },
    {
        "slug": "sample-meeting-on-migration-routes-2020",
        "name": "Sample Regional Meeting on Migration Routes (fictional)",
        "short_name": "",
        "kind": "meeting",
        "series": "",
        "city": "Amman",
        "country": "JOR",
        "start_date": d(2020, 11, 15),
        "end_date": None,
        "organiser": FICTIONAL_ORGANISER,
    },
    {
        "slug": "sample-water-dialogue-2021",
        "name": "Sample Ministerial Water Dialogue on Shared Rivers (fictional)",
        "short_name": "Sample Water Dialogue 2021 (fictional)",
        "kind": "conference",
        "series": SAMPLE_WATER,
        "city": "Geneva",
        "country": "CHE",
        "start_date": d(2021, 3, 22),
        "end_date": d(2021, 3, 23),
        "organiser": FICTIONAL_ORGANISER,
    },
    {
        "slug": "sample-food-security-meeting-2022",
        "name": "Sample Ministerial Meeting on Food Security (fictional)",
        "short_name": "",
        "kind": "meeting",
        "series": "",
        "city": "Cairo",
        "country": "EGY",
        "start_date": d(2022, 6, 12),
        "end_date": None,
        "organiser": FICTIONAL_ORGANISER,
    },
    {
        "slug": "sample-water-dialogue-2023",
        "name": "Sample Ministerial Water Dialogue on Drought and Floods (fictional)",
        "short_name": "Sample Water Dialogue 2023 (fictional)",
        "kind": "conference",
        "series": SAMPLE_WATER,
        "city": "Nairobi",
        "country": "KEN",
        "start_date": d(2023, 5, 10),
        "end_date": d(2023, 5, 11),
        "organiser": FICTIONAL_ORGANISER,
    },
    {
        "slug": "sample-visit-to-brasilia-2023",
        "name": "Sample Official Visit to Brasília (fictional)",
        "short_name": "",
        "kind": "visit",
        "series": "",
        "city": "Brasília",
        "country": "BRA",
        "start_date": d(2023, 8, 14),
        "end_date": d(2023, 8, 15),
        "organiser": FICTIONAL_ORGANISER,
    },
    {
        "slug": "sample-digital-cooperation-summit-2024",
        "name": "Sample Summit on Digital Cooperation (fictional)",
        "short_name": "Sample Digital Summit 2024 (fictional)",
        "kind": "summit",
        "series": "",
        "city": "Tokyo",
        "country": "JPN",
        "start_date": d(2024, 2, 6),
        "end_date": d(2024, 2, 7),
        "organiser": FICTIONAL_ORGANISER,
    },
]

# --- statements -------------------------------------------------------------------------
# "speakers" is a list of (speaker slug, role held at the time); "body" a list of paragraphs.

STATEMENTS = [
    {
        "n": 1,
        "slug": "qatar-dushanbe-border-security-conference-2022",
        "title": (
            "Qatar at the Dushanbe high-level conference on border security and "
            "counter-terrorism"
        ),
        "delivered_on": d(2022, 10, 18),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "QAT",
        "event": "dushanbe-border-security-conference-2022",
        "speakers": [
            (
                "mutlaq-bin-majed-al-qahtani",
                "Special Envoy of the Minister of Foreign Affairs for Counter-Terrorism and "
                "Mediation in Conflict Resolution",
            ),
        ],
        "topics": [
            "counter-terrorism",
            "border security",
            "foreign terrorist fighters",
            "international cooperation",
        ],
        "summary": (
            "Qatar's delegation, led by Special Envoy Dr. Mutlaq bin Majed Al Qahtani, backed "
            "the Dushanbe Process and international cooperation on border management against "
            "terrorism, and described Qatar's own border-security measures. Summary written "
            "for this archive."
        ),
        "source_name": (
            "Ministry of Foreign Affairs of the State of Qatar (demo record: summary written "
            "for this archive)"
        ),
        "source_url": "",
        "body": [
            "Qatar took part in the high-level international conference on border security "
            "and management held in Dushanbe, Tajikistan, within the Dushanbe Process. Its "
            "delegation was headed by Dr. Mutlaq bin Majed Al Qahtani, the Foreign "
            "Minister's Special Envoy for Counter-Terrorism and Mediation in Conflict "
            "Resolution. This record summarises, in the archive's own words, the statement "
            "as reported by the Qatari Ministry of Foreign Affairs.",
            "According to that report, the envoy confirmed that Qatar would go on supporting "
            "work against terrorism and for better border management. He presented the "
            "Dushanbe Process as a useful way of coordinating counter-terrorism efforts "
            "between regional and international partners, and recalled that Qatar had also "
            "backed the conferences of 2018 and 2019.",
            "The statement dealt with the cross-border side of terrorism: travel by "
            "terrorists, foreign terrorist fighters among them, and the smuggling of weapons "
            "and drugs. It linked effective border control to cooperation under "
            "international law, naming human rights, humanitarian and refugee law and the "
            "fourth pillar of the United Nations Global Counter-Terrorism Strategy, and it "
            "cited armed conflicts, unresolved border disputes and corruption in border "
            "services as aggravating factors.",
            "The envoy called for information exchange, training and the sharing of good "
            "practice, and for governments, international and regional bodies and civil "
            "society to work together, with reference to the General Assembly's most recent "
            "review of the Strategy and to Security Council resolutions on the subject.",
            "On Qatar's own measures, the report lists revised laws and regulations, "
            "spending on technology and trained staff, risk analysis, the screening of "
            "travellers and cargo, coordination between national agencies and with INTERPOL, "
            "and extra preparations ahead of the FIFA World Cup Qatar 2022. It also mentions "
            "the visit of the Security Council Counter-Terrorism Committee to Qatar in "
            "February 2020.",
        ],
    },
    {
        "n": 2,
        "slug": "sample-assembly-2019-kenya-water-and-climate",
        "title": "General debate address on water and climate (fictional sample)",
        "delivered_on": d(2019, 9, 25),
        "kind": "speech",
        "language": "en",
        "status": "published",
        "country": "KEN",
        "event": "sample-assembly-first-session-2019",
        "speakers": [("amina-sample", "Deputy Minister for Foreign Affairs")],
        "topics": ["water security", "climate change", "sustainable development"],
        "summary": "Fictional sample entry: a general debate address on water and climate.",
        "body": [
            "In this fictional sample address, the deputy minister described longer dry "
            "seasons in the region and asked for climate finance that reaches local water "
            "projects.",
            "She proposed a regional register of boreholes and rain-harvesting schemes, so "
            "that donors and governments could see where money was already at work.",
        ],
    },
    {
        "n": 3,
        "slug": "sample-assembly-2019-canada-peacekeeping",
        "title": "General debate address on peacekeeping reform (fictional sample)",
        "delivered_on": d(2019, 9, 26),
        "kind": "speech",
        "language": "en",
        "status": "published",
        "country": "CAN",
        "event": "sample-assembly-first-session-2019",
        "speakers": [("liam-osample", "Permanent Representative to the United Nations")],
        "topics": ["peacekeeping", "U.N. Security Council reform"],
        "summary": "Fictional sample entry: peacekeeping mandates and Council working methods.",
        "body": [
            "The fictional representative argued that peacekeeping mandates should be "
            "shorter, clearer and reviewed with the countries that provide troops.",
            "He also suggested that the Council publish its draft programme of work earlier, "
            "so that smaller delegations could prepare.",
        ],
    },
    {
        "n": 4,
        "slug": "sample-assembly-2019-jordan-refugees-ar",
        "title": "كلمة تجريبية في المناقشة العامة حول اللاجئين (نموذج خيالي)",
        "delivered_on": d(2019, 9, 26),
        "kind": "speech",
        "language": "ar",
        "status": "published",
        "country": "JOR",
        "event": "sample-assembly-first-session-2019",
        "speakers": [("karim-al-namudhaj", "Minister for Foreign Affairs")],
        "topics": ["migration", "human rights"],
        "summary": "سجل تجريبي خيالي: كلمة حول استضافة اللاجئين وتقاسم الأعباء.",
        "body": [
            "هذا سجل تجريبي خيالي أُعدّ لعرض الأرشيف، ولا ينقل كلام أي شخص حقيقي.",
            "تناولت الكلمة الخيالية الضغط على المدارس والمستشفيات في المجتمعات المضيفة، "
            "ودعت إلى تمويل طويل الأمد بدلاً من المساعدات الطارئة وحدها.",
        ],
    },
    {
        "n": 5,
        "slug": "sample-assembly-2019-japan-disaster-risk",
        "title": "General debate address on disaster risk reduction (fictional sample)",
        "delivered_on": d(2019, 9, 27),
        "kind": "speech",
        "language": "en",
        "status": "published",
        "country": "JPN",
        "event": "sample-assembly-first-session-2019",
        "speakers": [("kenji-mihon", "Ambassador and Deputy Permanent Representative")],
        "topics": ["disaster risk reduction", "climate change"],
        "summary": "Fictional sample entry: early warning and building codes.",
        "body": [
            "The fictional ambassador spoke about early-warning drills in schools and about "
            "building codes that take earthquakes and floods into account together.",
            "He offered to host a workshop for coastal cities on evacuation planning.",
        ],
    },
    {
        "n": 6,
        "slug": "sample-assembly-2019-norway-oceans",
        "title": "General debate address on ocean governance (fictional sample)",
        "delivered_on": d(2019, 9, 27),
        "kind": "speech",
        "language": "en",
        "status": "published",
        "country": "NOR",
        "event": "sample-assembly-first-session-2019",
        "speakers": [("ingrid-prove", "State Secretary for Foreign Affairs")],
        "topics": ["ocean governance", "sustainable development"],
        "summary": "Fictional sample entry: marine plastics and fisheries data.",
        "body": [
            "In this fictional sample, the state secretary described a pilot programme that "
            "tracks fishing vessels by satellite and shares the data with coastal States.",
            "She called for a common method of measuring plastic waste in the open sea.",
        ],
    },
    {
        "n": 7,
        "slug": "sample-2019-switzerland-humanitarian-workshop",
        "title": "Press release on a humanitarian corridor workshop (fictional sample)",
        "delivered_on": d(2019, 11, 4),
        "kind": "press_release",
        "language": "en",
        "status": "published",
        "country": "CHE",
        "event": None,
        "speakers": [
            ("jean-baptiste-exemple", "Ambassador to the United Nations Office at Geneva"),
        ],
        "topics": ["humanitarian access", "human rights"],
        "summary": "Fictional sample entry: a workshop on negotiating humanitarian corridors.",
        "source_url": "https://example.org/demo/humanitarian-corridor-workshop",
        "body": [
            "This fictional press release announced a two-day workshop for negotiators on "
            "the practical steps of opening humanitarian corridors.",
            "It listed the sample topics: notification of convoys, deconfliction with armed "
            "forces, and the protection of medical staff.",
        ],
    },
    {
        "n": 8,
        "slug": "sample-2020-brazil-vaccine-supply-interview",
        "title": "Interview on vaccine supply chains (fictional sample)",
        "delivered_on": d(2020, 3, 10),
        "kind": "interview",
        "language": "en",
        "status": "published",
        "country": "BRA",
        "event": None,
        "speakers": [("lucia-exemplo", "Secretary for Multilateral Affairs")],
        "topics": ["public health", "international cooperation"],
        "summary": "Fictional sample entry: an interview about cold chains for vaccines.",
        "body": [
            "Asked about vaccine logistics, the fictional secretary described gaps in "
            "refrigerated transport to remote areas.",
            "She mentioned regional purchasing as one way to lower prices for smaller "
            "countries.",
        ],
    },
    {
        "n": 9,
        "slug": "sample-assembly-2020-kenya-drought",
        "title": "Second-session address on drought resilience (fictional sample)",
        "delivered_on": d(2020, 9, 23),
        "kind": "speech",
        "language": "en",
        "status": "published",
        "country": "KEN",
        "event": "sample-assembly-second-session-2020",
        "speakers": [("amina-sample", "Deputy Minister for Foreign Affairs")],
        "topics": ["water security", "climate change"],
        "summary": "Fictional sample entry: drought insurance for herders.",
        "body": [
            "The fictional deputy minister returned to the theme of water, this time "
            "describing a drought-insurance scheme for herders.",
            "She asked partners to share satellite rainfall data free of charge.",
        ],
    },
    {
        "n": 10,
        "slug": "sample-assembly-2020-germany-arms-control",
        "title": "Second-session address on arms control (fictional sample)",
        "delivered_on": d(2020, 9, 24),
        "kind": "speech",
        "language": "en",
        "status": "published",
        "country": "DEU",
        "event": "sample-assembly-second-session-2020",
        "speakers": [("tomas-beispiel", "Deputy Permanent Representative")],
        "topics": ["arms control", "U.N. Security Council reform"],
        "summary": "Fictional sample entry: small-arms marking and tracing.",
        "body": [
            "This fictional address dealt with the marking and tracing of small arms and "
            "with regular reporting to a sample register.",
            "It also touched on the number of permanent and elected seats in the Council.",
        ],
    },
    {
        "n": 11,
        "slug": "sample-assembly-2020-egypt-food-and-water-ar",
        "title": "كلمة تجريبية حول الأمن الغذائي والمياه (نموذج خيالي)",
        "delivered_on": d(2020, 9, 24),
        "kind": "speech",
        "language": "ar",
        "status": "published",
        "country": "EGY",
        "event": "sample-assembly-second-session-2020",
        "speakers": [("nour-mithal", "Assistant Minister for Multilateral Affairs")],
        "topics": ["food security", "water security"],
        "summary": "سجل تجريبي خيالي: الربط بين الري والإنتاج الزراعي.",
        "body": [
            "هذا سجل تجريبي خيالي أُعدّ لعرض الأرشيف، ولا ينقل كلام أي شخص حقيقي.",
            "تحدثت الكلمة الخيالية عن تحديث شبكات الري، وعن أثر نقص المياه على "
            "إنتاج القمح، ودعت إلى تبادل الخبرات في الزراعة الموفرة للمياه.",
        ],
    },
    {
        "n": 12,
        "slug": "sample-2020-jordan-migration-routes-ar",
        "title": "بيان تجريبي حول طرق الهجرة غير النظامية (نموذج خيالي)",
        "delivered_on": d(2020, 11, 15),
        "kind": "statement",
        "language": "ar",
        "status": "published",
        "country": "JOR",
        "event": "sample-meeting-on-migration-routes-2020",
        "speakers": [("karim-al-namudhaj", "Minister for Foreign Affairs")],
        "topics": ["migration", "border security"],
        "summary": "سجل تجريبي خيالي: التعاون مع دول العبور.",
        "body": [
            "هذا سجل تجريبي خيالي أُعدّ لعرض الأرشيف، ولا ينقل كلام أي شخص حقيقي.",
            "تناول البيان الخيالي طرق الهجرة غير النظامية، وحماية المهاجرين من شبكات "
            "التهريب، والتعاون مع دول العبور في تبادل المعلومات.",
        ],
    },
    {
        "n": 13,
        "slug": "sample-2020-canada-regular-migration",
        "title": "Statement on safe and regular migration routes (fictional sample)",
        "delivered_on": d(2020, 11, 15),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "CAN",
        "event": "sample-meeting-on-migration-routes-2020",
        "speakers": [("liam-osample", "Special Envoy for Migration")],
        "topics": ["migration", "human rights"],
        "summary": "Fictional sample entry: labour mobility schemes.",
        "body": [
            "The fictional envoy described seasonal labour schemes as a lawful alternative "
            "to dangerous journeys.",
            "He proposed that sending and receiving States publish the fees recruiters may "
            "charge.",
        ],
    },
    {
        "n": 14,
        "slug": "sample-2020-switzerland-border-procedures",
        "title": "Statement on humanitarian border procedures (fictional sample)",
        "delivered_on": d(2020, 11, 15),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "CHE",
        "event": "sample-meeting-on-migration-routes-2020",
        "speakers": [
            ("jean-baptiste-exemple", "Ambassador to the United Nations Office at Geneva"),
        ],
        "topics": ["migration", "humanitarian access", "border security"],
        "summary": "Fictional sample entry: screening at borders that respects asylum rights.",
        "body": [
            "In this fictional sample, the ambassador described training for border staff "
            "on identifying people who need protection.",
            "He offered a sample checklist for interviews at crossing points.",
        ],
    },
    {
        "n": 15,
        "slug": "sample-water-dialogue-2021-kenya-opening",
        "title": "Opening statement on shared rivers (fictional sample)",
        "delivered_on": d(2021, 3, 22),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "KEN",
        "event": "sample-water-dialogue-2021",
        "speakers": [("amina-sample", "Minister for Foreign Affairs")],
        "topics": ["water security", "international cooperation"],
        "summary": "Fictional sample entry: the first statement in her new role as minister.",
        "body": [
            "Now minister in this fictional record, she opened the dialogue by listing the "
            "rivers her country shares with its neighbours.",
            "She suggested joint monitoring stations on each shared river.",
        ],
    },
    {
        "n": 16,
        "slug": "sample-water-dialogue-2021-norway-data",
        "title": "Statement on transboundary water data (fictional sample)",
        "delivered_on": d(2021, 3, 22),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "NOR",
        "event": "sample-water-dialogue-2021",
        "speakers": [("ingrid-prove", "State Secretary for Foreign Affairs")],
        "topics": ["water security", "data sharing"],
        "summary": "Fictional sample entry: open formats for river-flow data.",
        "body": [
            "The fictional state secretary argued for open file formats for river-flow and "
            "water-quality measurements.",
            "She offered technical help to set up a shared data portal.",
        ],
    },
    {
        "n": 17,
        "slug": "sample-water-dialogue-2021-joint-data-platform",
        "title": "Joint statement on a shared water data platform (fictional sample)",
        "delivered_on": d(2021, 3, 23),
        "kind": "joint_statement",
        "language": "en",
        "status": "published",
        "country": None,
        "event": "sample-water-dialogue-2021",
        "speakers": [
            ("amina-sample", "Minister for Foreign Affairs"),
            ("ingrid-prove", "State Secretary for Foreign Affairs"),
        ],
        "topics": ["water security", "international cooperation", "data sharing"],
        "summary": "Fictional sample entry: two delegations announce a joint data platform.",
        "body": [
            "In this fictional joint statement, two delegations announced a sample platform "
            "for sharing river data between upstream and downstream States.",
            "They invited other delegations to join within a year.",
        ],
    },
    {
        "n": 18,
        "slug": "sample-water-dialogue-2021-egypt-basins-ar",
        "title": "بيان تجريبي حول التعاون في إدارة الأحواض المائية المشتركة (نموذج خيالي)",
        "delivered_on": d(2021, 3, 23),
        "kind": "statement",
        "language": "ar",
        "status": "published",
        "country": "EGY",
        "event": "sample-water-dialogue-2021",
        "speakers": [("nour-mithal", "Assistant Minister for Multilateral Affairs")],
        "topics": ["water security"],
        "summary": "سجل تجريبي خيالي: إدارة الأحواض المشتركة.",
        "body": [
            "هذا سجل تجريبي خيالي أُعدّ لعرض الأرشيف، ولا ينقل كلام أي شخص حقيقي.",
            "تناول البيان الخيالي أهمية تبادل البيانات بين الدول المتشاطئة، وبناء القدرات "
            "في إدارة الأحواض المشتركة.",
        ],
    },
    {
        "n": 19,
        "slug": "sample-2021-japan-disaster-roster-letter",
        "title": "Letter on a regional disaster-response roster (fictional sample)",
        "delivered_on": d(2021, 6, 30),
        "kind": "letter",
        "language": "en",
        "status": "published",
        "country": "JPN",
        "event": None,
        "speakers": [("kenji-mihon", "Ambassador and Deputy Permanent Representative")],
        "topics": ["disaster risk reduction", "international cooperation"],
        "summary": "Fictional sample entry: a letter proposing a roster of response experts.",
        "body": [
            "This fictional letter proposed a roster of engineers and medical teams who could "
            "be deployed within forty-eight hours of a disaster.",
            "It asked each participating State to name a contact point.",
        ],
    },
    {
        "n": 20,
        "slug": "sample-2021-germany-export-control",
        "title": "Press release on export-control outreach (fictional sample)",
        "delivered_on": d(2021, 10, 5),
        "kind": "press_release",
        "language": "en",
        "status": "published",
        "country": "DEU",
        "event": None,
        "speakers": [("tomas-beispiel", "Deputy Permanent Representative")],
        "topics": ["arms control"],
        "summary": "Fictional sample entry: seminars for customs officers.",
        "body": [
            "The fictional press release announced seminars for customs officers on "
            "dual-use goods.",
            "It said the sample course material would be published in three languages.",
        ],
    },
    {
        "n": 21,
        "slug": "sample-2022-egypt-grain-prices-ar",
        "title": "بيان تجريبي حول أسعار الحبوب والأمن الغذائي (نموذج خيالي)",
        "delivered_on": d(2022, 6, 12),
        "kind": "statement",
        "language": "ar",
        "status": "published",
        "country": "EGY",
        "event": "sample-food-security-meeting-2022",
        "speakers": [("nour-mithal", "Assistant Minister for Multilateral Affairs")],
        "topics": ["food security"],
        "summary": "سجل تجريبي خيالي: ارتفاع أسعار الحبوب.",
        "body": [
            "هذا سجل تجريبي خيالي أُعدّ لعرض الأرشيف، ولا ينقل كلام أي شخص حقيقي.",
            "تناول البيان الخيالي ارتفاع أسعار الحبوب، وضرورة تنويع مصادر الاستيراد، "
            "ودعم صغار المزارعين.",
        ],
    },
    {
        "n": 22,
        "slug": "sample-2022-jordan-grain-imports",
        "title": "Statement on grain import diversification (fictional sample)",
        "delivered_on": d(2022, 6, 12),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "JOR",
        "event": "sample-food-security-meeting-2022",
        "speakers": [("karim-al-namudhaj", "Minister for Foreign Affairs")],
        "topics": ["food security", "international cooperation"],
        "summary": "Fictional sample entry: strategic grain reserves.",
        "body": [
            "The fictional minister described plans for regional grain reserves and for "
            "buying from a wider range of suppliers.",
            "He proposed a shared early-warning bulletin on harvests.",
        ],
    },
    {
        "n": 23,
        "slug": "sample-2022-brazil-agricultural-research",
        "title": "Statement on agricultural research cooperation (fictional sample)",
        "delivered_on": d(2022, 6, 12),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "BRA",
        "event": "sample-food-security-meeting-2022",
        "speakers": [("lucia-exemplo", "Secretary for Multilateral Affairs")],
        "topics": ["food security", "sustainable development"],
        "summary": "Fictional sample entry: drought-tolerant seed research.",
        "body": [
            "In this fictional sample, the secretary offered to share research on "
            "drought-tolerant seed varieties.",
            "She suggested exchanges between agricultural research institutes.",
        ],
    },
    {
        "n": 24,
        "slug": "sample-2022-canada-border-data-interview",
        "title": "Interview on border data protection (fictional sample)",
        "delivered_on": d(2022, 9, 20),
        "kind": "interview",
        "language": "en",
        "status": "published",
        "country": "CAN",
        "event": None,
        "speakers": [("liam-osample", "Special Envoy for Migration")],
        "topics": ["border security", "human rights"],
        "summary": "Fictional sample entry: how long traveller data should be kept.",
        "body": [
            "Asked about traveller data, the fictional envoy said retention periods should "
            "be set by law and reviewed by an independent body.",
            "He added that people should be able to see and correct their own records.",
        ],
    },
    {
        "n": 25,
        "slug": "sample-water-dialogue-2023-kenya-host",
        "title": "Host statement at the second water dialogue (fictional sample)",
        "delivered_on": d(2023, 5, 10),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "KEN",
        "event": "sample-water-dialogue-2023",
        "speakers": [("amina-sample", "Minister for Foreign Affairs")],
        "topics": ["water security", "climate change"],
        "summary": "Fictional sample entry: the host's welcome and review of the 2021 pledges.",
        "body": [
            "As host in this fictional record, the minister reviewed which of the sample "
            "pledges from 2021 had been carried out.",
            "She reported that the joint data platform now had seven members.",
        ],
    },
    {
        "n": 26,
        "slug": "sample-water-dialogue-2023-switzerland-finance",
        "title": "Statement on financing water infrastructure (fictional sample)",
        "delivered_on": d(2023, 5, 10),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "CHE",
        "event": "sample-water-dialogue-2023",
        "speakers": [("jean-baptiste-exemple", "Special Envoy for Water")],
        "topics": ["water security", "sustainable development"],
        "summary": "Fictional sample entry: blended finance for water utilities.",
        "body": [
            "The fictional envoy described how public guarantees could lower the cost of "
            "loans to municipal water utilities.",
            "He proposed a sample fund for small towns.",
        ],
    },
    {
        "n": 27,
        "slug": "sample-water-dialogue-2023-japan-floods",
        "title": "Statement on early-warning systems for floods (fictional sample)",
        "delivered_on": d(2023, 5, 11),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "JPN",
        "event": "sample-water-dialogue-2023",
        "speakers": [("kenji-mihon", "Special Envoy for Water and Disaster Risk")],
        "topics": ["disaster risk reduction", "water security"],
        "summary": "Fictional sample entry: flood warnings by text message.",
        "body": [
            "In his new role in this fictional record, the envoy described flood warnings "
            "sent by text message to every phone in a river valley.",
            "He offered training for meteorological services.",
        ],
    },
    {
        "n": 28,
        "slug": "sample-2023-brazil-visit-press-release",
        "title": "Press release on the sample visit to Brasília (fictional sample)",
        "delivered_on": d(2023, 8, 14),
        "kind": "press_release",
        "language": "en",
        "status": "published",
        "country": "BRA",
        "event": "sample-visit-to-brasilia-2023",
        "speakers": [("lucia-exemplo", "Vice-Minister for Foreign Affairs")],
        "topics": ["international cooperation", "climate change"],
        "summary": "Fictional sample entry: the programme of a sample visit.",
        "body": [
            "This fictional press release gave the programme of a two-day sample visit: "
            "talks on forest protection, a business round table and a university lecture.",
            "It named the vice-minister as host.",
        ],
    },
    {
        "n": 29,
        "slug": "sample-2023-germany-renewables",
        "title": "Statement on renewable-energy partnerships (fictional sample)",
        "delivered_on": d(2023, 8, 14),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "DEU",
        "event": "sample-visit-to-brasilia-2023",
        "speakers": [("tomas-beispiel", "Minister of State")],
        "topics": ["climate change", "sustainable development"],
        "summary": "Fictional sample entry: green hydrogen research.",
        "body": [
            "During the fictional visit, the minister of state described a joint research "
            "programme on green hydrogen.",
            "He mentioned scholarships for engineering students.",
        ],
    },
    {
        "n": 30,
        "slug": "sample-digital-summit-2024-japan-opening",
        "title": "Opening statement on digital public infrastructure (fictional sample)",
        "delivered_on": d(2024, 2, 6),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "JPN",
        "event": "sample-digital-cooperation-summit-2024",
        "speakers": [("kenji-mihon", "Special Envoy for Water and Disaster Risk")],
        "topics": ["digital cooperation"],
        "summary": "Fictional sample entry: digital identity and payments.",
        "body": [
            "Opening the fictional summit, the envoy spoke about digital identity systems "
            "and instant payments for public services.",
            "He stressed that such systems should work offline in areas with poor coverage.",
        ],
    },
    {
        "n": 31,
        "slug": "sample-digital-summit-2024-norway-information",
        "title": "Statement on online information integrity (fictional sample)",
        "delivered_on": d(2024, 2, 6),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "NOR",
        "event": "sample-digital-cooperation-summit-2024",
        "speakers": [("ingrid-prove", "Deputy Minister for Foreign Affairs")],
        "topics": ["digital cooperation", "human rights"],
        "summary": "Fictional sample entry: transparency reports by platforms.",
        "body": [
            "The fictional deputy minister asked online platforms to publish regular "
            "transparency reports on content moderation.",
            "She also supported media-literacy courses in schools.",
        ],
    },
    {
        "n": 32,
        "slug": "sample-digital-summit-2024-egypt-e-government-ar",
        "title": "بيان تجريبي حول التحول الرقمي في الخدمات الحكومية (نموذج خيالي)",
        "delivered_on": d(2024, 2, 7),
        "kind": "statement",
        "language": "ar",
        "status": "published",
        "country": "EGY",
        "event": "sample-digital-cooperation-summit-2024",
        "speakers": [("nour-mithal", "Assistant Minister for Multilateral Affairs")],
        "topics": ["digital cooperation"],
        "summary": "سجل تجريبي خيالي: الخدمات الحكومية الإلكترونية.",
        "body": [
            "هذا سجل تجريبي خيالي أُعدّ لعرض الأرشيف، ولا ينقل كلام أي شخص حقيقي.",
            "تناول البيان الخيالي رقمنة الخدمات الحكومية، وحماية البيانات الشخصية، "
            "وتدريب الموظفين على الأدوات الجديدة.",
        ],
    },
    {
        "n": 33,
        "slug": "sample-digital-summit-2024-canada-cybersecurity",
        "title": "Statement on cybersecurity capacity building (fictional sample)",
        "delivered_on": d(2024, 2, 7),
        "kind": "statement",
        "language": "en",
        "status": "published",
        "country": "CAN",
        "event": "sample-digital-cooperation-summit-2024",
        "speakers": [("liam-osample", "Ambassador for Cyber Affairs")],
        "topics": ["digital cooperation", "cybersecurity"],
        "summary": "Fictional sample entry: incident-response teams.",
        "body": [
            "The fictional ambassador offered training for national computer incident "
            "response teams.",
            "He proposed a sample exercise between teams from five regions.",
        ],
    },
    # Drafts: never shown to the public, in lists, counts or neighbours.
    {
        "n": 34,
        "slug": "sample-draft-embargoed-visit",
        "title": "Draft statement on an embargoed visit (fictional sample)",
        "delivered_on": d(2024, 3, 1),
        "kind": "statement",
        "language": "en",
        "status": "draft",
        "country": "POL",
        "event": None,
        "speakers": [("zofia-probka", "Under-Secretary of State")],
        "topics": ["embargoed sample topic"],
        "summary": "Fictional sample draft: must never appear publicly.",
        "body": [
            "This fictional draft describes a visit that has not been announced.",
            "It exists to test that drafts stay private.",
        ],
    },
    {
        "n": 35,
        "slug": "sample-draft-data-centres-water",
        "title": "Draft statement on data centres and water use (fictional sample)",
        "delivered_on": d(2024, 2, 7),
        "kind": "statement",
        "language": "en",
        "status": "draft",
        "country": "KEN",
        "event": "sample-digital-cooperation-summit-2024",
        "speakers": [("amina-sample", "Minister for Foreign Affairs")],
        "topics": ["digital cooperation", "water security"],
        "summary": "Fictional sample draft: must never appear publicly.",
        "body": [
            "This fictional draft links the cooling of data centres to local water supply.",
            "It is unpublished.",
        ],
    },
    {
        "n": 36,
        "slug": "sample-draft-groundwater-ar",
        "title": "مسودة بيان تجريبي حول المياه الجوفية (نموذج خيالي)",
        "delivered_on": d(2023, 5, 11),
        "kind": "statement",
        "language": "ar",
        "status": "draft",
        "country": "JOR",
        "event": "sample-water-dialogue-2023",
        "speakers": [("karim-al-namudhaj", "Minister for Foreign Affairs")],
        "topics": ["water security"],
        "summary": "مسودة تجريبية خيالية غير منشورة.",
        "body": [
            "هذه مسودة تجريبية خيالية غير منشورة.",
            "تتناول المسودة استنزاف المياه الجوفية.",
        ],
    },
]
