"""The reports an appraisal office prints: the annual registration form, the ranking with its
charts, the section summary, the monthly bulletin and the commendation bundle — their text,
their glyphs, their page numbers, their cache and who may download them."""

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys

import pytest

from helpers import login
from reports.pdfcheck import missing_glyphs, pages_of, text_of
from services.test_appraisal_flow import appraisee_of, as_person, as_user, clock, fill, open_quarter, submit_everything  # noqa: F401
from appraisal.db.tables import Appraisee, AuditEntry, Period, Person, ReportJob, Section
from appraisal.reports import bundle
from appraisal.services import appraisal, commendation, report_jobs


@pytest.fixture(autouse=True)
def report_cache(tmp_path, monkeypatch):
    """Each test starts with an empty PDF cache of its own."""
    monkeypatch.setenv("APPRAISAL_VAR_DIR", str(tmp_path))


async def scored_year(rare_name: str | None = None) -> dict:
    """Q3 and Q4 2026 submitted (周晓琳 gets 好 in Q4), then the annual period with summaries,
    a comment, 周晓琳 proposed 优秀, every unit submitted."""
    if rare_name:
        await Person.update({Person.name: rare_name}).where(Person.name == "周晓琳").run()
    star = rare_name or "周晓琳"
    await Person.update({Person.duties: "文稿起草、会议组织", Person.birth_date: dt.date(1990, 5, 17)}).where(
        Person.name == star).run()
    for quarter in (3, 4):
        period = await open_quarter(2026, quarter)
        await fill(period["id"], 0.8)
        if quarter == 4:
            row = await appraisee_of(period["id"], star)
            from appraisal.db.tables import ScoreCell
            await ScoreCell.update({ScoreCell.value: 14.5}).where(ScoreCell.appraisee == row["id"]).run()
            await ScoreCell.update({ScoreCell.value: 38}).where(ScoreCell.appraisee == row["id"], ScoreCell.indicator == "ji").run()
        await submit_everything(period["id"])
    admin, chief = await as_user("admin"), await as_user("chief")
    year = await appraisal.create_period(admin, 2026, None)
    await appraisal.advance(admin, year["id"], "self_summary")
    me = await appraisee_of(year["id"], star)
    await appraisal.save_summary(await as_person(star), me["id"], "全年起草文稿一百二十篇，组织会议四十次。")
    await appraisal.advance(admin, year["id"], "scoring")
    await appraisal.set_grade(chief, me["id"], "excellent", "工作扎实，文字功底好。")
    await submit_everything(year["id"])
    return year


