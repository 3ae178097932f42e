"""What the demo shop's buyers write, as they write it: short feedback after delivery and the messages that
arrive in the shop's inbox (informal, with typos and emojis), in their languages."""

from __future__ import annotations

# Feedback by language: (happy, unhappy) texts; the rating decides which list is used.
FEEDBACK: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ru": (
        (
            "Отличные кроссовки, размер в размер 👍",
            "Всё пришло, качество хорошее, спасибо продавцу",
            "Сапоги супер, тёплые. Рекомендую!",
            "Шло долго, но обувь хорошая",
        ),
        ("Размер маломерит, пришлось отдать", "Шло почти два месяца...", "Клей виден, качество так себе"),
    ),
    "uk": (
        ("Все прийшло, розмір підійшов, дякую!", "Гарне взуття за свої гроші"),
        ("Довго йшла посилка", "Розмір менший ніж в таблиці"),
    ),
    "es": (
        ("Muy bonitos, talla correcta", "Llegaron rápido, muy cómodos 😍", "Todo perfecto, gracias"),
        ("Tardó muchísimo en llegar", "La talla es más pequeña de lo indicado"),
    ),
    "pt": (
        ("Chegou certinho, amei ❤️", "Produto de qualidade, recomendo", "Confortável e bonito"),
        ("Demorou demais pra chegar", "Veio com cheiro forte de cola"),
    ),
    "fr": (
        ("Très bien, conforme à la description", "Chaussures confortables, merci"),
        ("Livraison très longue", "Taille petit, prendre une pointure au-dessus"),
    ),
    "pl": (("Buty super, polecam!", "Zgodne z opisem, szybka wysyłka"), ("Długo szło", "Rozmiar za mały")),
    "en": (
        ("Great shoes, true to size", "Fast shipping, good quality 👍", "Love them!"),
        ("Took forever to arrive", "Runs small, order one size up"),
    ),
    "de": (("Sehr bequem, passt gut", "Gute Qualität für den Preis"), ("Lieferung hat ewig gedauert",)),
    "it": (("Molto belle, taglia giusta",), ("Spedizione lentissima",)),
    "he": (("נעליים מעולות, מידה מדויקת", "הגיע בזמן, תודה"), ("לקח המון זמן להגיע",)),
    "ko": (("사이즈 잘 맞아요 👍", "배송 빠르고 예뻐요"), ("배송이 너무 늦어요",)),
    "tr": (("Çok rahat, tavsiye ederim",), ("Kargo çok geç geldi",)),
    "ar": (("حذاء ممتاز ومريح",), ("التوصيل تأخر كثيرا",)),
    "ja": (("サイズぴったりで可愛いです",), ("届くまで時間がかかりました",)),
    "nl": (("Mooie schoenen, goede pasvorm",), ("Levering duurde erg lang",)),
}

