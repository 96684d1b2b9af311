"""The server freezes what it has loaded out of the garbage collector's way, once per process."""

from __future__ import annotations

import gc

import streamlit as st

from ui import data


def test_settle_heap_freezes_the_loaded_objects_once():
    st.cache_resource.clear()
    gc.unfreeze()
    try:
        data.settle_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # modules, classes and functions of everything imported
        data.settle_heap()  # a cached resource: nothing new is frozen on later runs
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        st.cache_resource.clear()
