"""GET /shops/{shop}/settings: what `tradewind shop show --json` prints, plus the shop's local day; and the SKU
list the CLI shares with the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.harness import bearer
from tests.api.shop_data import TODAY, ShopWorld


def test_settings_are_the_shops_and_readable_by_a_viewer(client: TestClient, world: ShopWorld) -> None:
    response = client.get(f"/api/v1/shops/{world.shop.code}/settings", headers=bearer(world, "viewer"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "code": world.shop.code,
        "name": "Test shoe shop",
        "country": "CN",
        "timezone": "Asia/Shanghai",
        "currency": "USD",
        "language": "en",
        "platform": "aliexpress",
        "opened_on": None,
        "digest_at": "07:30",
        "today": TODAY.isoformat(),
    }
    other = client.get(f"/api/v1/shops/{world.other.code}/settings", headers=bearer(world, "viewer"))
    assert other.status_code in (403, 404)


def test_sku_list_pages_by_id(client: TestClient, world: ShopWorld) -> None:
    first = client.get(f"/api/v1/shops/{world.shop.code}/skus?limit=2", headers=bearer(world, "owner")).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(
        f"/api/v1/shops/{world.shop.code}/skus?limit=50&cursor={first['next_cursor']}", headers=bearer(world, "owner")
    ).json()
    everything = client.get(f"/api/v1/shops/{world.shop.code}/skus?limit=50", headers=bearer(world, "owner")).json()
    assert [s["code"] for s in first["items"] + rest["items"]] == [s["code"] for s in everything["items"]]
    assert world.sku_code in [s["code"] for s in everything["items"]]