# Buyer messages by situation, then by language. {number} is the order number, {short} its first digits.
MESSAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "where": {
        "ru": (
            "где мой заказ??",
            "Здравствуйте! Заказ {number} уже месяц в пути, когда придёт?",
            "добрый день, посылка {short}… долго идет, подскажите сроки",
        ),
        "uk": ("Доброго дня, де моє замовлення {number}?", "коли прийде посилка?? чекаю вже місяць"),
        "es": ("hola, cuando llega mi pedido {short}…", "Buenas! mi pedido {number} todavia no llega 😢"),
        "pt": ("Olá, meu pedido {number} ainda não chegou, quando chega?", "cade meu pedido??"),
        "fr": ("Bonjour, où en est ma commande {number} ? Merci", "bonjour ma commande n'est toujours pas arrivée"),
        "pl": ("Dzień dobry, kiedy dotrze moja paczka {number}?",),
        "en": ("hi where is my order {number}", "Hello, my package still hasn't arrived. Any update?"),
        "de": ("Hallo, wo bleibt meine Bestellung {number}?",),
        "ko": ("안녕하세요 주문 {number} 언제 도착하나요?",),
        "he": ("שלום, מתי תגיע ההזמנה שלי {number}?",),
    },
    "no_updates": {
        "ru": (
            "трек не обновляется уже 2 недели 😡 что с посылкой?",
            "Посылка {number} стоит на месте, верните деньги",
        ),
        "uk": ("трек не оновлюється вже два тижні, що сталося?",),
        "es": ("el seguimiento no se actualiza desde hace semanas!!", "mi paquete esta parado, que pasa?"),
        "pt": ("o rastreio não atualiza faz 15 dias 😤",),
        "pl": ("Paczka stoi w miejscu od dwóch tygodni, co się dzieje?",),
        "en": ("tracking hasn't moved in 2 weeks, is my parcel lost??",),
        "fr": ("Le suivi ne bouge plus depuis 12 jours, c'est normal ?",),
    },
    "pickup": {
        "ru": (
            "пришло извещение что посылка на почте, это мой заказ?",
            "посылка в пункте выдачи, до какого числа можно забрать?",
        ),
        "uk": ("прийшло повідомлення з пошти, це моє замовлення?",),
        "pt": ("Apareceu aguardando retirada, preciso pagar alguma taxa?",),
        "pl": ("Dostałam awizo, czy to moje buty?",),
        "es": ("me dice disponible para recoger en oficina, cual oficina?",),
    },
    "held": {
        "he": ("החבילה תקועה במכס, מה קורה?", "שלום, כתוב שהפריט עוכב במכס. מה עושים?? 😟"),
        "ru": ("посылка застряла на таможне в Израиле, что делать?",),
        "en": ("my parcel is held by customs in Israel, please help",),
    },
    "when_ship": {
        "ru": ("когда отправите заказ?", "Здравствуйте, заказ {number} оплачен 5 дней назад, когда отправка?"),
        "es": ("hola cuando envian mi pedido?",),
        "pt": ("quando vão enviar meu pedido {number}?",),
        "fr": ("Bonjour, quand allez-vous expédier ma commande ?",),
        "uk": ("коли відправите замовлення?",),
        "en": ("When will you ship my order? I need them for a trip",),
        "ko": ("언제 발송되나요?",),
        "he": ("מתי תשלחו את ההזמנה?",),
    },
    "change_size": {
        "ru": ("можно поменять размер на 38? ошиблась", "Здравствуйте, можно вместо 40 отправить 41?"),
        "es": ("puedo cambiar la talla a 39 por favor?",),
        "pl": ("Czy mogę zmienić rozmiar na 37?",),
        "de": ("Kann ich die Größe noch auf 42 ändern?",),
        "en": ("can I change size to 40 please",),
    },
    "cancel": {
        "ru": ("хочу отменить заказ {number}, слишком долго", "отмените пожалуйста заказ"),
        "es": ("quiero cancelar mi pedido {number}",),
        "fr": ("Je voudrais annuler ma commande, merci",),
        "pt": ("quero cancelar o pedido, demora muito",),
        "en": ("please cancel my order {number}",),
    },
    "how_to_pay": {
        "ru": ("как оплатить? карта не проходит", "не получается оплатить заказ, что делать?"),
        "uk": ("не проходить оплата карткою, допоможіть",),
        "es": ("no puedo pagar con mi tarjeta, hay otra forma?",),
        "pt": ("posso pagar com boleto?",),
        "tr": ("kartım ile ödeme yapamıyorum, yardım eder misiniz?",),
        "ar": ("لا أستطيع الدفع بالبطاقة، ماذا أفعل؟",),
        "en": ("payment failed twice, how can I pay?",),
    },
    "thanks": {
        "ru": ("спасибо, всё пришло, сапоги супер 👍", "Получила, всё отлично, спасибо!!"),
        "es": ("ya me llegaron, muchas gracias!! 😍",),
        "pt": ("chegou! amei, obrigada ❤️",),
        "ko": ("잘 받았습니다 감사합니다",),
        "ja": ("届きました、ありがとうございます",),
        "it": ("Arrivate, grazie mille!",),
        "nl": ("Goed ontvangen, dank je!",),
        "en": ("got them, thanks!",),
    },
    "wrong_size": {
        "ru": ("размер маломерит, можно обменять?",),
        "fr": ("Les chaussures sont trop petites, je peux les échanger ?",),
        "de": ("Die Schuhe sind zu klein, wie kann ich sie zurückschicken?",),
        "es": ("me quedan pequeños, como hago la devolucion?",),
        "en": ("they are too small, can I return them?",),
    },
}
