"""Reference data that ships with the code, added by `appraisal migrate` after the schema.

Two lists: the working calendar's public holidays and make-up working days, from the
chinese-calendar package, and the default forms of accountability (domain.accountability). Each
migrate adds what the database does not have yet (the years a newer chinese-calendar package
knows, a form added to the defaults) and never overwrites an admin's edits. Nothing here is
audited: it is what the code brings, like the schema.
"""

from __future__ import annotations

import datetime as dt

from appraisal.db.tables import AccountabilityForm, CalendarDay, CalendarYear
from appraisal.db.transaction import atomic, insert_in_batches
from appraisal.domain.accountability import DEFAULT_FORMS

# calendar_day.kind: a public holiday, or an official make-up working day on a weekend.
HOLIDAY, WORKDAY = "holiday", "workday"

PACKAGE_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def package_calendar() -> tuple[set[int], dict[dt.date, str], dict[dt.date, str]]:
    """Years, holidays and make-up working days that the chinese-calendar package knows."""
    from chinese_calendar.constants import holidays, workdays

    def label(value: object) -> str:
        text = str(value)
        return PACKAGE_HOLIDAY_NAMES.get(text, text)[:50]

    years = {d.year for d in holidays} | {d.year for d in workdays}
    return years, {d: label(v) for d, v in holidays.items()}, {d: label(v) for d, v in workdays.items()}


async def seed_calendar() -> list[int]:
    """Add the years of the package that the database does not have yet; a year already there
    (seeded before, or edited by an admin) is left as it is. Returns the years added."""
    years, holidays, workdays = package_calendar()
    async with atomic():
        known = set(await CalendarYear.select(CalendarYear.year).output(as_list=True).run())
        new_years = sorted(years - known)
        if not new_years:
            return []
        await CalendarYear.insert(*[CalendarYear(year=y) for y in new_years]).run()
        rows = [CalendarDay(day=d, kind=HOLIDAY, name=n) for d, n in holidays.items() if d.year in new_years]
        rows += [CalendarDay(day=d, kind=WORKDAY, name=n) for d, n in workdays.items() if d.year in new_years]
        existing = set(await CalendarDay.select(CalendarDay.day).where(
            CalendarDay.day >= dt.date(new_years[0], 1, 1), CalendarDay.day <= dt.date(new_years[-1], 12, 31)
        ).output(as_list=True).run())
        rows = [r for r in rows if r.day not in existing]
        await insert_in_batches(CalendarDay, rows)
    return new_years


async def seed_forms() -> None:
    """Add the default forms the office does not have yet (its edits are kept)."""
    async with atomic():
        known = set(await AccountabilityForm.select(AccountabilityForm.code).output(as_list=True).run())
        missing = [f for f in DEFAULT_FORMS if f.code not in known]
        if missing:
            await AccountabilityForm.insert(*[
                AccountabilityForm(code=f.code, name=f.name, deduction=f.deduction, disqualifies=f.disqualifies,
                                   blocks_excellent=f.blocks_excellent, sort_order=i)
                for i, f in enumerate(DEFAULT_FORMS) if f in missing
            ]).run()


async def seed_reference_data() -> None:
    await seed_calendar()
    await seed_forms()
