"""The shipping methods the demo shop uses and how each carrier writes a parcel's progress: China Post and the
destination posts with UPU event codes in their own language, Cainiao with its action codes in Chinese or English,
and the Correos service from the Madrid warehouse."""

from __future__ import annotations

from dataclasses import dataclass

from tradewind.logistics.models import TrackingStatus

# The stages of a parcel's journey, in order; each is one column of a shipment's timeline. HANDOVER: left the
# sorting centre for export; DEPART: the flight (or train) left China; HELD: stopped by customs (import ban).
ACCEPT, HANDOVER, DEPART, ARRIVE, CUSTOMS, HELD, OFFICE, PICKUP, OUT, DELIVERED = range(10)
STAGES = 10
STAGE_STATUS = (
    TrackingStatus.IN_TRANSIT,
    TrackingStatus.IN_TRANSIT,
    TrackingStatus.IN_TRANSIT,
    TrackingStatus.IN_TRANSIT,
    TrackingStatus.IN_TRANSIT,
    TrackingStatus.EXCEPTION,
    TrackingStatus.IN_TRANSIT,
    TrackingStatus.AVAILABLE_FOR_PICKUP,
    TrackingStatus.OUT_FOR_DELIVERY,
    TrackingStatus.DELIVERED,
)
CUSTOMS_HOLD = "customs_hold"  # the sub-status `tradewind.logistics.tracking.codes.Substatus` uses
UPU_CODES = ("EMA", "EMB", "EMC", "EMD", "EDB", "EDA", "EMG", "EDH", "EDG", "EMI")
# When the stages happen, as a share of the door-to-door transit time (ACCEPT .. OUT).
AIR = (0.0, 0.08, 0.3, 0.5, 0.6, 0.64, 0.8, 0.93, 0.97)
RAIL_TIMING = (0.0, 0.05, 0.1, 0.45, 0.5, 0.54, 0.8, 0.93, 0.97)
ROAD = (0.0, 0.1, 0.2, 0.3, 0.4, 0.45, 0.6, 0.85, 0.9)


@dataclass(frozen=True)
class Method:
    code: str
    name: str
    carrier: str
    mode: str
    promise_days: int
    far_promise_days: int  # Latin America
    cost: float
    transit_factor: float
    family: str  # upu, cainiao, rail, local
    fractions: tuple[float, ...]


METHODS: tuple[Method, ...] = (
    Method("EPACKET", "ePacket", "China Post", "air", 39, 60, 3.2, 1.0, "upu", AIR),
    Method("AE_STANDARD", "AliExpress Standard Shipping", "Cainiao", "air", 35, 60, 2.9, 0.9, "cainiao", AIR),
    Method("CP_REG_AIR", "China Post Registered Air Mail", "China Post", "air", 60, 75, 2.1, 1.4, "upu", AIR),
    Method("CAINIAO_SUPER_ECONOMY", "Cainiao Super Economy Global", "Cainiao", "air", 60, 75, 1.4, 1.6, "cainiao", AIR),
    Method(
        "RAIL_CN_RU",
        "China–Russia Rail Express (Yiwu → Moscow)",
        "China Railway Express / Russian Post",
        "rail",
        45,
        45,
        1.9,
        1.15,
        "rail",
        RAIL_TIMING,
    ),
    Method(
        "CORREOS_PAQ",
        "Correos Paq Estándar (from the Madrid warehouse)",
        "Correos",
        "road",
        10,
        10,
        4.5,
        0.0,
        "local",
        ROAD,
    ),
)
METHOD_INDEX = {m.code: i for i, m in enumerate(METHODS)}
EPACKET, AE_STANDARD, CP_REG_AIR, CAINIAO, RAIL, CORREOS = range(len(METHODS))

