"""Synthetic content trees in the real format, for the tests and the benchmark (bench/).

Three shapes, written by the same code from the same kind of description (a `City`):

- make_tree: one fiscal year (FY2023) of N projects under 3 policies and 6 divisions, as the
  tests need (jigyo-00001 ... named 第1号支援事業 ...; `variant` marks an "old" and a "new" tree);
- make_years: N project files over several fiscal years, each file its own id, policies of 20
  projects (the benchmark's --sizes);
- make_city: a whole city's multi-year report: about 30 policies, 100 basic projects and 40
  divisions, 1,500 projects a year over FY2019-2023, with stable ids across years; projects
  start, end (with end_note, or merged_into a project of the next year), are renamed and move
  division (one, in FY2023, basic project), and each year's previous cost is the cost the
  last year's file gives for the same project (but one a year, restated with
  previous_cost_note); every other project gives its name's reading (name_kana), in hiragana
  or, for half of them, in katakana.

The text is made from the vocabulary of a 施策報告書 and has the lengths of the real report
(names of about 11 Japanese characters, summaries of one to four sentences of about 30, the
activities of one to three, the English three to four times as long), so pages, data files and
the search index weigh what they would for a real city. The same arguments give the same bytes. Synthetic data lives in
tests/ and bench/ only, never in content/.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from shisaku.formats import wareki

FISCAL_YEAR = 2023  # the newest fiscal year of every shape

Text = tuple[str, str]  # (Japanese, English)


# -- What is written: a city, its divisions, and each year's policies and projects -------------
@dataclass
class Division:
    id: str
    name: Text


@dataclass
class BasicProject:
    id: str
    name: Text
    directions: list[Text]


@dataclass
class Policy:
    id: str
    order: int
    name: Text
    approach: Text
    basic_projects: list[BasicProject]


@dataclass
class Project:
    id: str
    order: int
    policy: str
    basic_project: str
    division: str
    name: Text
    summary: Text
    cost: int | None  # this fiscal year's, in thousand yen; None where the report prints "-"
    previous_cost: int | None
    activities: Text
    # The yearly cycle's keys, written only where set (so make_tree and make_years keep
    # their bytes): a restated 前年度 figure's reason; in a project's last year, why it ends
    # or the project it goes on as part of.
    previous_cost_note: Text | None = None
    end_note: Text | None = None
    merged_into: str | None = None
    name_kana: str | None = None  # the name's reading


@dataclass
class Year:
    fiscal_year: int
    policies: list[Policy]
    projects: list[Project]


@dataclass
class City:
    divisions: list[Division]
    years: list[Year]
    variant: str = ""  # in the site's title, on every page


# -- Sentences as the report writes them -------------------------------------------------------
@dataclass(frozen=True)
class Vocabulary:
    """Subjects, and actions with {0} for the subject and {topic} for what the project is about."""

    subjects: list[Text]
    actions: list[Text]


def sentences(
    rng: random.Random, count: int, vocabulary: Vocabulary, topic: Text = ("", "")
) -> Text:
    """`count` matching Japanese and English sentences."""
    ja, en = [], []
    for _ in range(count):
        subject_ja, subject_en = vocabulary.subjects[rng.randrange(len(vocabulary.subjects))]
        action_ja, action_en = vocabulary.actions[rng.randrange(len(vocabulary.actions))]
        ja.append(action_ja.format(subject_ja, topic=topic[0]) + "。")
        en.append(action_en.format(subject_en, topic=topic[1]) + ".")
    return "".join(ja), " ".join(en)


# The tests' small vocabulary: short, readable trees.
PLAIN = Vocabulary(
    subjects=[
        ("市内の事業者", "businesses in the city"),
        ("商店会", "shopping street associations"),
        ("高齢者", "older residents"),
        ("子育て世帯", "families with children"),
        ("市民団体", "civic groups"),
        ("地域の学校", "local schools"),
        ("町会・自治会", "neighbourhood associations"),
    ],
    actions=[
        (
            "{0}の取組みに対し、要綱に基づき補助金を交付する",
            "The City provides subsidies, based on its guidelines, for the initiatives of {0}",
        ),
        (
            "{0}を対象に相談窓口を設け、専門家による助言を行う",
            "The City runs a consultation desk where experts advise {0}",
        ),
        (
            "{0}と連携し、講座やセミナーを開催する",
            "The City holds courses and seminars together with {0}",
        ),
        (
            "{0}に向けた情報発信を行い、制度の周知を図る",
            "The City publicizes the programme so that it reaches {0}",
        ),
        (
            "{0}の活動を支援し、地域のにぎわいを創出する",
            "The City supports the activities of {0} to bring life to the community",
        ),
    ],
)

SUBJECTS = [
    *PLAIN.subjects,
    ("障害のある人", "people with disabilities"),
    ("若い世代", "young people"),
    ("市民", "residents"),
    ("地域の農業者", "local farmers"),
    ("関係機関", "related organizations"),
    ("ボランティア", "volunteers"),
    ("外国籍の市民", "residents of foreign nationality"),
    ("民間事業者", "private companies"),
    ("児童・生徒", "pupils"),
    ("来訪者", "visitors"),
    ("地域包括支援センター", "community care centres"),
]

# What a project does (its summary; a basic project's directions).
SUMMARY = Vocabulary(
    SUBJECTS,
    [
        (
            "{topic}に関する{0}の取組みに対し、要綱に基づき補助金を交付する",
            "The City provides subsidies, based on its guidelines, for the {topic} initiatives of {0}",
        ),
        (
            "{0}を対象に{topic}の相談窓口を設け、専門家による助言を行う",
            "The City runs a consultation desk on {topic} where experts advise {0}",
        ),
        (
            "{0}と連携し、{topic}に関する講座やセミナーを開催する",
            "The City holds courses and seminars on {topic} together with {0}",
        ),
        (
            "{topic}に関する情報を発信し、{0}への制度の周知を図る",
            "The City publicizes information on {topic} so that the programme reaches {0}",
        ),
        (
            "{0}の活動を支援し、{topic}を通じて地域のにぎわいを創出する",
            "The City supports the activities of {0} to bring life to the community through {topic}",
        ),
        (
            "{topic}の推進に向けて、{0}の意見を聴きながら計画を策定する",
            "The City draws up a plan for {topic}, listening to the views of {0}",
        ),
        (
            "{topic}に係る施設を適切に維持管理し、{0}が安全に利用できるようにする",
            "The City maintains the facilities for {topic} so that {0} can use them safely",
        ),
        (
            "{0}の参加を得て、{topic}に関する実態調査を行う",
            "The City surveys the state of {topic} with the participation of {0}",
        ),
        (
            "{topic}の分野で活動する{0}のネットワークづくりを進める",
            "The City builds a network of {0} working in {topic}",
        ),
        (
            "{topic}に取り組む{0}に対し、経費の一部を助成する",
            "The City meets part of the costs of {0} working on {topic}",
        ),
    ],
)

# What a project did in the fiscal year reviewed (its activities).
ACTIVITIES = Vocabulary(
    SUBJECTS,
    [
        (
            "{0}を対象に{topic}に関する講座を開催し、多くの参加を得た",
            "The City held courses on {topic} for {0}, which were well attended",
        ),
        (
            "{topic}に関する{0}の取組みに対し、補助金を交付した",
            "The City granted subsidies for the {topic} initiatives of {0}",
        ),
        (
            "{0}からの{topic}に関する相談に応じ、必要な助言を行った",
            "The City answered questions from {0} about {topic} and gave the advice they needed",
        ),
        (
            "{topic}の情報を市ホームページや広報紙に掲載し、{0}への周知を図った",
            "The City published information on {topic} on its website and in its newsletter to reach {0}",
        ),
        (
            "{0}と協力して{topic}に関するイベントを実施した",
            "The City held an event on {topic} together with {0}",
        ),
        (
            "{topic}に係る施設の点検を行い、{0}が安全に利用できるよう修繕した",
            "The City inspected the facilities for {topic} and repaired them so that {0} can use them safely",
        ),
        (
            "{topic}の現状について{0}への調査を実施し、結果を取りまとめた",
            "The City surveyed {0} on the state of {topic} and compiled the results",
        ),
        (
            "{topic}に関する計画の進捗を{0}とともに確認した",
            "The City reviewed the progress of its plan for {topic} together with {0}",
        ),
    ],
)


# -- Names -------------------------------------------------------------------------------------
# (Japanese, English, the id's word)
Word = tuple[str, str, str]

TOPICS: list[Word] = [
    ("商店街", "shopping streets", "shotengai"),
    ("中小企業", "small businesses", "chusho-kigyo"),
    ("創業", "start-ups", "sogyo"),
    ("観光", "tourism", "kanko"),
    ("農業", "farming", "nogyo"),
    ("就労", "employment", "shuro"),
    ("保育", "childcare", "hoiku"),
    ("子育て", "child-rearing", "kosodate"),
    ("学童保育", "after-school care", "gakudo"),
    ("学校", "schools", "gakko"),
    ("給食", "school meals", "kyushoku"),
    ("図書館", "libraries", "toshokan"),
    ("文化財", "cultural assets", "bunkazai"),
    ("公民館", "community centres", "kominkan"),
    ("スポーツ", "sports", "sports"),
    ("健康診査", "health checks", "kenshin"),
    ("予防接種", "vaccination", "yobo-sesshu"),
    ("介護予防", "care prevention", "kaigo-yobo"),
    ("高齢者", "older residents", "koreisha"),
    ("障害者", "people with disabilities", "shogaisha"),
    ("地域福祉", "community welfare", "chiiki-fukushi"),
    ("生活困窮者", "people in hardship", "konkyusha"),
    ("防災", "disaster preparedness", "bosai"),
    ("防犯", "crime prevention", "bohan"),
    ("交通安全", "road safety", "kotsu-anzen"),
    ("環境保全", "environmental protection", "kankyo"),
    ("ごみ減量", "waste reduction", "gomi"),
    ("リサイクル", "recycling", "recycle"),
    ("緑化", "greening", "ryokka"),
    ("公園", "parks", "koen"),
    ("水辺", "waterside areas", "mizube"),
    ("道路", "roads", "doro"),
    ("橋りょう", "bridges", "kyoryo"),
    ("自転車", "cycling", "jitensha"),
    ("コミュニティバス", "community buses", "bus"),
    ("下水道", "sewerage", "gesuido"),
    ("住宅", "housing", "jutaku"),
    ("空き家", "vacant houses", "akiya"),
    ("市民活動", "civic activities", "shimin-katsudo"),
    ("国際交流", "international exchange", "kokusai"),
    ("男女平等", "gender equality", "danjo"),
    ("人権", "human rights", "jinken"),
    ("広報", "public relations", "koho"),
    ("情報化", "digital services", "johoka"),
    ("公共施設", "public facilities", "kokyo-shisetsu"),
    ("財政", "public finance", "zaisei"),
    ("窓口", "service counters", "madoguchi"),
    ("平和", "peace", "heiwa"),
    ("消費生活", "consumer affairs", "shohi"),
    ("都市農地", "urban farmland", "noichi"),
]

# What a basic project does for its topic.
GOALS: list[Word] = [
    ("推進", "Promoting", "suishin"),
    ("充実", "Improving", "jujitsu"),
    ("支援", "Supporting", "shien"),
    ("活性化", "Revitalizing", "kasseika"),
    ("向上", "Enhancing", "kojo"),
    ("整備", "Developing", "seibi"),
]

# A project's name: its topic, an aspect and a kind (商店街 + 情報発信 + 支援事業).
ASPECTS: list[Word] = [
    ("情報発信", "Information", "joho"),
    ("相談", "Consultation", "sodan"),
    ("活動", "Activity", "katsudo"),
    ("施設管理", "Facility", "shisetsu"),
    ("人材育成", "Training", "jinzai"),
    ("ネットワーク", "Network", "network"),
    ("調査", "Survey", "chosa"),
    ("啓発", "Awareness", "keihatsu"),
    ("イベント", "Events", "event"),
    ("環境整備", "Improvement", "kankyo-seibi"),
    ("計画", "Planning", "keikaku"),
    ("連携", "Partnership", "renkei"),
    ("普及", "Outreach", "fukyu"),
    ("拠点", "Centre", "kyoten"),
    ("サービス", "Service", "service"),
]
# Now and then before the topic (地域商店街…).
QUALIFIERS: list[Text] = [
    ("地域", "Community"),
    ("市民", "Residents'"),
    ("総合", "Comprehensive"),
    ("まちなか", "Town Centre"),
    ("多世代", "Intergenerational"),
    ("広域", "Regional"),
    ("重点", "Priority"),
    ("緊急", "Emergency"),
]
KINDS: list[Word] = [
    ("支援事業", "Support Program", "shien"),
    ("推進事業", "Promotion Program", "suishin"),
    ("補助事業", "Subsidy Program", "hojo"),
    ("運営事業", "Operation", "unei"),
    ("事業", "Program", "jigyo"),
    ("委託事業", "Contracted Service", "itaku"),
    ("管理事業", "Management", "kanri"),
    ("助成事業", "Grant Program", "josei"),
]

# The reading of each word a project's name is made of (商店街 -> しょうてんがい).
READINGS = {
    "商店街": "しょうてんがい",
    "中小企業": "ちゅうしょうきぎょう",
    "創業": "そうぎょう",
    "観光": "かんこう",
    "農業": "のうぎょう",
    "就労": "しゅうろう",
    "保育": "ほいく",
    "子育て": "こそだて",
    "学童保育": "がくどうほいく",
    "学校": "がっこう",
    "給食": "きゅうしょく",
    "図書館": "としょかん",
    "文化財": "ぶんかざい",
    "公民館": "こうみんかん",
    "スポーツ": "すぽーつ",
    "健康診査": "けんこうしんさ",
    "予防接種": "よぼうせっしゅ",
    "介護予防": "かいごよぼう",
    "高齢者": "こうれいしゃ",
    "障害者": "しょうがいしゃ",
    "地域福祉": "ちいきふくし",
    "生活困窮者": "せいかつこんきゅうしゃ",
    "防災": "ぼうさい",
    "防犯": "ぼうはん",
    "交通安全": "こうつうあんぜん",
    "環境保全": "かんきょうほぜん",
    "ごみ減量": "ごみげんりょう",
    "リサイクル": "りさいくる",
    "緑化": "りょっか",
    "公園": "こうえん",
    "水辺": "みずべ",
    "道路": "どうろ",
    "橋りょう": "きょうりょう",
    "自転車": "じてんしゃ",
    "コミュニティバス": "こみゅにてぃばす",
    "下水道": "げすいどう",
    "住宅": "じゅうたく",
    "空き家": "あきや",
    "市民活動": "しみんかつどう",
    "国際交流": "こくさいこうりゅう",
    "男女平等": "だんじょびょうどう",
    "人権": "じんけん",
    "広報": "こうほう",
    "情報化": "じょうほうか",
    "公共施設": "こうきょうしせつ",
    "財政": "ざいせい",
    "窓口": "まどぐち",
    "平和": "へいわ",
    "消費生活": "しょうひせいかつ",
    "都市農地": "としのうち",
    "情報発信": "じょうほうはっしん",
    "相談": "そうだん",
    "活動": "かつどう",
    "施設管理": "しせつかんり",
    "人材育成": "じんざいいくせい",
    "ネットワーク": "ねっとわーく",
    "調査": "ちょうさ",
    "啓発": "けいはつ",
    "イベント": "いべんと",
    "環境整備": "かんきょうせいび",
    "計画": "けいかく",
    "連携": "れんけい",
    "普及": "ふきゅう",
    "拠点": "きょてん",
    "サービス": "さーびす",
    "地域": "ちいき",
    "市民": "しみん",
    "総合": "そうごう",
    "まちなか": "まちなか",
    "多世代": "たせだい",
    "広域": "こういき",
    "重点": "じゅうてん",
    "緊急": "きんきゅう",
    "支援事業": "しえんじぎょう",
    "推進事業": "すいしんじぎょう",
    "補助事業": "ほじょじぎょう",
    "運営事業": "うんえいじぎょう",
    "事業": "じぎょう",
    "委託事業": "いたくじぎょう",
    "管理事業": "かんりじぎょう",
    "助成事業": "じょせいじぎょう",
}
LONGEST_FIRST = sorted(READINGS, key=len, reverse=True)
TO_KATAKANA = {c: c + 0x60 for c in [*range(0x3041, 0x3097), 0x309D, 0x309E]}
TO_HIRAGANA = {k: h for h, k in TO_KATAKANA.items()}


def reading(name: str) -> str | None:
    """The reading of a name made of the words above (地域商店街… -> ちいきしょうてんがい…), the
    longest word first at each place; None for a name of other words."""
    kana, at = "", 0
    while at < len(name):
        word = next((w for w in LONGEST_FIRST if name.startswith(w, at)), None)
        if word is None:
            return None
        kana, at = kana + READINGS[word], at + len(word)
    return kana


def katakana(kana: str) -> str:
    return kana.translate(TO_KATAKANA)


def hiragana(kana: str) -> str:
    return kana.translate(TO_HIRAGANA)


# The tests' policies, each with its basic projects: (id, Japanese name, English name).
POLICIES = [
    (
        ("chiiki-keizai", "地域経済の活性化", "Revitalizing the Local Economy"),
        [
            ("shokogyo", "商工業の活性化", "Revitalizing commerce and industry"),
            ("kanko", "観光の振興", "Promoting tourism"),
        ],
    ),
    (
        ("kenko-fukushi", "健康と福祉の充実", "Better Health and Welfare"),
        [
            ("koreisha", "高齢者の支援", "Supporting older residents"),
            ("kosodate", "子育ての支援", "Supporting families with children"),
            ("kenko", "健康づくり", "Promoting good health"),
        ],
    ),
    (
        ("kankyo", "環境の保全", "Protecting the Environment"),
        [
            ("midori", "緑と水辺の保全", "Conserving green spaces and waterside areas"),
            ("gomi", "ごみの減量", "Reducing waste"),
        ],
    ),
]

# A city's policies: (id, Japanese name, English name).
POLICY_THEMES = [
    ("chiiki-keizai", "地域経済の活性化", "Revitalizing the Local Economy"),
    ("kanko-shinko", "観光の振興", "Promoting Tourism"),
    ("toshi-nogyo", "都市農業の振興", "Promoting Urban Agriculture"),
    ("koyo", "雇用と就労の支援", "Supporting Employment"),
    ("kosodate", "子育て支援の充実", "Better Support for Families with Children"),
    ("gakko-kyoiku", "学校教育の充実", "Better School Education"),
    ("seishonen", "青少年の健全育成", "Supporting Young People"),
    ("shogai-gakushu", "生涯学習の推進", "Promoting Lifelong Learning"),
    ("bunka-geijutsu", "文化・芸術の振興", "Promoting Culture and the Arts"),
    ("sports", "スポーツの推進", "Promoting Sports"),
    ("kenko", "健康づくりの推進", "Promoting Good Health"),
    ("koreisha", "高齢者福祉の充実", "Better Welfare for Older Residents"),
    ("shogaisha", "障害者福祉の充実", "Better Welfare for People with Disabilities"),
    ("chiiki-fukushi", "地域福祉の推進", "Promoting Community Welfare"),
    ("seikatsu-shien", "生活の安定への支援", "Supporting Stable Livelihoods"),
    ("bosai", "防災力の向上", "Stronger Disaster Preparedness"),
    ("bohan", "防犯と交通安全", "Crime Prevention and Road Safety"),
    ("kankyo", "環境の保全", "Protecting the Environment"),
    ("junkan", "循環型社会の形成", "Building a Recycling Society"),
    ("midori", "緑と水辺の保全", "Conserving Green Spaces and Waterside Areas"),
    ("toshi-keikaku", "計画的なまちづくり", "Planned Urban Development"),
    ("doro", "道路の整備", "Developing the Roads"),
    ("kokyo-kotsu", "公共交通の充実", "Better Public Transport"),
    ("gesuido", "下水道の維持", "Maintaining the Sewerage"),
    ("jutaku", "住環境の向上", "Better Housing Environments"),
    ("kyodo", "市民協働の推進", "Promoting Partnership with Residents"),
    ("danjo", "男女平等の推進", "Promoting Gender Equality"),
    ("jinken", "人権の尊重", "Respecting Human Rights"),
    ("joho-hasshin", "情報発信の充実", "Better Public Information"),
    ("gyozaisei", "行財政運営の効率化", "More Efficient Administration and Finance"),
]

# The tests' divisions: (id, Japanese name, English name).
DIVISIONS = [
    ("kikaku-chosei", "企画調整課", "Planning and Coordination Division"),
    ("sangyo-seisaku", "産業政策課", "Industrial Policy Division"),
    ("fukushi-somu", "福祉総務課", "Welfare General Affairs Division"),
    ("kankyo-seisaku", "環境政策課", "Environmental Policy Division"),
    ("kyoiku-somu", "教育総務課", "Education General Affairs Division"),
    ("doro-kotsu", "道路交通課", "Roads and Traffic Division"),
]

# A city's divisions: the tests' six and 34 more.
CITY_DIVISIONS = [
    *DIVISIONS,
    ("zaisei", "財政課", "Finance Division"),
    ("hisho-koho", "秘書広報課", "Secretariat and Public Relations Division"),
    ("somu", "総務課", "General Affairs Division"),
    ("shokuin", "職員課", "Personnel Division"),
    ("joho-seisaku", "情報政策課", "Information Policy Division"),
    ("kanzai", "管財課", "Property Management Division"),
    ("kazei", "課税課", "Taxation Division"),
    ("nozei", "納税課", "Tax Collection Division"),
    ("shimin", "市民課", "Residents Division"),
    ("bosai-bohan", "防災防犯課", "Disaster and Crime Prevention Division"),
    ("seikatsu-bunka", "生活文化課", "Community Life and Culture Division"),
    ("gomi-taisaku", "ごみ対策課", "Waste Management Division"),
    ("shogai-fukushi", "障害福祉課", "Disability Welfare Division"),
    ("kaigo-fukushi", "介護福祉課", "Long-term Care Division"),
    ("kenko", "健康課", "Health Division"),
    ("kosodate-shien", "子育て支援課", "Child-rearing Support Division"),
    ("hoiku", "保育課", "Childcare Division"),
    ("jido-seishonen", "児童青少年課", "Children and Youth Division"),
    ("seikatsu-fukushi", "生活福祉課", "Public Assistance Division"),
    ("hoken-nenkin", "保険年金課", "Health Insurance and Pension Division"),
    ("toshi-keikaku", "都市計画課", "Urban Planning Division"),
    ("machizukuri", "まちづくり推進課", "Community Development Division"),
    ("shisetsu-kensetsu", "施設建設課", "Facilities Construction Division"),
    ("gesuido", "下水道課", "Sewerage Division"),
    ("koen-midori", "公園緑地課", "Parks and Green Spaces Division"),
    ("gakumu", "学務課", "School Affairs Division"),
    ("shido", "指導室", "School Guidance Office"),
    ("shogai-gakushu", "生涯学習課", "Lifelong Learning Division"),
    ("toshokan", "図書館", "Library"),
    ("sports-shinko", "スポーツ振興課", "Sports Promotion Division"),
    ("danjo-byodo", "男女平等推進課", "Gender Equality Division"),
    ("kokyo-shisetsu", "公共施設マネジメント課", "Public Facilities Management Division"),
    ("kaikei", "会計課", "Accounting Division"),
    ("gikai-jimukyoku", "議会事務局", "City Council Secretariat"),
]

# The kinds of project in the tests' tree: 第1号支援事業 / No. 1 Support Program.
JA_NAMES = ["支援事業", "推進事業", "補助事業", "運営事業", "啓発事業"]
EN_NAMES = [
    "Support Program",
    "Promotion Program",
    "Subsidy Program",
    "Operation",
    "Awareness Program",
]


def divisions(count: int) -> list[Division]:
    """`count` divisions: the city's, then numbered copies of them."""
    found = []
    for n in range(count):
        division_id, ja, en = CITY_DIVISIONS[n % len(CITY_DIVISIONS)]
        copy = n // len(CITY_DIVISIONS)
        if copy:
            division_id, ja, en = (
                f"{division_id}-{copy + 1}",
                f"第{copy + 1}{ja}",
                f"{en} {copy + 1}",
            )
        found.append(Division(division_id, (ja, en)))
    return found


