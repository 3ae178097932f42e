"""The demo shop generator: a realistic, deterministic AliExpress shoe shop for trying Tradewind and benchmarks."""

from tradewind.demo.shop import DEMO_SHOP_CODE, DemoSummary, build_demo_shop

__all__ = ["DEMO_SHOP_CODE", "DemoSummary", "build_demo_shop"]