# What each destination post writes at each stage, in its language:
# arrive, customs, held, office, pickup, out for delivery, delivered.
LOCAL_TEXTS: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "RU": (
        "Прибыло на территорию РФ",
        "Передано таможне",
        "Задержано таможней",
        "Прибыло в место вручения",
        "Ожидает адресата в месте вручения",
        "Передано почтальону",
        "Вручение адресату",
    ),
    "BY": (
        "Поступило в учреждение обмена",
        "Передано на таможенный контроль",
        "Задержано таможней",
        "Поступило в учреждение доставки",
        "Ожидает адресата в учреждении почтовой связи",
        "Передано почтальону для доставки",
        "Вручено адресату",
    ),
    "KZ": (
        "Прибыло в страну назначения",
        "Таможенный контроль",
        "Задержано таможней",
        "Прибыло в отделение связи",
        "Ожидает получателя в отделении",
        "Передано курьеру",
        "Выдано адресату",
    ),
    "UA": (
        "Відправлення надійшло в Україну",
        "Відправлення в процесі митного оформлення",
        "Відправлення затримано митницею",
        "Відправлення надійшло до відділення зв'язку",
        "Відправлення очікує адресата у відділенні",
        "Відправлення передано листоноші",
        "Відправлення вручено",
    ),
    "ES": (
        "En tránsito. El envío ha llegado a España",
        "En proceso de despacho de aduanas",
        "Retenido en aduanas",
        "Clasificado en el centro de tratamiento",
        "Disponible para recoger en oficina",
        "En reparto",
        "Entregado",
    ),
    "MX": (
        "Recibido en México",
        "En proceso de revisión aduanal",
        "Retenido por la aduana",
        "En tránsito a oficina de entrega",
        "Disponible en sucursal para su entrega",
        "En ruta de entrega",
        "Entregado",
    ),
    "CL": (
        "Envío recibido en Chile",
        "En proceso de aduana",
        "Retenido en aduana",
        "En centro de distribución",
        "Disponible para retiro en sucursal",
        "En reparto",
        "Envío entregado",
    ),
    "FR": (
        "Votre colis est arrivé en France",
        "Votre colis est en cours de dédouanement",
        "Votre colis est retenu par la douane",
        "Votre colis est en cours d'acheminement",
        "Votre colis est disponible dans votre point de retrait",
        "Votre colis est en cours de livraison",
        "Votre colis est livré",
    ),
    "BR": (
        "Objeto recebido pelos Correios do Brasil",
        "Objeto encaminhado para fiscalização aduaneira",
        "Objeto retido pela fiscalização aduaneira",
        "Objeto em trânsito - por favor aguarde",
        "Objeto aguardando retirada no endereço indicado",
        "Objeto saiu para entrega ao destinatário",
        "Objeto entregue ao destinatário",
    ),
    "PT": (
        "Receção internacional",
        "Em processo de desalfandegamento",
        "Retido na alfândega",
        "Em trânsito",
        "Aguardando retirada",
        "Em distribuição",
        "Entregue",
    ),
    "PL": (
        "Przyjęcie przesyłki w kraju przeznaczenia",
        "Odprawa celna",
        "Przesyłka zatrzymana przez urząd celny",
        "Wysłanie przesyłki z urzędu przekazu",
        "Awizo - przesyłka do odbioru w placówce pocztowej",
        "Przekazano do doręczenia",
        "Doręczono",
    ),
    "IL": (
        "הפריט הגיע לישראל",
        "הפריט נמצא בבדיקת מכס",
        "הפריט עוכב במכס – יבוא מוגבל ממדינת המקור",
        "הפריט בדרך ליחידת החלוקה",
        "הפריט ממתין לאיסוף בסניף הדואר",
        "הפריט יצא לחלוקה",
        "הפריט נמסר לנמען",
    ),
    "KR": (
        "도착 (국제우편물류센터)",
        "통관검사대기",
        "통관보류",
        "배달준비",
        "우체국 보관 중 (수령 대기)",
        "배달중",
        "배달완료",
    ),
    "JP": (
        "国際交換局に到着",
        "通関手続中",
        "税関検査のため保留",
        "到着",
        "窓口でお預かり",
        "持ち出し中",
        "お届け済み",
    ),
    "US": (
        "Processed Through Facility",
        "Inbound Into Customs",
        "Held in Customs",
        "Arrived at Post Office",
        "Available for Pickup",
        "Out for Delivery",
        "Delivered, In/At Mailbox",
    ),
    "DE": (
        "Die Sendung ist im Zielland eingetroffen.",
        "Die Sendung wird zur Verzollung vorbereitet.",
        "Die Sendung wurde vom Zoll zurückgehalten.",
        "Die Sendung wurde im Ziel-Paketzentrum bearbeitet.",
        "Die Sendung liegt in der Filiale zur Abholung bereit.",
        "Die Sendung wurde in das Zustellfahrzeug geladen.",
        "Die Sendung wurde erfolgreich zugestellt.",
    ),
    "IT": (
        "Arrivata in Italia - presa in carico dall'Ufficio Scambi Internazionali",
        "In lavorazione doganale",
        "Trattenuta in dogana",
        "In transito presso il centro di smistamento",
        "In giacenza presso l'ufficio postale",
        "In consegna",
        "Consegnata",
    ),
    "NL": (
        "Zending is in Nederland aangekomen",
        "Zending is bij de douane",
        "Zending is tegengehouden door de douane",
        "Zending is gesorteerd",
        "Zending ligt klaar op het afhaalpunt",
        "Bezorger is onderweg",
        "Zending is bezorgd",
    ),
    "TR": (
        "Gönderi Türkiye'ye ulaştı",
        "Gümrük işlemleri devam ediyor",
        "Gümrükte bekletiliyor",
        "Dağıtım merkezine ulaştı",
        "Şubede alıcısını bekliyor",
        "Dağıtıma çıkarıldı",
        "Teslim edildi",
    ),
    "SA": (
        "وصلت الشحنة إلى المملكة",
        "الشحنة قيد التخليص الجمركي",
        "الشحنة محتجزة لدى الجمارك",
        "الشحنة في مركز التوزيع",
        "الشحنة جاهزة للاستلام من مكتب البريد",
        "الشحنة خرجت للتوصيل",
        "تم تسليم الشحنة",
    ),
}
LOCAL_STAGES = (ARRIVE, CUSTOMS, HELD, OFFICE, PICKUP, OUT, DELIVERED)
RUSSIAN_POST_ORIGIN = ("Принято в отделении связи", "Покинуло место приёма", "Покинуло место международного обмена")
RUSSIAN_POST_PLACES = ("CHINA 322000", "CHINA", "CHINA")
RAIL_PLACES = ("CHINA 322000", "YIWU", "YIWU RAIL TERMINAL")
RUSSIAN_SPEAKING_POSTS = ("RU", "BY", "KZ")
CHINA_POST_ORIGIN = (
    "已收寄 Posting/Collection",
    "到达处理中心 Arrival at outward office of exchange",
    "离开处理中心，发往{country} Departure from outward office of exchange",
)
CHINA_POST_PLACES = ("义乌市邮政分公司", "上海国际邮件互换局", "上海国际邮件互换局")
CAINIAO_CODES = ("PU_PICKUP_SUCCESS", "SC_OUTBOUND_SUCCESS", "LH_HO_AIRLINE", "LH_ARRIVE", "CC_IM_SUCCESS")
CAINIAO_ENGLISH = (
    "Received by logistics company",
    "Leaving from sort facility",
    "Handed over to airline",
    "Arrived at destination country/region",
    "Import customs clearance complete",
)
CAINIAO_CHINESE = ("【义乌】快件已被揽收", "离开分拣中心", "已交航空公司运输", "到达目的地国家/地区", "进口清关成功")
CAINIAO_PLACES = ("Yiwu", "Hangzhou", "Shanghai Pudong")
CORREOS_TEXTS = ("Admitido", "En tránsito", "En reparto", "Disponible para recoger en oficina", "Entregado")


