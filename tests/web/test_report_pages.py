"""The 报表 pages as a leader and a chief use them: the hub, the ranking form, the bundle started
from a button with a progress fragment that stops polling when done, and the registration form's
committee opinion entered on the appraisal page."""

import asyncio
import re

import pytest

from test_pages import browser_login, csrf_from
from reports.test_reports import scored_year
from services.test_appraisal_flow import appraisee_of, clock  # noqa: F401


@pytest.fixture(autouse=True)
def report_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_VAR_DIR", str(tmp_path))


async def test_a_leader_starts_the_bundle_and_watches_it_finish_then_downloads_it(office, client, clock):
    year = await scored_year()
    await browser_login(client, "leader")
    hub = await client.get("/reports")
    assert hub.status_code == 200 and "还没有生成过评优材料" in hub.text
    assert "秘书科（科室汇总）" in hub.text and "信息科（科室汇总）" not in hub.text, "only the leader's sections"

    r = await client.post("/reports/bundles", data={"_csrf_token": csrf_from(hub.text), "year": "2026"})
    assert r.status_code == 200 and "2026 年度评优选先材料" in r.text
    job_id = int(re.search(r'hx-get="/reports/jobs/(\d+)/progress" hx-trigger="every 1s"', r.text)[1])
    for _ in range(300):
        fragment = await client.get(f"/reports/jobs/{job_id}/progress", headers={"hx-request": "true"})
        if "hx-trigger" not in fragment.text:
            break
        await asyncio.sleep(0.1)
    assert 'value="100"' in fragment.text and "已完成" in fragment.text, "polling stops once finished"
    link = re.search(r'href="(/api/v1/reports/bundles/\d+/file)"', fragment.text)[1]
    pdf = await client.get(link)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    hub = await client.get("/reports")
    assert "已完成" in hub.text and link in hub.text

    ranking = await client.get("/reports/ranking", params={"period": year["id"], "section_id": ""}, follow_redirects=False)
    assert ranking.status_code == 302 and ranking.headers["location"] == f"/api/v1/reports/ranking/{year['id']}"


async def test_a_bad_year_is_explained_on_the_page_and_staff_have_no_reports(office, client):
    await browser_login(client, "leader")
    hub = await client.get("/reports")
    r = await client.post("/reports/bundles", data={"_csrf_token": csrf_from(hub.text), "year": "2031"})
    assert r.status_code == 404 and "2031 年度考核尚未建立" in r.text
    await client.post("/logout", data={"_csrf_token": csrf_from(hub.text)})
    await browser_login(client, "staff")
    home = await client.get("/")
    assert 'href="/reports"' not in home.text
    assert (await client.get("/reports")).status_code == 403


async def test_the_leader_records_the_committee_opinion_for_the_registration_form(office, client, clock):
    year = await scored_year()
    me = await appraisee_of(year["id"], "周晓琳")
    await browser_login(client, "leader")
    page = await client.get(f"/appraisal/people/{me['id']}")
    assert "考核委员会意见" in page.text and f"/api/v1/reports/registration/{me['id']}" in page.text
    r = await client.post(f"/appraisal/people/{me['id']}/registration", data={
        "_csrf_token": csrf_from(page.text), "committee_opinion": "同意评为优秀", "remarks": "", "notified_on": "2026-12-31"})
    assert r.status_code == 200 and "已保存周晓琳的登记表信息" in r.text and "同意评为优秀" in r.text
    bad = await client.post(f"/appraisal/people/{me['id']}/registration", data={
        "_csrf_token": csrf_from(page.text), "committee_opinion": "x", "notified_on": "2026-13-01"})
    assert bad.status_code == 422 and "通知日期“2026-13-01”不是有效日期" in bad.text
