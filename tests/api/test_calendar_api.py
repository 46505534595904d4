"""The calendar through the API: seeded data, due dates, admin edits, and years without data."""

import datetime as dt

from helpers import login

from appraisal.services.calendar import package_calendar

LAST_YEAR = max(package_calendar()[0])
GAP_YEAR = LAST_YEAR + 1


async def test_2026_is_seeded_from_the_package(office, client):
    await login(client, "staff")
    r = await client.get("/api/v1/calendar/2026")
    assert r.status_code == 200
    body = r.json()
    assert "2026-10-01" in {d["day"] for d in body["holidays"]}
    assert {"2026-09-20", "2026-10-10"} <= {d["day"] for d in body["makeup_days"]}
    assert 245 <= body["working_days"] <= 252


async def test_the_due_date_of_n_working_days(office, client):
    await login(client, "staff")
    r = await client.get("/api/v1/calendar/working-days", params={"start": "2026-09-30", "days": 1})
    assert r.status_code == 200 and r.json() == {"due": "2026-10-08"}


async def test_a_year_without_data_answers_422_naming_the_year(office, client):
    await login(client, "staff")
    r = await client.get("/api/v1/calendar/working-days", params={"start": f"{GAP_YEAR}-03-02", "days": 3})
    assert r.status_code == 422
    assert r.json()["code"] == "calendar_gap"
    assert f"{GAP_YEAR} 年" in r.json()["message"] and "工作日历" in r.json()["message"]
    assert (await client.get(f"/api/v1/calendar/{GAP_YEAR}")).status_code == 422


async def test_bad_query_values_are_400_not_500(office, client):
    await login(client, "staff")
    for params in ({"start": "2026-13-01", "days": 1}, {"start": "2026-01-05", "days": -1}, {"start": "2026-01-05"}):
        r = await client.get("/api/v1/calendar/working-days", params=params)
        assert r.status_code == 400, params
        assert r.json()["message"]


async def test_an_admin_adds_a_year_and_its_holidays_and_it_is_audited(office, client):
    await login(client, "admin")
    r = await client.post("/api/v1/calendar/years", json={"year": GAP_YEAR})
    assert r.status_code == 201 and r.json()["source"] == "admin"
    monday = dt.date(GAP_YEAR, 1, 1)
    while monday.weekday() != 0:
        monday += dt.timedelta(days=1)
    saturday = monday + dt.timedelta(days=5)
    assert (await client.put(f"/api/v1/calendar/days/{monday}", json={"kind": "holiday", "name": "元旦"})).status_code == 204
    assert (await client.put(f"/api/v1/calendar/days/{saturday}", json={"kind": "workday", "name": "元旦调休"})).status_code == 204
    due = (await client.get("/api/v1/calendar/working-days", params={"start": str(monday - dt.timedelta(days=3)), "days": 1})).json()
    assert due["due"] == str(monday + dt.timedelta(days=1)), "Friday + 1 skips the Monday holiday"
    # a weekday cannot be a make-up day
    r = await client.put(f"/api/v1/calendar/days/{monday + dt.timedelta(days=2)}", json={"kind": "workday"})
    assert r.status_code == 422
    assert (await client.delete(f"/api/v1/calendar/days/{monday}")).status_code == 204
    audit = (await client.get("/api/v1/audit", params={"table": "calendar_day"})).json()
    assert [e["action"] for e in audit["items"]][:3] == ["delete", "create", "create"]


async def test_only_admins_edit_the_calendar(office, client):
    await login(client, "leader")
    assert (await client.put("/api/v1/calendar/days/2026-12-31", json={"kind": "holiday"})).status_code == 403
    assert (await client.post("/api/v1/calendar/years", json={"year": GAP_YEAR})).status_code == 403
