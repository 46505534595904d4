"""Benchmark of the PDF reports (issue 5's goals, measured, not asserted):

- one personal report (the quarterly card, the registration form) in a warm process: ≤ 0.33 s;
- a 300-candidate commendation bundle cold (empty PDF cache) on this machine's cores: ≤ 60 s;
- the same bundle again when nothing changed: ≤ 3 s;
- and, for information, the bundle after one candidate's data changed.

The data is synthetic but shaped exactly like the services' (the same templates render it);
gathering it from the database is set-based and is measured with the rest in benchmarks/scale.py.
The prepared fonts are built once per machine before timing (about a minute the first time).

    .venv/bin/python benchmarks/reports.py [--candidates 300] [--repeat 20]

(tests/benchmarks/test_reports_benchmark.py runs it with 2 candidates and 1 render, so that it
keeps up with the report templates' data.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国晓峰雪浩然丽娟立新俊杰明亮晨堃喆"
SECTIONS = ("秘书科", "综合科", "信息科", "督查科", "机要科", "行政科", "法规科")
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
SUMMARY = ("本年度认真学习贯彻党的路线方针政策，坚持把政治建设摆在首位。在文稿起草、会议组织、督查督办等方面"
           "完成各项任务，全年起草各类文稿一百余篇，参与组织重要会议三十余次，没有出现差错。严格遵守廉洁自律各项规定。")


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def candidate(rng: random.Random, rank: int) -> dict:
    from appraisal.reports import charts

    quarters = [{"name": q, "total": round(rng.uniform(85, 98), 1), "grade": rng.choice(("好", "较好"))} for q in QUARTERS]
    score = round(sum(q["total"] for q in quarters) / 4, 2)
    r = {"year": 2026,
         "person": {"name": name(rng), "gender": rng.choice(("男", "女")), "birth": f"{rng.randint(1965, 1998)}.0{rng.randint(1, 9)}",
                    "political_status": "中共党员", "post_rank": "一级主任科员", "duties": "文稿起草、会议组织、综合协调",
                    "section": rng.choice(SECTIONS)},
         "summary": SUMMARY * rng.randint(1, 3), "comment": "工作扎实，作风严谨，文字功底好。", "proposed": "优秀",
         "committee_opinion": "同意评为优秀。", "grade": "优秀", "remarks": "", "notified_on": "2026-12-30",
         "score": score, "quarters": quarters}
    return {"office": "区委办公室", "r": r, "rank": rank, "numbered": False,
            "trend": charts.trend_chart([(q["name"], q["total"]) for q in quarters]),
            "bonuses": [{"kind": "信息采用", "points": 0.5, "note": "信息被市委办采用", "on": "2026-05-12"}],
            "targets": [{"title": "公文处理", "weight": 60, "completion": 100}, {"title": "会议服务", "weight": 40, "completion": 95}],
            "target_completion": 98, "accountability": []}


def parts_for(count: int, seed: int = 2026) -> list[tuple[str, dict]]:
    rng = random.Random(seed)
    candidates = [candidate(rng, i) for i in range(1, count + 1)]
    cover = {"office": "区委办公室", "year": 2026, "generated_on": "2026-12-31", "places": count, "appraised": count * 5,
             "eligible": count * 2, "confirmed": True, "confirmed_by": "王建国", "confirmed_at": "2026-12-30",
             "note": "办公室会议研究", "numbered": False,
             "tie": None,  # a confirmed list has no people level on the last place's score
             "candidates": [{"rank": c["rank"], "name": c["r"]["person"]["name"], "section": c["r"]["person"]["section"],
                             "score": c["r"]["score"], "grade": "优秀", "tied": False} for c in candidates]}
    return [("bundle_cover.html", cover)] + [("bundle_candidate.html", c) for c in candidates]


def report_card() -> dict:
    lines = [{"code": c, "name": n, "weight": w, "entered": w * 0.9, "value": w * 0.9}
             for c, n, w in (("de", "德", 15), ("neng", "能", 15), ("qin", "勤", 15), ("ji", "绩", 40), ("lian", "廉", 15))]
    return {"office": "区委办公室", "period_name": "2026 年第四季度考核", "period_start": "2026-10-01", "period_end": "2026-12-31",
            "person": {"name": "赵雪", "section": "秘书科", "post_rank": "二级主任科员", "category": "一般干部"},
            "lines": lines, "components": [{"label": "加分", "points": 0.5, "detail": "1 项，合计 0.5 分",
                                            "sources": [{"text": "信息采用：信息被市委办采用（2026-11-02）"}]}],
            "excluded": [["责任追究扣分", "本期无生效的责任追究记录"]], "total": 90.5, "grade": "好",
            "comment": "工作认真。", "self_summary": SUMMARY}


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20, help="renders of the personal report")
    args = parser.parse_args()
    os.environ["APPRAISAL_VAR_DIR"] = tempfile.mkdtemp(prefix="appraisal-bench-")

    from appraisal.reports import bundle, render
    from appraisal.reports.fonts import report_fonts

    start = time.perf_counter()
    report_fonts()
    render._weasy()
    print(f"fonts ready and WeasyPrint set up: {time.perf_counter() - start:.1f} s (once per process)")

    card = report_card()
    render.render_uncached("report_card.html", card)  # warm: the first document loads the fonts
    times = [timed(render.render_uncached, "report_card.html", card) for _ in range(args.repeat)]
    print(f"personal report card, warm process: median {statistics.median(times):.3f} s, "
          f"max {max(times):.3f} s over {args.repeat} renders (goal ≤ 0.33 s)")
    form = {"office": "区委办公室", "r": parts_for(1)[1][1]["r"]}
    times = [timed(render.render_uncached, "registration.html", form) for _ in range(args.repeat)]
    print(f"registration form (2 pages), warm process: median {statistics.median(times):.3f} s")

    parts = parts_for(args.candidates)
    done_at: list[float] = []

    async def progress(done: int, total: int) -> None:
        done_at.append(time.perf_counter())

    start = time.perf_counter()
    pdf = await bundle.build(parts, progress)
    cold = time.perf_counter() - start
    from pypdf import PdfReader
    import io

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"bundle of {args.candidates} candidates, cold (empty cache) on {bundle.workers()} worker processes: "
          f"{cold:.1f} s, {pages} pages, {len(pdf) / 1e6:.1f} MB (goal ≤ 60 s)")

    start = time.perf_counter()
    again = await bundle.build(parts_for(args.candidates))
    print(f"same bundle, nothing changed: {time.perf_counter() - start:.2f} s, identical: {again == pdf} (goal ≤ 3 s)")

    changed = parts_for(args.candidates)
    changed[min(5, args.candidates)][1]["r"]["committee_opinion"] = "考核委员会研究同意。"
    start = time.perf_counter()
    await bundle.build(changed)
    print(f"one candidate changed: {time.perf_counter() - start:.1f} s (one part rendered again, then joined)")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    asyncio.run(main())