@dataclass(frozen=True)
class TrackingLine:
    code: str
    text: str
    location: str
    status: TrackingStatus
    substatus: str | None


def tracking_line(
    stage: int, *, method: Method, country: str, country_zh: str, city: str, exchange_city: str
) -> TrackingLine:
    """The line a carrier writes when a parcel of `method` to `country` reaches `stage`."""
    status = STAGE_STATUS[stage]
    substatus = CUSTOMS_HOLD if stage == HELD else None
    if method.family == "local":
        return _correos_line(stage, country, city, status)
    if stage in (ACCEPT, HANDOVER, DEPART):
        return _origin_line(stage, method, country, country_zh, status)
    if method.family == "cainiao" and stage in (ARRIVE, CUSTOMS):
        texts = CAINIAO_ENGLISH if method.code == "AE_STANDARD" else CAINIAO_CHINESE
        return TrackingLine(CAINIAO_CODES[stage], texts[stage], exchange_city, status, None)
    text = LOCAL_TEXTS[country][LOCAL_STAGES.index(stage)]
    place = exchange_city if stage in (ARRIVE, CUSTOMS, HELD) else city
    return TrackingLine(UPU_CODES[stage], text, place, status, substatus)


def _origin_line(stage: int, method: Method, country: str, country_zh: str, status: TrackingStatus) -> TrackingLine:
    if method.family == "cainiao":
        texts = CAINIAO_ENGLISH if method.code == "AE_STANDARD" else CAINIAO_CHINESE
        return TrackingLine(CAINIAO_CODES[stage], texts[stage], CAINIAO_PLACES[stage], status, None)
    if country in RUSSIAN_SPEAKING_POSTS:
        places = RAIL_PLACES if method.family == "rail" else RUSSIAN_POST_PLACES
        return TrackingLine(UPU_CODES[stage], RUSSIAN_POST_ORIGIN[stage], places[stage], status, None)
    text = CHINA_POST_ORIGIN[stage].format(country=country_zh)
    return TrackingLine(UPU_CODES[stage], text, CHINA_POST_PLACES[stage], status, None)


def _correos_line(stage: int, country: str, city: str, status: TrackingStatus) -> TrackingLine:
    if country == "PT":
        local = LOCAL_TEXTS["PT"]
        texts = ("Aceite", local[3], local[5], local[4], local[6])
    else:
        texts = CORREOS_TEXTS
    index = {ACCEPT: 0, OFFICE: 1, OUT: 2, PICKUP: 3, DELIVERED: 4}[stage]
    place = "MADRID CTA" if stage == ACCEPT else city
    return TrackingLine(UPU_CODES[stage], texts[index], place, status, None)


def s10_check_digit(serial: int) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    digits = [int(c) for c in f"{serial:08d}"]
    total = sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return 0 if check == 10 else 5 if check == 11 else check


def tracking_number(method: Method, serial: int, country: str) -> str:
    """A tracking number in the carrier's format; `serial` must be unique within the shop."""
    if method.family in ("upu", "rail"):
        prefix = {"EPACKET": "LX", "CP_REG_AIR": "RR", "RAIL_CN_RU": "RV"}[method.code]
        number = serial % 100_000_000
        return f"{prefix}{number:08d}{s10_check_digit(number)}CN"
    if method.code == "AE_STANDARD":
        return f"AEM{serial:011d}{country}"
    if method.code == "CAINIAO_SUPER_ECONOMY":
        return f"LP00{serial:012d}"
    return f"PQ4B6M{serial:016d}"
