"""Rapport's frame: page config, sign-in, navigation by role, sidebar."""

import streamlit as st

from ui import auth, data
from ui.registry import pages_for

st.set_page_config(page_title="Rapport", page_icon=":material/support_agent:", layout="wide")

user = auth.current_user()
if user is None:
    st.navigation([st.Page(auth.render_sign_in, title="Sign in", url_path="sign-in", default=True)],
                  position="hidden").run()
    # Load the charting and query code while the visitor types: the first page after a server start would
    # otherwise wait for it (Altair alone takes about half a second).
    from ui import charts, loaders  # noqa: F401
    data.settle_heap()
    st.stop()

if data.demo_mode():
    st.sidebar.warning("Demo data. The accounts admin, trainer, newhire and exec exist only in this demo.",
                       icon=":material/science:")
st.sidebar.markdown(f"**{user.display_name}** · {user.role}")
if st.sidebar.button("Sign out", icon=":material/logout:"):
    auth.sign_out()
    st.rerun()

data.settle_heap()  # done already unless this process served no sign-in page
sections: dict[str, list] = {}
for spec in pages_for(user.role):
    sections.setdefault(spec.section, []).append(st.Page(spec.path, title=spec.title, icon=spec.icon,
                                                         visibility="visible" if spec.in_menu else "hidden"))
# Expanded: an admin has more pages than the sidebar shows before folding them under "View more".
st.navigation(sections, expanded=True).run()