def topic_of(index: int) -> Word:
    return TOPICS[index % len(TOPICS)]


def basic_project(rng: random.Random, index: int, directions: int) -> BasicProject:
    """The index-th basic project of a city: its topic, a goal, and its directions."""
    topic_ja, topic_en, topic_id = topic_of(index)
    goal_ja, goal_en, goal_id = GOALS[(index + index // len(TOPICS)) % len(GOALS)]
    said = [sentences(rng, 1, SUMMARY, (topic_ja, topic_en)) for _ in range(directions)]
    return BasicProject(
        f"{topic_id}-{goal_id}", (f"{topic_ja}の{goal_ja}", f"{goal_en} {topic_en}"), said
    )


def approach(rng: random.Random, name: Text) -> Text:
    """A policy's approach (施策の基本的考え方): two of its topics towards its aim."""
    (a_ja, a_en, _), (b_ja, b_en, _) = rng.sample(TOPICS, 2)
    return (
        f"{name[0]}に向けて、{a_ja}や{b_ja}に関する取組みを関係機関と連携して進め、"
        "市民が安心して暮らせるまちづくりに努める。",
        f"Towards {name[1].lower()}, the City will work on {a_en} and {b_en}"
        " together with related organizations, building a city where residents can live"
        " with peace of mind.",
    )


def project_name(rng: random.Random, topic: Word) -> tuple[Text, str]:
    """A name for a project on the topic (地域商店街情報発信支援事業 / Community Shopping Streets
    Information Support Program), and the words of an id for it (shotengai-joho-shien)."""
    topic_ja, topic_en, topic_id = topic
    aspect_ja, aspect_en, aspect_id = ASPECTS[rng.randrange(len(ASPECTS))]
    kind_ja, kind_en, kind_id = KINDS[rng.randrange(len(KINDS))]
    qualifier_ja, qualifier_en = QUALIFIERS[rng.randrange(len(QUALIFIERS))]
    if rng.random() < 0.4:
        qualifier_ja, qualifier_en = "", ""
    ja = f"{qualifier_ja}{topic_ja}{aspect_ja}{kind_ja}"
    en = f"{qualifier_en} {topic_en.title()} {aspect_en} {kind_en}".lstrip()
    return (ja, en), f"{topic_id}-{aspect_id}-{kind_id}"


# -- Costs -------------------------------------------------------------------------------------
def plain_cost(rng: random.Random) -> int | None:
    """A figure in thousand yen; now and then missing ("-" in the report) or zero."""
    roll = rng.random()
    if roll < 0.03:
        return None
    if roll < 0.05:
        return 0
    return rng.randrange(100, 500_000)


def first_cost(rng: random.Random) -> int | None:
    """A project's cost with nothing to go on, in thousand yen: from 100 to a few million
    (billions of yen), five thousand in the middle; zero (nothing spent) one time in ten,
    missing one in fifty."""
    roll = rng.random()
    if roll < 0.02:
        return None
    if roll < 0.12:
        return 0
    return min(int(rng.lognormvariate(8.5, 1.8)) + 100, 999_999_999)


def next_cost(rng: random.Random, last: int | None) -> int | None:
    """This year's cost after last year's: within a fifth of it, mostly; now and then nothing
    spent or missing; or drawn afresh."""
    roll = rng.random()
    if roll < 0.01:
        return None
    if roll < 0.05:
        return 0
    if not last or roll < 0.10:
        return first_cost(rng)
    return min(max(round(last * rng.lognormvariate(0, 0.15)), 0), 999_999_999)


# -- The files ---------------------------------------------------------------------------------
def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: safe for any text the generator makes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(key: str, ja: str, en: str, indent: str = "") -> str:
    return f"{indent}{key}:\n{indent}  ja: {_quoted(ja)}\n{indent}  en: {_quoted(en)}\n"


def _figure(value: int | None) -> str:
    return "null" if value is None else str(value)


def site_yaml(variant: str) -> str:
    title_ja = "合成市 施策報告書オープンデータ" + (f"（{variant}）" if variant else "")
    title_en = "Synthetic City Policy Report Open Data" + (f" ({variant})" if variant else "")
    return (
        "city:\n"
        + _text("name", "合成市", "Synthetic City", "  ")
        + _text("prefecture", "東京都", "Tokyo", "  ")
        + '  code: "132225"\n'
        + _text("title", title_ja, title_en)
        + _text(
            "description",
            "試験のための合成データです。架空の市の施策報告書の施策・事務事業と事業費を、日本語と英語で公開します。",
            "Synthetic data for tests: the policies and projects of a made-up city's policy "
            "reports, with their costs.",
        )
        + "publisher:\n"
        + _text("name", "合成市", "Synthetic City", "  ")
        + "  url: https://example.org/\n"
        + "license:\n"
        + "  id: CC-BY-4.0\n"
        + _text("name", "CC BY 4.0", "CC BY 4.0", "  ")
        + "  url: https://creativecommons.org/licenses/by/4.0/\n"
        + _text("note", "CC BY 4.0で提供します。", "Provided under CC BY 4.0.", "  ")
        + "base_url: https://example.org\n"
        + "base_path: /shisaku-hokoku/\n"
        + "languages: [ja, en]\n"
        + "keywords:\n  ja: [施策報告書, 合成]\n  en: [policy report, synthetic]\n"
        + 'version: "1.0.0"\n'
        + 'updated: "2024-05-01"\n'
    )


def division_yaml(division: Division, number: int) -> str:
    """A division; most have a telephone number and a page, every other one an address too,
    and every fifth no contact at all (as content kept over years will be)."""
    text = f"id: {division.id}\n" + _text("name", *division.name)
    if number % 5 == 4:
        return text
    text += f"contact:\n  phone: 042-000-{1000 + number}\n"
    text += f"  url: https://example.org/divisions/{division.id}/\n"
    if number % 2 == 0:
        text += _text(
            "address", f"市役所本庁舎{number % 4 + 1}階", f"City Hall, floor {number % 4 + 1}", "  "
        )
    return text


def report_yaml(fiscal_year: int) -> str:
    """令和６年度施策報告書（令和５年度振り返り）: the next year's report, reviewing this one,
    published as a PDF."""
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    return (
        _text(
            "title",
            f"{wareki(fiscal_year + 1)}施策報告書（{wareki(fiscal_year)}振り返り）".translate(
                full_width
            ),
            f"FY{fiscal_year + 1} Policy Report (Review of FY{fiscal_year})",
        )
        + f"source:\n  url: https://example.org/reports/shisaku-hokoku-{fiscal_year + 1}.pdf\n"
    )


def policy_yaml(policy: Policy) -> str:
    text = f"id: {policy.id}\norder: {policy.order}\n" + _text("name", *policy.name)
    text += f"source_page: {2 * policy.order + 1}\n"
    text += _text("approach", *policy.approach)
    text += "basic_projects:\n"
    for basic in policy.basic_projects:
        text += f"  - id: {basic.id}\n" + _text("name", *basic.name, "    ")
        text += "    directions:\n"
        for ja, en in basic.directions:
            text += f"      - ja: {_quoted(ja)}\n        en: {_quoted(en)}\n"
    return text


def project_yaml(project: Project, fiscal_year: int) -> str:
    return (
        f"id: {project.id}\n"
        f"order: {project.order}\n"
        f"policy: {project.policy}\n"
        f"basic_project: {project.basic_project}\n"
        f"division: {project.division}\n"
        + _text("name", *project.name)
        + (f"name_kana: {project.name_kana}\n" if project.name_kana else "")
        + _text("summary", *project.summary)
        + f"cost: {{{fiscal_year}: {_figure(project.cost)}, "
        + f"{fiscal_year - 1}: {_figure(project.previous_cost)}}}\n"
        + _text("activities", *project.activities)
        + (
            _text("previous_cost_note", *project.previous_cost_note)
            if project.previous_cost_note
            else ""
        )
        + (_text("end_note", *project.end_note) if project.end_note else "")
        + (f"merged_into: {project.merged_into}\n" if project.merged_into else "")
    )


def pages() -> dict[str, str]:
    """The Markdown pages the footer links to, in both languages."""
    titles = {
        "about": ("このサイトについて", "About this site"),
        "terms": ("利用規約", "Terms of use"),
        "accessibility": ("アクセシビリティ", "Accessibility"),
    }
    files = {}
    for slug, (ja, en) in titles.items():
        files[f"pages/{slug}.ja.md"] = f"# {ja}\n\n合成データのサイトです。\n"
        files[f"pages/{slug}.en.md"] = f"# {en}\n\nA site of synthetic data.\n"
    return files


# The city's emblem (a synthetic one: a ring and a bar), shown in the header of every page.
EMBLEM_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">'
    '<circle cx="20" cy="20" r="16" fill="none" stroke="#1d4e89" stroke-width="5"/>'
    '<rect x="8" y="18" width="24" height="4" fill="#1d4e89"/></svg>\n'
)


def city_files(city: City) -> dict[str, str]:
    """Every file of the content tree: its path in the tree, and its text."""
    site = site_yaml(city.variant).replace(
        '  code: "132225"\n', '  code: "132225"\n  emblem: emblem.svg\n'
    )
    site = site.replace(  # the publisher's contact, for the catalogue's dcat:contactPoint
        "  url: https://example.org/\n",
        "  url: https://example.org/\n  contact:\n    email: opendata@example.org\n"
        "    phone: 042-000-0000\n",
        1,
    )
    files = {"site.yaml": site, "emblem.svg": EMBLEM_SVG, **pages()}
    for number, division in enumerate(city.divisions):
        files[f"divisions/{division.id}.yaml"] = division_yaml(division, number)
    for year in city.years:
        folder = str(year.fiscal_year)
        files[f"{folder}/report.yaml"] = report_yaml(year.fiscal_year)
        for policy in year.policies:
            files[f"{folder}/policies/{policy.id}.yaml"] = policy_yaml(policy)
        for project in year.projects:
            files[f"{folder}/projects/{project.id}.yaml"] = project_yaml(project, year.fiscal_year)
    return files


def write_city(root: Path, city: City) -> Path:
    """Write the city's content tree into root (new or empty); return root."""
    for name, text in city_files(city).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# -- The tests' tree: one year, three policies, six divisions ----------------------------------
def _plain_policies() -> list[Policy]:
    return [
        Policy(
            policy_id,
            order,
            (name_ja, name_en),
            (f"{name_ja}に努める。", f"The City works towards {name_en.lower()}."),
            [
                BasicProject(basic_id, (ja, en), [(ja + "を進める。", en + " is taken forward.")])
                for basic_id, ja, en in basics
            ],
        )
        for order, ((policy_id, name_ja, name_en), basics) in enumerate(POLICIES, start=1)
    ]


def _plain_project(number: int, rng: random.Random, variant: str) -> Project:
    (policy_id, _, _), basics = POLICIES[number % len(POLICIES)]
    basic_id = basics[number // len(POLICIES) % len(basics)][0]
    division = DIVISIONS[rng.randrange(len(DIVISIONS))][0]
    kind = rng.randrange(len(JA_NAMES))
    summary = sentences(rng, rng.randint(2, 4), PLAIN)
    activities_ja, activities_en = sentences(rng, rng.randint(1, 3), PLAIN)
    if variant:
        activities_ja += f"（{variant}）"
        activities_en += f" ({variant})"
    cost = plain_cost(rng)
    return Project(
        id=f"jigyo-{number:05d}",
        order=number,
        policy=policy_id,
        basic_project=basic_id,
        division=division,
        name=(f"第{number}号{JA_NAMES[kind]}", f"No. {number} {EN_NAMES[kind]}"),
        summary=summary,
        cost=cost,
        previous_cost=plain_cost(rng),
        activities=(activities_ja, activities_en),
    )


def make_tree(root: Path, projects: int, seed: int = 0, variant: str = "") -> Path:
    """Write a valid content tree with `projects` projects in FY2023 into root; return root.

    The same arguments give the same bytes. `variant` goes into the site's title (on every
    page) and into each project's activities, so an "old" and a "new" tree differ visibly.
    """
    rng = random.Random(seed)
    made = [_plain_project(number, rng, variant) for number in range(1, projects + 1)]
    city = City(
        [Division(d, (ja, en)) for d, ja, en in DIVISIONS],
        [Year(FISCAL_YEAR, _plain_policies(), made)],
        variant,
    )
    return write_city(root, city)


# -- The benchmark's trees of N files: each file its own id, policies of 20 projects -----------
PER_POLICY = 20


def _year_of_files(rng: random.Random, fiscal_year: int, count: int, known: list[str]) -> Year:
    """`count` projects of their own ids in one fiscal year, 20 to a policy of 2 basic projects."""
    policies = []
    for p in range(max(1, -(-count // PER_POLICY))):
        basics = [basic_project(rng, 2 * p + b, 3) for b in range(2)]
        (a_ja, a_en, _), (b_ja, b_en, _) = topic_of(2 * p), topic_of(2 * p + 1)
        name = (f"{a_ja}と{b_ja}の推進", f"Promoting {a_en} and {b_en}")
        policies.append(Policy(f"policy-{p}", p + 1, name, approach(rng, name), basics))
    projects = []
    for n in range(count):
        p, b = n // PER_POLICY, n % 2
        topic = topic_of(2 * p + b)
        projects.append(
            Project(
                id=f"p{fiscal_year}-{n}",
                order=n + 1,
                policy=f"policy-{p}",
                basic_project=policies[p].basic_projects[b].id,
                division=rng.choice(known),
                name=project_name(rng, topic)[0],
                summary=sentences(rng, rng.randint(1, 4), SUMMARY, topic[:2]),
                cost=first_cost(rng),
                previous_cost=first_cost(rng),
                activities=sentences(rng, rng.randint(1, 3), ACTIVITIES, topic[:2]),
            )
        )
    return Year(fiscal_year, policies, projects)


def make_years(out: Path, projects: int, years: int = 4, seed: int = 0) -> Path:
    """Write `projects` project files over `years` fiscal years (the newest FY2023) into out.

    Every file has its own id, so N files give about 2 × N project pages; divisions number
    one per 200 projects.
    """
    rng = random.Random(seed)
    made = divisions(max(2, projects // 200))
    known = [d.id for d in made]
    per_year = [projects // years + (1 if y < projects % years else 0) for y in range(years)]
    return write_city(
        out,
        City(
            made,
            [
                _year_of_files(rng, FISCAL_YEAR - index, count, known)
                for index, count in enumerate(per_year)
            ],
        ),
    )


# -- A whole city over several years -----------------------------------------------------------
ENDS = 0.06  # of a year's projects, the share not carried on into the next year
RENAMED = 0.04  # of those carried on, the share renamed
MOVED = 0.03  # of those carried on, the share moved to another division


@dataclass
class Plan:
    """What a city's projects are drawn from, the same every year."""

    policies: list[Policy]
    places: list[tuple[Policy, int, Word]]  # every basic project: its policy, index, topic
    divisions: list[str]
    homes: dict[str, list[str]]  # basic project id -> the divisions most of its projects have
    taken: set[str] = field(default_factory=set)  # project ids used: never used again


@dataclass
class Running:
    """A project as it goes on from one fiscal year to the next."""

    id: str
    started: int  # its place in the order of projects made, for the report's order
    policy: Policy
    basic: int  # its basic project's index in the policy
    division: str
    topic: Word
    name: Text
    summary: Text
    cost: int | None
    previous_cost: int | None
    previous_cost_note: Text | None = None


def city_plan(rng: random.Random, policies: int, known: list[str]) -> Plan:
    """`policies` policies of 3 or 4 basic projects (10 to every 3 policies), each basic project
    with 2 divisions of its own."""
    made, places = [], []
    for p in range(policies):
        theme_id, ja, en = POLICY_THEMES[p % len(POLICY_THEMES)]
        if p >= len(POLICY_THEMES):
            theme_id, ja, en = f"{theme_id}-{p // len(POLICY_THEMES) + 1}", ja, en
        count = 4 if p % 3 == 1 else 3
        first = len(places)
        basics = [basic_project(rng, first + b, rng.randint(2, 4)) for b in range(count)]
        made.append(Policy(theme_id, p + 1, (ja, en), approach(rng, (ja, en)), basics))
        places += [(made[-1], b, topic_of(first + b)) for b in range(count)]
    homes = {policy.basic_projects[b].id: rng.sample(known, 2) for policy, b, _ in places}
    return Plan(made, places, known, homes)


def new_project(rng: random.Random, plan: Plan, previous_cost: int | None) -> Running:
    """A project that starts this year, under a basic project drawn at random."""
    policy, b, topic = plan.places[rng.randrange(len(plan.places))]
    name, stem = project_name(rng, topic)
    project_id, n = stem, 1
    while project_id in plan.taken:
        n += 1
        project_id = f"{stem}-{n}"
    plan.taken.add(project_id)
    return Running(
        id=project_id,
        started=len(plan.taken),
        policy=policy,
        basic=b,
        division=rng.choice(plan.homes[policy.basic_projects[b].id]),
        topic=topic,
        name=name,
        summary=sentences(rng, rng.randint(1, 4), SUMMARY, topic[:2]),
        cost=first_cost(rng),
        previous_cost=previous_cost,
    )


def carried_on(rng: random.Random, plan: Plan, project: Running) -> Running:
    """The project a year later: last year's cost is its previous cost; now and then renamed
    (and described anew) or moved to another division."""
    name, summary, division = project.name, project.summary, project.division
    if rng.random() < RENAMED:
        name = project_name(rng, project.topic)[0]
        summary = sentences(rng, rng.randint(1, 4), SUMMARY, project.topic[:2])
    if rng.random() < MOVED:
        division = rng.choice([d for d in plan.divisions if d != project.division])
    return Running(
        project.id,
        project.started,
        project.policy,
        project.basic,
        division,
        project.topic,
        name,
        summary,
        next_cost(rng, project.cost),
        project.cost,
    )


def next_year(
    rng: random.Random, plan: Plan, running: list[Running], fiscal_year: int
) -> list[Running]:
    """The same number of projects a year later: some ended, as many new ones started (their
    previous cost missing, or zero one time in five); one restates last year's cost, as a
    report does when the settled figure came late, and says so (previous_cost_note)."""
    kept = [carried_on(rng, plan, p) for p in running if rng.random() >= ENDS]
    restated = kept[rng.randrange(len(kept))] if kept else None
    if restated is not None and restated.previous_cost is not None:
        restated.previous_cost += 1 + rng.randrange(500)
        restated.previous_cost_note = (
            f"{wareki(fiscal_year - 1)}の事業費を決算額に修正した。",
            f"FY{fiscal_year - 1}'s cost is restated at the settled amount.",
        )
    started = [
        new_project(rng, plan, 0 if rng.random() < 0.2 else None)
        for _ in range(len(running) - len(kept))
    ]
    return kept + started


def end_projects(last: Year, running: list[Running]) -> None:
    """In last year's report, each project that does not go on says why: most ended
    (end_note), one in four goes on as part of a project of the same policy (merged_into)."""
    going_on = {p.id for p in running}
    ended = [p for p in last.projects if p.id not in going_on]
    for n, project in enumerate(ended):
        same_policy = [p.id for p in running if p.policy.id == project.policy]
        if n % 4 == 3 and same_policy:
            project.merged_into = same_policy[0]
            continue
        project.end_note = (
            f"所期の目的を達成したため、{wareki(last.fiscal_year)}をもって終了した。",
            f"The project achieved its aim and ended after FY{last.fiscal_year}.",
        )


def move_one(running: list[Running], last: Year) -> None:
    """One project that went on moves to another basic project of its policy (the warning
    `project-moved` of check, which a real report has now and then)."""
    before = {p.id for p in last.projects}
    for project in running:
        if project.id in before and len(project.policy.basic_projects) > 1:
            project.basic = (project.basic + 1) % len(project.policy.basic_projects)
            return


def year_of(rng: random.Random, fiscal_year: int, plan: Plan, running: list[Running]) -> Year:
    """The report of one fiscal year: projects in the order of their policy and basic project."""
    ordered = sorted(running, key=lambda p: (p.policy.order, p.basic, p.started))
    projects = [
        Project(
            id=p.id,
            order=order,
            policy=p.policy.id,
            basic_project=p.policy.basic_projects[p.basic].id,
            division=p.division,
            name=p.name,
            summary=p.summary,
            cost=p.cost,
            previous_cost=p.previous_cost,
            activities=sentences(rng, rng.randint(1, 3), ACTIVITIES, p.topic[:2]),
            previous_cost_note=p.previous_cost_note,
            name_kana=name_kana(p),
        )
        for order, p in enumerate(ordered, start=1)
    ]
    return Year(fiscal_year, plan.policies, projects)


def name_kana(project: Running) -> str | None:
    """The reading of every other project's name, as 自治体標準 datasets carry one: in hiragana,
    or in katakana for half of them; the same choice every year (a new name, a new reading)."""
    if project.started % 2:
        return None
    kana = reading(project.name[0])
    return katakana(kana) if kana and project.started % 4 == 2 else kana


def make_city(
    out: Path, projects_per_year: int = 1500, policies: int = 30, years: int = 5, seed: int = 0
) -> Path:
    """Write a whole city's report over `years` fiscal years (to FY2023) into out; return out.

    40 divisions; `policies` policies with 10 basic projects to every 3; `projects_per_year`
    projects in every year, with ids kept from year to year.
    """
    rng = random.Random(seed)
    made = divisions(len(CITY_DIVISIONS))
    plan = city_plan(rng, policies, [d.id for d in made])
    running = [new_project(rng, plan, first_cost(rng)) for _ in range(projects_per_year)]
    first = FISCAL_YEAR - years + 1
    reports = []
    for fiscal_year in range(first, FISCAL_YEAR + 1):
        if fiscal_year > first:
            running = next_year(rng, plan, running, fiscal_year)
            end_projects(reports[-1], running)
        if fiscal_year == FISCAL_YEAR and fiscal_year > first:
            move_one(running, reports[-1])
        reports.append(year_of(rng, fiscal_year, plan, running))
    return write_city(out, City(made, reports))
