"""Cached query results for pages; arguments are the cache key, so scope is always part of it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from store import queries
from store.permissions import Scope
from ui import data

TTL_SECONDS = 300


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def data_range(scope: Scope) -> queries.Period | None:
    with data.session() as db:
        return queries.data_range(db, scope=scope)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_quality_by_team(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return queries.weekly_quality_by_team(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def weekly_quality_by_criterion(scope: Scope, period: queries.Period) -> pd.DataFrame:
    with data.session() as db:
        return queries.weekly_quality_by_criterion(db, scope=scope, period=period)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def headline(scope: Scope, period: queries.Period) -> queries.Headline:
    with data.session() as db:
        return queries.headline(db, scope=scope, period=period)