async def test_the_registration_form_has_the_person_summary_comment_opinion_grade_and_date(office, client, clock):
    year = await scored_year()
    me = await appraisee_of(year["id"], "周晓琳")
    leader = await as_user("leader")
    await appraisal.record_registration(leader, me["id"], "同意评为优秀。", "", dt.date(2026, 12, 30))
    await appraisal.advance(await as_person("王建国"), year["id"], "reviewed")  # results published to her
    assert await AuditEntry.exists().where(AuditEntry.table_name == "appraisee", AuditEntry.record_id == str(me["id"]),
                                           AuditEntry.note == "周晓琳").run()

    await login(client, "zhouxiaolin")
    r = await client.get(f"/api/v1/reports/registration/{me['id']}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = text_of(r.content).replace(" ", "")
    for expected in ("公务员年度考核登记表", "2026年度", "周晓琳", "女", "1990.05", "中共党员", "文稿起草、会议组织",
                     "全年起草文稿一百二十篇", "工作扎实，文字功底好。", "考核等次建议：优秀", "同意评为优秀。",
                     "考核等次：优秀", "通知日期：2026-12-30", "第四季度96（好）", "年度得分：88", "第1页/共"):
        assert expected in text, expected
    assert not missing_glyphs(r.content, "周晓琳文稿起草会议组织全年一百二十篇同意评为优秀")


async def test_the_registration_form_waits_for_submission_and_stays_in_scope(office, client, clock):
    period = await open_quarter(2026, 4)
    await fill(period["id"], 0.8)
    await submit_everything(period["id"])
    admin = await as_user("admin")
    year = await appraisal.create_period(admin, 2026, None)
    await appraisal.advance(admin, year["id"], "self_summary")
    zhao = await appraisee_of(year["id"], "赵雪")
    other = await appraisee_of(year["id"], "冯建军")  # 综合科
    await login(client, "staff")
    r = await client.get(f"/api/v1/reports/registration/{zhao['id']}")
    assert r.status_code == 409 and r.json()["message"] == "评分提交后才能生成年度考核登记表"
    assert (await client.get(f"/api/v1/reports/registration/{other['id']}")).status_code == 404
    quarter_row = await appraisee_of(period["id"], "赵雪")
    r = await client.get(f"/api/v1/reports/registration/{quarter_row['id']}")
    assert r.status_code == 422 and r.json()["message"] == "登记表只用于年度考核"
    with pytest.raises(Exception, match="只有分管领导或考核办可以填写考核委员会意见"):
        await appraisal.record_registration(await as_user("chief"), zhao["id"], "同意", "", None)


async def test_a_name_beyond_the_common_characters_prints_with_a_real_glyph_for_every_character(office, client, clock):
    rare = "吉𠮷堃喆"  # 𠮷 is U+20BB7 (CJK Extension B), beyond GBK and beyond Noto SC
    year = await scored_year(rare_name=rare)
    me = await appraisee_of(year["id"], rare)
    await login(client, "admin")
    r = await client.get(f"/api/v1/reports/registration/{me['id']}")
    assert r.status_code == 200
    assert rare in text_of(r.content)
    assert not missing_glyphs(r.content, rare, "公务员年度考核登记表全年起草文稿")


async def test_the_ranking_shows_section_averages_as_a_chart_and_ranks_within_the_callers_sections(office, client, clock):
    period = await open_quarter(2026, 4)
    await fill(period["id"], 0.8)
    zhao = await appraisee_of(period["id"], "赵雪")
    from appraisal.db.tables import ScoreCell
    await ScoreCell.update({ScoreCell.value: 39}).where(ScoreCell.appraisee == zhao["id"], ScoreCell.indicator == "ji").run()
    await submit_everything(period["id"])

    await login(client, "leader")  # over 秘书科 and 综合科
    r = await client.get(f"/api/v1/reports/ranking/{period['id']}")
    assert r.status_code == 200
    text = text_of(r.content)
    assert "2026 年第四季度考核科室汇总与排名" in text.replace("2 026", "2026")
    assert "秘书科" in text and "综合科" in text and "信息科" not in text, "only the leader's sections"
    first_rank_line = next(line for line in text.splitlines() if line.startswith("1 "))
    assert "赵雪" in first_rank_line and "87" in first_rank_line
    assert "平均" in text, "the chart's reference line is labelled"
    assert not missing_glyphs(r.content, text)

    await client.post("/api/v1/auth/logout")
    await login(client, "staff")
    r = await client.get(f"/api/v1/reports/ranking/{period['id']}")
    assert r.status_code == 403 and r.json()["message"] == "只有科长、领导或考核办可以查看此报表"


async def test_a_large_report_renders_in_the_lane_of_large_ones_and_comes_back_the_same(
        office, client, clock, monkeypatch):
    """Above LARGE_REPORT bytes of data a report renders in the lane of large reports, in a
    worker process: the same PDF text, through the cache, and asked again it is not rendered."""
    from appraisal.reports import render

    period = await open_quarter(2026, 4)
    await fill(period["id"], 0.8)
    await submit_everything(period["id"])
    await login(client, "leader")
    small = text_of((await client.get(f"/api/v1/reports/ranking/{period['id']}")).content)
    for path in render.cache_dir().rglob("*.pdf"):
        path.unlink()
    monkeypatch.setattr(render, "LARGE_REPORT", 0)
    rendered_here: list[str] = []
    monkeypatch.setattr(render, "render_uncached", lambda t, d: rendered_here.append(t) or b"")
    lanes: list[str] = []
    in_process = render.in_process
    monkeypatch.setattr(render, "in_process", lambda *a, lane=render.REPORTS, **k: lanes.append(lane) or in_process(
        *a, lane=lane, **k))
    r = await client.get(f"/api/v1/reports/ranking/{period['id']}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert text_of(r.content) == small, "the worker's PDF says what this process's said"
    assert rendered_here == [], "nothing was rendered in the server's process"
    assert lanes == [render.LARGE]
    again = await client.get(f"/api/v1/reports/ranking/{period['id']}")
    assert again.content == r.content and lanes == [render.LARGE], "from the cache"


async def test_a_section_summary_shows_each_persons_quarters_and_is_the_chiefs_own_section_only(office, client, clock):
    for quarter in (3, 4):
        period = await open_quarter(2026, quarter)
        await fill(period["id"], 0.7 if quarter == 3 else 0.8)
        await submit_everything(period["id"])
    mishu = await Section.select(Section.id).where(Section.name == "秘书科").first().run()
    zonghe = await Section.select(Section.id).where(Section.name == "综合科").first().run()
    await login(client, "chief")
    r = await client.get(f"/api/v1/reports/ranking/{period['id']}", params={"section_id": mishu["id"]})
    assert r.status_code == 200
    text = text_of(r.content)
    assert "秘书科考核汇总" in text and "赵雪" in text
    assert "70" in text and "80" in text, "both quarters are drawn on the trend"
    r = await client.get(f"/api/v1/reports/ranking/{period['id']}", params={"section_id": zonghe["id"]})
    assert r.status_code == 404


async def test_the_bulletin_lists_overdue_matters_and_supervision_items_by_how_they_stand(office, client):
    import time_machine
    from appraisal.services import matters, supervision
    from appraisal.services.matters import Registration

    shanghai = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=shanghai), tick=False):
        zhao = await as_user("staff")
        late = await matters.register(zhao, Registration(channel="visit", requester="刘先生", subject="档案查询",
                                                           limit_days=2))
        leader = await as_user("leader")
        mishu = await Section.select(Section.id).where(Section.name == "秘书科").first().run()
        item = await supervision.create(leader, supervision.NewItem(
            source="instruction", title="整改会议纪要", lead_section_id=mishu["id"],
            responsible_person_id=zhao.person_id, deadline=dt.date(2026, 11, 6)))
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=shanghai), tick=False):
        await login(client, "leader")
        r = await client.get("/api/v1/reports/bulletin", params={"year": 2026, "month": 11})
        assert r.status_code == 200, r.text
        text = text_of(r.content)
        assert "效能建设情况通报" in text and "档案查询" in text and "赵雪" in text
        assert "整改会议纪要" in text and "超期未办结" in text
        assert item.number in text
        r = await client.get("/api/v1/reports/bulletin", params={"year": 2026, "month": 13})
        assert r.status_code == 422
    assert late.id


