"""The application as `appraisal serve` runs it."""

import gc

from litestar.testing import AsyncTestClient


async def test_the_served_application_freezes_what_it_made_at_start_up(db, settings):
    from appraisal.app import create_server_app

    gc.unfreeze()
    try:
        async with AsyncTestClient(app=create_server_app()) as client:
            # The modules, routes and templates are out of the collector's view, so a full
            # collection under load no longer walks them...
            assert gc.get_freeze_count() > 50_000
            # ...and the application answers as before.
            assert (await client.get("/healthz")).status_code == 200
            login = await client.post("/api/v1/auth/login", json={"username": "nobody", "password": "x" * 12})
            assert login.status_code == 401 and login.json()["message"]
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual
