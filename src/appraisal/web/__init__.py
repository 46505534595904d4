"""Server-rendered pages (Jinja2 + htmx), as thin as the API controllers."""

from appraisal.web import admin, auth, calendar, commitments, home, inbox, matters, org

ROUTES = [
    auth.login_page,
    auth.login_submit,
    auth.logout,
    auth.password_page,
    auth.password_submit,
    home.home,
    org.people_list,
    org.sections_page,
    org.sections_submit,
    org.person_new,
    org.person_create,
    org.person_edit,
    org.person_update,
    admin.roster_page,
    admin.roster_submit,
    admin.audit_page,
    calendar.calendar_page,
    calendar.calendar_submit,
    commitments.commitments_page,
    matters.matter_list,
    matters.matter_new,
    matters.matter_create,
    matters.matter_detail,
    matters.matter_step,
    inbox.inbox_page,
    inbox.inbox_read,
    inbox.inbox_badge,
]