async def test_a_bulletin_of_thousands_of_late_matters_sums_them_by_section_and_names_the_worst(office, client):
    """A bulletin is read and circulated: with 2,000 matters overdue it counts them by section and
    names the 200 longest overdue, instead of listing every one over 40 pages."""
    import time_machine

    from appraisal.db.tables import Matter
    from appraisal.db.transaction import insert_in_batches
    from appraisal.services import report_data

    shanghai = dt.timezone(dt.timedelta(hours=8))
    people = await Person.select(Person.id, Person.section).where(Person.section.is_not_null()).limit(10).run()
    created = dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.timezone.utc)
    due = [dt.date(2026, 9, 8) + dt.timedelta(days=i % 50) for i in range(2000)]
    await insert_in_batches(Matter, [Matter(
        channel="visit", requester="来访人", subject=f"积压事项{i}", owner=people[i % 10]["id"],
        first_receiver=people[i % 10]["id"], section=people[i % 10]["section"], status="open", limit_days=5,
        accepted_on=dt.date(2026, 9, 1), due_on=due[i], yellow_on=due[i] - dt.timedelta(days=1), created_at=created)
        for i in range(2000)])
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=shanghai), tick=False):
        admin = await as_user("admin")
        _name, template, values = await report_data.bulletin(admin, 2026, 11)
        assert values["overdue_total"] == 2000 and len(values["overdue"]) == 200
        assert [m["due_on"] for m in values["overdue"][:2]] == ["2026-09-08", "2026-09-08"], "the longest overdue first"
        assert sum(s["overdue"] for s in values["sections"]) == 2000
        await login(client, "admin")
        r = await client.get("/api/v1/reports/bulletin", params={"year": 2026, "month": 11})
    assert r.status_code == 200, r.text
    text = text_of(r.content)
    assert "超期未办结办件 2000 件" in text and "共 2000 件，以下列出超期最久的 200 件" in text
    named = set(re.findall(r"积压事项(\d+)", text))
    assert len(named) == 200 and all(int(n) % 50 < 5 for n in named), "only the 200 longest overdue are named"
    assert len(pages_of(r.content)) < 15


