"""Demo availability and appointments: weekday hours for every clinician, and upcoming and past
sessions for their clients, so the schedule, the client pages and the reminders have content."""

from __future__ import annotations

from datetime import time, timedelta

from mindbridge.access.domain import Role
from mindbridge.audit.service import AuditContext
from mindbridge.care import service as care_service
from mindbridge.demo.seed import DemoContext, seeder
from mindbridge.scheduling import service as scheduling_service
from mindbridge.scheduling.domain import WeeklyWindow, slots
from mindbridge.scheduling.models import Appointment


@seeder("scheduling")
def seed_schedule(demo: DemoContext) -> None:
    ctx = AuditContext(actor=None, request_id="demo-seed")
    for clinician in demo.clinicians:
        assert clinician.role == Role.CLINICIAN.value
        windows = [WeeklyWindow(day, time(9, 0), time(17, 0), 50) for day in range(5)]
        scheduling_service.set_availability(demo.db, ctx, clinician=clinician, windows=windows)
        free = list(slots(windows, clinician.timezone, (demo.now - timedelta(days=84)).date(), 112))
        clients = care_service.caseload(demo.db, clinician_id=clinician.id)
        used: set[int] = set()
        # Fortnightly sessions: past ones (attended) and the next one ahead, spread over the week.
        for i, client in enumerate(clients):
            for week in range(0, 16, 2):
                index = (week * 5 + i) * 9 + (i % 8)
                while index in used:
                    index += 1
                if index >= len(free):
                    break
                used.add(index)
                slot = free[index]
                demo.db.add(
                    Appointment(
                        client_id=client.id,
                        clinician_id=clinician.id,
                        starts_at=slot.starts_at,
                        ends_at=slot.ends_at,
                        status="booked",
                        slot_key=f"{clinician.id}:{slot.starts_at.isoformat()}",
                        created_at=slot.starts_at - timedelta(days=10),
                        created_by=clinician.id,
                    )
                )
    demo.db.flush()
