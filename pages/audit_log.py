"""Audit log: who did what and when, filterable; read-only, the app has no way to change an entry."""

import json
from datetime import timedelta

import streamlit as st

from store.audit import AuditFilters, audit_choices, audit_entries
from store.models import utcnow
from ui import data
from ui.auth import require_page

user = require_page("audit_log")

LIMIT = 1000
st.title("Audit log")
st.caption("Sign-ins and failures, score overrides, rubric versions, imports, exports and account changes. "
           "Entries are never edited or deleted.")

with data.session() as db:
    usernames, actions = audit_choices(db, role=user.role)

today = utcnow().date()
top = st.columns([1, 1, 1.4, 1.4])
who = top[0].selectbox("User", usernames, index=None, placeholder="Anyone", key="audit_log_user")
action = top[1].selectbox("Action", actions, index=None, placeholder="Any action", key="audit_log_action")
days = top[2].date_input("Dates (UTC)", value=(today - timedelta(days=30), today), key="audit_log_dates")
target = top[3].text_input("Target contains", placeholder="e.g. interaction:42 or user:sam", key="audit_log_target")
start, end = (days[0], days[1]) if isinstance(days, tuple) and len(days) == 2 else (days[0] if days else None, None)

with data.session() as db:
    entries = audit_entries(db, role=user.role, limit=LIMIT, filters=AuditFilters(
        username=who, action=action, start=start, end=end, target_text=target))

if entries.empty:
    st.info("No entries match these filters.")
    st.stop()
st.caption(f"{len(entries)} entries, newest first" + (f" (the newest {LIMIT})" if len(entries) == LIMIT else ""))
entries["detail"] = [json.dumps(d, ensure_ascii=False, sort_keys=True) if d else "" for d in entries["detail"]]
st.dataframe(entries, hide_index=True, width="stretch",
             column_config={"at": st.column_config.DatetimeColumn("At (UTC)", format="D MMM YYYY, HH:mm:ss"),
                            "username": "User", "action": "Action", "target": "Target",
                            "detail": st.column_config.TextColumn("Detail", width="large")})