async def test_the_bulletin_names_the_matters_completed_late_in_its_month_by_the_local_date(office):
    """A matter is late when the local date it was completed on is after its due date, and it
    belongs to the month of that local date (Asia/Shanghai, 8 hours ahead of UTC)."""
    import time_machine

    from appraisal.db.tables import Matter
    from appraisal.db.transaction import insert_in_batches
    from appraisal.services import report_data

    local = dt.timezone(dt.timedelta(hours=8))
    person = await Person.select(Person.id, Person.section).where(Person.section.is_not_null()).first().run()
    completions = {  # subject: (due, completed at, local time)
        "当天深夜办结": (dt.date(2026, 10, 9), dt.datetime(2026, 10, 9, 23, 30, tzinfo=local)),
        "次日凌晨办结": (dt.date(2026, 10, 9), dt.datetime(2026, 10, 10, 0, 30, tzinfo=local)),
        "月末深夜办结": (dt.date(2026, 10, 9), dt.datetime(2026, 10, 31, 23, 30, tzinfo=local)),
        "下月凌晨办结": (dt.date(2026, 10, 9), dt.datetime(2026, 11, 1, 0, 30, tzinfo=local)),
        "上月办结": (dt.date(2026, 9, 21), dt.datetime(2026, 9, 30, 23, 59, tzinfo=local)),
    }
    await insert_in_batches(Matter, [Matter(
        channel="visit", requester="来访人", subject=subject, owner=person["id"], first_receiver=person["id"],
        section=person["section"], status="completed", limit_days=5, accepted_on=dt.date(2026, 9, 1), due_on=due,
        yellow_on=due - dt.timedelta(days=1), completed_at=done.astimezone(dt.timezone.utc),
        created_at=dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.timezone.utc))
        for subject, (due, done) in completions.items()])
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=local), tick=False):
        _name, _template, october = await report_data.bulletin(await as_user("admin"), 2026, 10)
        _name, _template, november = await report_data.bulletin(await as_user("admin"), 2026, 11)
    assert {m["subject"]: m["done_on"] for m in october["late"]} == {
        "次日凌晨办结": "2026-10-10", "月末深夜办结": "2026-10-31"}
    assert october["late_total"] == 2
    assert [m["subject"] for m in november["late"]] == ["下月凌晨办结"]


async def wait_for(client, job_id: int) -> dict:
    for _ in range(600):
        job = (await client.get(f"/api/v1/reports/bundles/{job_id}")).json()
        if job["finished"]:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError("the bundle did not finish")


async def test_the_bundle_runs_in_the_background_with_progress_and_numbers_its_pages_as_one_document(
        office, client, clock, monkeypatch):
    monkeypatch.setattr(bundle, "PARALLEL_FROM", 1)  # render across processes even for a small bundle
    await scored_year()
    leader = await as_user("leader")
    review = await commendation.review(leader, 2026)
    star = next(p for p in review["people"] if p["name"] == "周晓琳")
    await commendation.confirm(leader, 2026, [star["person"]], "办公室会议研究")

    await login(client, "leader")
    r = await client.post("/api/v1/reports/bundles", json={"year": 2026})
    assert r.status_code == 202, r.text
    job = await wait_for(client, r.json()["id"])
    assert job["status"] == "done" and job["percent"] == 100 and job["done"] == job["total"] == 3
    r = await client.get(f"/api/v1/reports/bundles/{job['id']}/file")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pages = pages_of(r.content)
    total = len(pages)
    assert total >= 4, "cover, ranking, the form and the record"
    for n, page in enumerate(pages, start=1):
        assert f"第 {n} 页 / 共 {total} 页" in page, (n, page[-40:])
    text = "".join(pages)
    assert "2026 年度评优选先材料".replace(" ", "") in text.replace(" ", "")
    assert "名单已由 李红梅" in text and "周晓琳" in text and "公务员年度考核登记表" in text
    assert not missing_glyphs(r.content, "周晓琳评优选先材料公务员年度考核登记表")

    again = await client.post("/api/v1/reports/bundles", json={"year": 2026})
    second = await wait_for(client, again.json()["id"])
    assert second["status"] == "done"
    same = await client.get(f"/api/v1/reports/bundles/{second['id']}/file")
    assert same.content == r.content, "nothing changed: the same bytes from the cache"

    me = await appraisee_of(review["period"]["id"], "周晓琳")
    await appraisal.record_registration(leader, me["id"], "考核委员会同意。", "", None)
    third = await wait_for(client, (await client.post("/api/v1/reports/bundles", json={"year": 2026})).json()["id"])
    changed = await client.get(f"/api/v1/reports/bundles/{third['id']}/file")
    assert changed.content != r.content and "考核委员会同意。" in text_of(changed.content)


