# ruff: noqa: E501 - the sample files are CSV text as platforms write it, one record a line
"""Realistic platform exports written for the tests (invented shops and buyers, never real customers' data)."""

from __future__ import annotations

SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,"
    "Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,"
    "Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,"
    "Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,"
    "Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,"
    "Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,"
    "Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,"
    "Payment Terms Name,Next Payment Due At,Payment References"
)
SHOPIFY_COLUMNS = SHOPIFY_HEADER.split(",")


def shopify_row(**cells: str) -> str:
    """One export row: the named cells (by header name, spaces as '_'), the other 70-odd columns empty."""
    by_name = {name.replace("_", " "): value for name, value in cells.items()}
    values = [by_name.get(column, "") for column in SHOPIFY_COLUMNS]
    return ",".join(f'"{v}"' if ("," in v or "\n" in v) else v for v in values)


SHOPIFY = "\n".join(
    [
        SHOPIFY_HEADER,
        # #1001: two items and a tip; the first row carries the order; paid in Berlin (+0100 in winter).
        shopify_row(
            Name="#1001",
            Email="anna.k@example.de",
            Financial_Status="paid",
            Paid_at="2024-01-15 10:05:00 +0100",
            Fulfillment_Status="fulfilled",
            Fulfilled_at="2024-01-16 09:00:00 +0100",
            Currency="EUR",
            Subtotal="60.00",
            Shipping="4.90",
            Taxes="0.00",
            Total="62.40",
            Discount_Code="WELCOME10",
            Discount_Amount="6.00",
            Shipping_Method="DHL Paket",
            Created_at="2024-01-15 10:00:00 +0100",
            Lineitem_quantity="2",
            Lineitem_name="Ankle boot - 38 / Black",
            Lineitem_price="25.00",
            Lineitem_sku="SH-38-BLK",
            Billing_Name="Anna Krüger",
            Billing_Zip="'01067",
            Billing_Country="DE",
            Shipping_Name="Anna Krüger",
            Shipping_Zip="'01067",
            Shipping_Country="DE",
            Id="5500000001",
            Source="web",
        ),
        shopify_row(
            Name="#1001",
            Email="anna.k@example.de",
            Created_at="2024-01-15 10:00:00 +0100",
            Lineitem_quantity="1",
            Lineitem_name="Wool socks",
            Lineitem_price="10.00",
            Lineitem_sku="",
        ),
        shopify_row(
            Name="#1001",
            Email="anna.k@example.de",
            Created_at="2024-01-15 10:00:00 +0100",
            Lineitem_quantity="1",
            Lineitem_name="Tip",
            Lineitem_price="3.50",
        ),
        # #1002: refunded in part, in New York (-0500); the zip code keeps its leading zero behind an apostrophe.
        shopify_row(
            Name="#1002",
            Email="j.smith@example.com",
            Financial_Status="partially_refunded",
            Paid_at="2024-01-15 21:30:00 -0500",
            Fulfillment_Status="unfulfilled",
            Currency="EUR",
            Subtotal="25.00",
            Shipping="0.00",
            Total="25.00",
            Created_at="2024-01-15 21:29:00 -0500",
            Lineitem_quantity="1",
            Lineitem_name="Ankle boot - 39 / Black",
            Lineitem_price="25.00",
            Lineitem_sku="SH-39-BLK",
            Billing_Name="John Smith",
            Shipping_Zip="'02134",
            Shipping_Country="US",
            Refunded_Amount="5.00",
            Source="shopify_draft_order",
        ),
        # #1003: cancelled before shipping.
        shopify_row(
            Name="#1003",
            Email="marie@example.fr",
            Financial_Status="voided",
            Currency="EUR",
            Total="25.00",
            Created_at="2024-01-16 08:00:00 +0100",
            Cancelled_at="2024-01-16 12:00:00 +0100",
            Lineitem_quantity="1",
            Lineitem_name="Ankle boot - 38 / Black",
            Lineitem_price="25.00",
            Lineitem_sku="SH-38-BLK",
            Shipping_Country="FR",
        ),
        # An open draft order: not an order yet.
        shopify_row(
            Name="#D7",
            Financial_Status="pending",
            Currency="EUR",
            Total="25.00",
            Created_at="2024-01-16 09:00:00 +0100",
            Lineitem_quantity="1",
            Lineitem_name="Ankle boot - 38 / Black",
            Lineitem_price="25.00",
            Lineitem_sku="SH-38-BLK",
        ),
    ]
)

