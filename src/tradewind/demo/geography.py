"""Where the demo shop's buyers live: twenty destination countries with their language, share of orders, usual
transit time from Yiwu, how often parcels are collected at a pickup point, cities, and the names and e-mail
addresses buyers there have."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Destination:
    country: str
    language: str
    weight: float
    transit_days: float
    pickup_share: float
    name_zh: str
    cities: tuple[str, ...]
    email_domains: tuple[str, ...]


DESTINATIONS: tuple[Destination, ...] = (
    Destination(
        "RU",
        "ru",
        26,
        18,
        0.85,
        "俄罗斯",
        ("Москва", "Санкт-Петербург", "Екатеринбург", "Новосибирск", "Казань"),
        ("mail.ru", "yandex.ru", "gmail.com"),
    ),
    Destination(
        "UA", "uk", 6, 17, 0.85, "乌克兰", ("Київ", "Харків", "Львів", "Одеса"), ("ukr.net", "gmail.com", "i.ua")
    ),
    Destination("BY", "ru", 4, 16, 0.8, "白俄罗斯", ("Минск", "Гомель", "Брест"), ("mail.ru", "tut.by")),
    Destination("KZ", "ru", 3, 19, 0.8, "哈萨克斯坦", ("Алматы", "Астана", "Караганда"), ("mail.ru", "gmail.com")),
    Destination(
        "ES", "es", 9, 13, 0.35, "西班牙", ("Madrid", "Barcelona", "Valencia", "Sevilla"), ("gmail.com", "hotmail.es")
    ),
    Destination(
        "FR",
        "fr",
        6,
        12,
        0.4,
        "法国",
        ("Paris", "Lyon", "Marseille", "Toulouse"),
        ("gmail.com", "orange.fr", "laposte.net"),
    ),
    Destination(
        "BR",
        "pt",
        7,
        35,
        0.3,
        "巴西",
        ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba"),
        ("gmail.com", "hotmail.com", "uol.com.br"),
    ),
    Destination(
        "PL", "pl", 5, 12, 0.6, "波兰", ("Warszawa", "Kraków", "Wrocław", "Gdańsk"), ("wp.pl", "o2.pl", "gmail.com")
    ),
    Destination("IL", "he", 3, 18, 0.6, "以色列", ("תל אביב", "ירושלים", "חיפה"), ("gmail.com", "walla.co.il")),
    Destination("KR", "ko", 3, 9, 0.1, "韩国", ("서울", "부산", "인천"), ("naver.com", "daum.net")),
    Destination(
        "US",
        "en",
        6,
        14,
        0.05,
        "美国",
        ("NEW YORK, NY", "LOS ANGELES, CA", "HOUSTON, TX", "CHICAGO, IL"),
        ("gmail.com", "yahoo.com", "outlook.com"),
    ),
    Destination("DE", "de", 3, 11, 0.2, "德国", ("Berlin", "Hamburg", "München", "Köln"), ("gmx.de", "web.de")),
    Destination("IT", "it", 2, 14, 0.3, "意大利", ("Roma", "Milano", "Napoli", "Torino"), ("libero.it", "gmail.com")),
    Destination("NL", "nl", 2, 10, 0.3, "荷兰", ("Amsterdam", "Rotterdam", "Utrecht"), ("gmail.com", "ziggo.nl")),
    Destination("TR", "tr", 2, 16, 0.3, "土耳其", ("İstanbul", "Ankara", "İzmir"), ("gmail.com", "hotmail.com")),
    Destination("SA", "ar", 2, 18, 0.5, "沙特阿拉伯", ("الرياض", "جدة", "الدمام"), ("gmail.com", "hotmail.com")),
    Destination("JP", "ja", 1, 9, 0.1, "日本", ("東京都", "大阪府", "名古屋市"), ("yahoo.co.jp", "docomo.ne.jp")),
    Destination("PT", "pt", 2, 14, 0.4, "葡萄牙", ("Lisboa", "Porto", "Braga"), ("gmail.com", "sapo.pt")),
    Destination("CL", "es", 3, 28, 0.5, "智利", ("Santiago", "Valparaíso", "Concepción"), ("gmail.com",)),
    Destination(
        "MX", "es", 3, 25, 0.3, "墨西哥", ("Ciudad de México", "Guadalajara", "Monterrey"), ("gmail.com", "hotmail.com")
    ),
)
COUNTRY_INDEX = {d.country: i for i, d in enumerate(DESTINATIONS)}
# Where international mail enters each country (the place of the arrival and customs lines).
EXCHANGE_OFFICES = {
    "RU": "Москва",
    "UA": "Київ",
    "BY": "Минск",
    "KZ": "Алматы",
    "ES": "Madrid",
    "FR": "Roissy-en-France",
    "BR": "Curitiba",
    "PL": "Warszawa",
    "IL": 'מרכז דואר בינלאומי נתב"ג',
    "KR": "국제우편물류센터",
    "US": "ISC CHICAGO IL(USPS)",
    "DE": "Frankfurt",
    "IT": "Milano Roserio",
    "NL": "Amsterdam",
    "TR": "İstanbul",
    "SA": "الرياض",
    "JP": "川崎東郵便局",
    "PT": "Lisboa",
    "CL": "Santiago",
    "MX": "Ciudad de México",
}
RAIL_BORDER = "Забайкальск"


@dataclass(frozen=True)
class NameBook:
    """Given names (women's, men's, with the Latin spelling e-mail addresses use) and family names."""

    women: tuple[str, ...]
    women_latin: tuple[str, ...]
    men: tuple[str, ...]
    men_latin: tuple[str, ...]
    family_women: tuple[str, ...]
    family_men: tuple[str, ...]


def _book(women: str, women_latin: str, men: str, men_latin: str, family: str, family_men: str = "") -> NameBook:
    return NameBook(
        tuple(women.split()),
        tuple(women_latin.split()),
        tuple(men.split()),
        tuple(men_latin.split()),
        tuple(family.split()),
        tuple((family_men or family).split()),
    )


NAMES: dict[str, NameBook] = {
    "ru": _book(
        "Ольга Анна Екатерина Наталья Мария Ирина Елена Светлана",
        "olga anna katya natasha masha irina lena sveta",
        "Дмитрий Сергей Алексей Андрей Иван Максим",
        "dima sergey alex andrey ivan max",
        "Иванова Смирнова Кузнецова Попова Соколова Лебедева Новикова Морозова",
        "Иванов Смирнов Кузнецов Попов Соколов Лебедев Новиков Морозов",
    ),
    "uk": _book(
        "Оксана Ірина Тетяна Наталія Олена Юлія",
        "oksana iryna tanya natalia olena yulia",
        "Олександр Андрій Тарас Богдан",
        "oleksandr andriy taras bogdan",
        "Шевченко Бондаренко Коваленко Ткаченко Кравченко Мельник",
    ),
    "es": _book(
        "María Lucía Carmen Sofía Laura Valentina",
        "maria lucia carmen sofia laura vale",
        "Javier Carlos Diego Alejandro",
        "javi carlos diego alex",
        "García Martínez López Sánchez Pérez Rodríguez Fernández González",
    ),
    "pt": _book(
        "Ana Juliana Mariana Beatriz Fernanda Camila",
        "ana juliana mariana bia fernanda camila",
        "João Pedro Lucas Rafael",
        "joao pedro lucas rafael",
        "Silva Santos Oliveira Souza Pereira Costa Ferreira",
    ),
    "fr": _book(
        "Camille Léa Manon Chloé Sarah Julie",
        "camille lea manon chloe sarah julie",
        "Thomas Nicolas Julien Maxime",
        "thomas nico julien max",
        "Martin Bernard Dubois Durand Lefebvre Moreau Laurent",
    ),
    "pl": _book(
        "Anna Katarzyna Magdalena Agnieszka Joanna Monika",
        "ania kasia magda aga asia monika",
        "Piotr Tomasz Paweł Michał",
        "piotr tomek pawel michal",
        "Nowak Kowalska Wiśniewska Wójcik Kamińska Lewandowska",
        "Nowak Kowalski Wiśniewski Wójcik Kamiński Lewandowski",
    ),
    "he": _book(
        "נועה מיכל שירה יעל תמר רוני",
        "noa michal shira yael tamar roni",
        "יוסי אבי דניאל איתי",
        "yossi avi daniel itai",
        "כהן לוי מזרחי פרץ ביטון אברהם",
    ),
    "ko": _book(
        "지은 민지 서연 수빈 하은 유진",
        "jieun minji seoyeon subin haeun yujin",
        "민준 서준 도윤 지훈",
        "minjun seojun doyun jihun",
        "김 이 박 최 정 강",
    ),
    "en": _book(
        "Jennifer Ashley Jessica Emily Sarah Megan",
        "jen ashley jess emily sarah megan",
        "Michael Chris Matt Josh",
        "mike chris matt josh",
        "Smith Johnson Williams Brown Jones Miller Davis",
    ),
    "de": _book(
        "Anna Lena Julia Laura Sarah Katharina",
        "anna lena julia laura sarah kathi",
        "Lukas Jonas Felix Tim",
        "lukas jonas felix tim",
        "Müller Schmidt Schneider Fischer Weber Wagner",
    ),
    "it": _book(
        "Giulia Francesca Chiara Sara Martina",
        "giulia francesca chiara sara martina",
        "Marco Luca Andrea Matteo",
        "marco luca andrea matteo",
        "Rossi Russo Ferrari Esposito Bianchi",
    ),
    "nl": _book(
        "Emma Sanne Lisa Anouk Fleur",
        "emma sanne lisa anouk fleur",
        "Daan Bram Lars Sem",
        "daan bram lars sem",
        "de Jong Jansen de Vries Bakker Visser".replace("de ", "de_"),
    ),
    "tr": _book(
        "Elif Zeynep Ayşe Merve Büşra",
        "elif zeynep ayse merve busra",
        "Mehmet Emre Burak Can",
        "mehmet emre burak can",
        "Yılmaz Kaya Demir Şahin Çelik",
    ),
    "ar": _book(
        "نورة سارة ريم لمى هيفاء",
        "noura sara reem lama haifa",
        "محمد عبدالله فهد خالد",
        "mohammed abdullah fahad khaled",
        "العتيبي القحطاني الغامدي الحربي الشهري",
    ),
    "ja": _book(
        "陽菜 美咲 さくら 結衣 葵",
        "hina misaki sakura yui aoi",
        "翔太 大輝 拓海 蓮",
        "shota daiki takumi ren",
        "佐藤 鈴木 高橋 田中 伊藤",
    ),
}


def display_family(name: str) -> str:
    """Family names written with a space are stored with '_' in the word lists."""
    return name.replace("_", " ")