async def test_a_bundle_asked_for_again_while_it_is_being_made_is_made_once(office, client, clock):
    """A second click, or a colleague asking at the same moment, joins the job already making the
    same bundle; once it is done, or the data changed, or its process stopped long ago, a new
    job is made."""
    await scored_year()
    leader, admin = await as_user("leader"), await as_user("admin")
    await asyncio.gather(*[ReportJob.count().run() for _ in range(3)])  # PostgreSQL: a connection for each
    at_once = await asyncio.gather(*[report_jobs.start_bundle(who, 2026) for who in (leader, admin, leader)])
    assert len({s.job_id for s in at_once}) == 1 and sum(s.new for s in at_once) == 1, at_once
    first = next(s for s in at_once if s.new)
    assert await ReportJob.count().run() == 1

    await login(client, "leader")
    r = await client.post("/api/v1/reports/bundles", json={"year": 2026})
    assert r.status_code == 202 and r.json()["id"] == first.job_id and r.json()["status"] == "queued", r.text
    r = await client.post("/reports/bundles", data={"year": "2026"}, headers={"x-csrftoken": client.cookies["csrftoken"]},
                          follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"/reports/jobs/{first.job_id}", r.text
    own = await report_jobs.start_bundle(admin, 2026, join_running=False)
    assert own.new and own.job_id != first.job_id, "the command line renders in its own process: its own job"
    await ReportJob.delete().where(ReportJob.id == own.job_id).run()

    me = await appraisee_of((await commendation.review(leader, 2026))["period"]["id"], "周晓琳")
    await appraisal.record_registration(leader, me["id"], "考核委员会同意。", "", None)
    changed = await report_jobs.start_bundle(leader, 2026)
    assert changed.new, "the data changed: the running job makes the old bundle, a new one the new"

    assert await report_jobs.run(first.job_id, first.parts) is not None
    after = await report_jobs.start_bundle(leader, 2026)
    assert after.new is False and after.job_id == changed.job_id, "the changed bundle's job is still queued"
    await ReportJob.update({ReportJob.updated_at: dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=11)}).where(
        ReportJob.id == changed.job_id).run()
    stale = await report_jobs.start_bundle(leader, 2026)
    assert stale.new and stale.job_id != changed.job_id, "a job whose process stopped long ago is not waited for"
    assert (await report_jobs.get_job(leader, changed.job_id))["status"] == "failed"
    done = await report_jobs.run(stale.job_id, stale.parts)
    assert "考核委员会同意。" in text_of(done)
    again = await report_jobs.start_bundle(leader, 2026)
    assert again.new, "a finished job is not joined: asking again makes the bundle again (from the cache)"
    audited = await AuditEntry.count().where(AuditEntry.table_name == "report_job", AuditEntry.action == "create").run()
    assert audited == await ReportJob.count().run() + 1, "each job recorded is audited (one was deleted above)"


async def test_before_the_list_is_confirmed_the_bundle_has_the_people_level_on_the_last_place(office):
    """The meeting that decides between them needs their records: both are in, ranked 7th and
    marked 同分待定; once a leader chose, only the confirmed list is, unmarked."""
    from appraisal.services.report_data import bundle_parts
    from appraisal.demo.appraisal import load_demo_appraisal

    await load_demo_appraisal()
    # 蒋欣怡 (优秀, 89.63) level with 韩立新 and 薛志刚 (优秀, 90.7): three for the last two places.
    await Appraisee.update({Appraisee.total: 90.7}).where(
        Appraisee.person.name == "蒋欣怡", Appraisee.period.is_in(Period.select(Period.id).where(Period.code == "2025"))).run()
    leader = await as_user("leader")
    _name, parts = await bundle_parts(leader, 2025)
    cover = parts[0][1]
    assert [(c["rank"], c["name"], c["tied"]) for c in cover["candidates"][-3:]] == \
        [(6, "韩立新", True), (6, "蒋欣怡", True), (6, "薛志刚", True)]
    assert len(cover["candidates"]) == 8 and len(parts) == 9 and cover["tie"] == {"people": 3, "score": 90.7, "places": 2}

    review = await commendation.review(leader, 2025)
    chosen = [p["person"] for p in review["people"] if p["candidate"] or p["name"] in ("蒋欣怡", "薛志刚")]
    await commendation.confirm(leader, 2025, chosen)
    _name, parts = await bundle_parts(leader, 2025)
    cover = parts[0][1]
    assert [c["name"] for c in cover["candidates"]][-1] == "薛志刚" and len(cover["candidates"]) == 7
    assert cover["tie"] is None and not any(c["tied"] for c in cover["candidates"])