ALGOLPLUS_ES = """\
Número de pedido,Estado del pedido,Fecha del pedido,Nombre (facturación),Apellidos (facturación),Correo electrónico (facturación),Código de país (envío),Importe de envío del pedido,Importe total del pedido,Nombre del artículo,SKU,Cantidad,Cantidad (- reembolso),Coste del artículo,SKU
4711,wc-processing,2024-02-01 10:00:00,Lucía,García,lucia@example.es,ES,5,55.00,Botín negro 38,SH-38-BLK,2,2,25,SH-38-BLK
4711,wc-processing,2024-02-01 10:00:00,Lucía,García,lucia@example.es,ES,5,55.00,Calcetines,SOCK-1,1,0,10.00,SOCK-1
4712,wc-enviado,2024-02-02 11:30:00,Pedro,Ruiz,pedro@example.es,ES,0,25.00,Botín negro 39,SH-39-BLK,1,1,25.00,SH-39-BLK
4713,Completado,2024-02-03 09:15:00,Ana,López,ana@example.es,PT,4.00,29.00,Botín negro 38,SH-38-BLK,1,1,25,SH-38-BLK
"""

SKYVERGE = """\
order_id,order_number,order_date,status,shipping_total,fee_total,discount_total,order_total,order_currency,billing_first_name,billing_last_name,billing_email,billing_city,billing_country,shipping_country,customer_note,line_items,shipping_items,fee_items,coupon_items
901,,2024-03-01 12:00:00,completed,6.00,'-10.00,0.00,46.00,EUR,Joost,de Vries,joost@example.nl,'s-Hertogenbosch,NL,NL,"Please ring twice.
Thanks!",id:11|name:Boot\\|black 38|sku:SH-38-BLK|quantity:2|subtotal:50.00|total:50.00;id:12|name:Socks\\; wool|sku:SOCK-1|quantity:1|subtotal:0.00|total:0.00,method:Flat rate|total:6.00,name:Gift card|total:'-10.00,
902,W-902,2024-03-02 08:30:00,processing,0.00,0.00,5.00,20.00,EUR,Eva,Jansen,eva@example.be,Gent,BE,BE,,id:13|name:Boot black 39|sku:SH-39-BLK|quantity:1|subtotal:25.00|total:20.00,,,code:SPRING|amount:5.00
"""

WEBTOFFEE = """\
order_id,order_number,order_date,paid_date,status,shipping_total,order_total,order_currency,customer_email,billing_first_name,billing_last_name,billing_country,shipping_country,line_item_1,line_item_2
77,77,2024-04-01 10:00:00,2024-04-01 10:02:00,processing,3.00,53.00,PLN,ola@example.pl,Ola,Nowak,PL,PL,name:Boot black 38|product_id:5|sku:SH-38-BLK|quantity:1|total:25.00,name:Boot black 39|product_id:6|sku:SH-39-BLK|quantity:1|total:25.00
78,78,2024-04-02 10:00:00,,pending,0.00,25.00,PLN,ola@example.pl,Ola,Nowak,PL,PL,name:Boot black 38|product_id:5|sku:SH-38-BLK|quantity:1|total:25.00,
"""

ALIEXPRESS_HEADER = [
    "订单号",
    "订单状态",
    "买家名称",
    "下单时间",
    "付款时间",
    "产品总金额",
    "物流费用",
    "订单金额",
    "产品信息",
    "收货国家",
    "买家选择物流",
    "实际发货物流:运单号",
    "发货期限",
]
ALIEXPRESS_ROWS = [
    [
        "8100000000001",
        "等待您发货",
        "Olga P.",
        "2013.01.24 23:56\n",
        "2013.01.25 00:10",
        "45.00",
        "3.50",
        "48.50",
        "【1】 Women ankle boots winter\n(产品属性:Color:Black、Size:38)\n(商家编码:SH-38-BLK)\n(产品数量:2 pieces)\n"
        "【2】 Warm wool socks\n(产品属性:Color:Grey)\n(产品数量:1 piece)",
        "Russian Federation",
        "AliExpress Standard Shipping",
        "",
        "2013-01-30",
    ],
    [
        "8100000000002",
        "等待买家收货",
        "Ivan K.",
        "2013-01-26",
        "2013-01-26",
        "20.00",
        "0.00",
        "20.00",
        "【1】 Women ankle boots winter\n(产品属性:Color:Black、Size:39)\n(商家编码:SH-39-BLK)\n(产品数量:1 pair)",
        "Ukraine",
        "China Post Registered Air Mail",
        "China Post Registered Air Mail:RR123456789CN",
        "2013-02-02",
    ],
]
# The same order again, in a later export: now shipped.
ALIEXPRESS_LATER_ROW = [
    "8100000000001",
    "等待买家收货",
    "Olga P.",
    "2013.01.24 23:56",
    "2013.01.25 00:10",
    "45.00",
    "3.50",
    "48.50",
    ALIEXPRESS_ROWS[0][8],
    "Russian Federation",
    "AliExpress Standard Shipping",
    "AliExpress Standard Shipping:LP00123456789",
    "2013-01-30",
]

INVOICE_LINES = """\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,17850.0,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,12583.0,France
C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-2,2010-12-01 09:41:00,2.55,17850.0,United Kingdom
536380,22139,check,-10,2010-12-01 09:45:00,0.00,,United Kingdom
536381,BANK CHARGES,Bank Charges,1,2010-12-01 09:50:00,15.00,14527.0,EIRE
536382,22633,HAND WARMER UNION JACK,12,2010-12-01 10:00:00,1.85,,Unspecified
"""
