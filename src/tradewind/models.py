"""Every domain's models in one import, so that the metadata (Alembic, `create_all` in tests) is complete."""

from tradewind.accounts.models import ApiToken, LoginAttempt, ShopMembership, User, WebSession
from tradewind.brief.models import ActionEvent, ActionRecord
from tradewind.catalog.models import Listing, Product, Promotion, Sku
from tradewind.db.base import Base
from tradewind.db.stores import StoreWatermark
from tradewind.growth.models import GrowthEvent
from tradewind.inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Warehouse,
)
from tradewind.logistics.models import Disruption, LaneSample, OutlookInput, Shipment, ShippingMethod, TrackingEvent
from tradewind.messaging.models import InboundMessage, MessageTemplate, OutboxMessage, ShopMailServer
from tradewind.orders.models import Buyer, Dispute, Feedback, Order, OrderLine
from tradewind.planning.models import DailyDemand, SkuPlan
from tradewind.shops.models import Shop
from tradewind.suppliers.models import Supplier, SupplierMessage, SupplierStatusReport, SupplyOffer

__all__ = [
    "ActionEvent",
    "ActionRecord",
    "ApiToken",
    "Base",
    "Buyer",
    "DailyDemand",
    "Dispute",
    "Disruption",
    "Feedback",
    "GrowthEvent",
    "InboundMessage",
    "LaneSample",
    "Listing",
    "LoginAttempt",
    "MessageTemplate",
    "Order",
    "OrderLine",
    "OutboxMessage",
    "OutlookInput",
    "Product",
    "Promotion",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Shipment",
    "ShippingMethod",
    "Shop",
    "ShopMailServer",
    "ShopMembership",
    "Sku",
    "SkuPlan",
    "StockLevel",
    "StockMovement",
    "StoreWatermark",
    "Supplier",
    "SupplierMessage",
    "SupplierStatusReport",
    "SupplyOffer",
    "TrackingEvent",
    "User",
    "Warehouse",
    "WebSession",
]