async def test_only_leaders_and_admins_make_bundles_and_a_year_must_be_submitted_first(office, client, clock):
    await login(client, "chief")
    r = await client.post("/api/v1/reports/bundles", json={"year": 2026})
    assert r.status_code == 403
    await client.post("/api/v1/auth/logout")
    await login(client, "leader")
    r = await client.post("/api/v1/reports/bundles", json={"year": 2026})
    assert r.status_code == 404 and r.json()["message"] == "2026 年度考核尚未建立"
    admin = await as_user("admin")
    year = await appraisal.create_period(admin, 2026, None)
    await appraisal.advance(admin, year["id"], "self_summary")
    r = await client.post("/api/v1/reports/bundles", json={"year": 2026})
    assert r.status_code == 409 and "提交后才能生成评优材料" in r.json()["message"]
    assert not await ReportJob.exists().run(), "a refused request records no job"
    r = await client.get("/api/v1/reports/bundles/999")
    assert r.status_code == 404


async def test_the_command_line_writes_the_bundle_with_a_progress_bar(office, clock, tmp_path, database_url):
    await scored_year()
    out = tmp_path / "bundle.pdf"
    env = {**os.environ, "APPRAISAL_DATABASE_URL": database_url}
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "appraisal.cli", "report", "bundle", "--year", "2026", "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "bundle of 2026: a cover and 1 candidates" in result.stdout
    assert "[##############################] 3/3" in result.stdout
    assert f"wrote {out}" in result.stdout
    assert "周晓琳" in text_of(out.read_bytes())
    assert await ReportJob.count().where(ReportJob.status == "done").run() == 1


async def test_the_report_card_is_rendered_again_after_a_score_changes(office, client, clock):
    period = await open_quarter(2026, 4)
    await fill(period["id"], 0.8)
    await submit_everything(period["id"])
    director = await as_person("王建国")
    await appraisal.advance(director, period["id"], "reviewed")
    zhao = await appraisee_of(period["id"], "赵雪")
    await login(client, "staff")
    before = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert "80" in text_of(before.content)

    leader, chief = await as_user("leader"), await as_user("chief")
    await appraisal.reopen(leader, period["id"], "更正评分")
    grid = await appraisal.grid(chief, period["id"], zhao["unit"])
    cell = next(p for p in grid["people"] if p["name"] == "赵雪")["cells"]["ji"]
    await appraisal.save_cell(chief, cell["id"], 34, cell["version"])
    await submit_everything(period["id"])  # reopened: every unit submits again
    await appraisal.advance(director, period["id"], "reviewed")
    after = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert after.content != before.content
    assert "82" in text_of(after.content)
    assert await Appraisee.select(Appraisee.total).where(Appraisee.id == zhao["id"]).first().run() == {"total": 82}


async def test_the_annual_export_lists_each_persons_quarters_and_annual_grade(office, client, clock):
    import io

    from openpyxl import load_workbook

    year = await scored_year()
    await login(client, "admin")
    r = await client.get(f"/api/v1/appraisal/periods/{year['id']}/export.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "2026 年度考核结果"
    assert [c.value for c in ws[2]] == ["序号", "科室", "姓名", "职务职级", "第一季度", "第二季度", "第三季度", "第四季度",
                                        "年度得分", "等次", "备注"]
    star = next(row for row in ws.iter_rows(min_row=3, values_only=True) if row[2] == "周晓琳")
    assert star[6] is not None and star[7] is not None and star[8] is not None, "Q3, Q4 and the annual score"
    assert star[9] == "优秀" and not star[10], "submitted: no 未提交 note"
