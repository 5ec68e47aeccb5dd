"""Who is at the screen, before any team data is read (app.py calls `admit` first).

- **Login configured** (`[auth]` in `.streamlit/secrets.toml`, any OpenID Connect provider): the
  visitor logs in with Streamlit's own `st.login()`; their address's role comes from the access list
  (phasekpi.access). A stranger sees no data, only who they are logged in as and a way out.
- **No login, this machine only** (`server.address` 127.0.0.1, as `make run` serves): the one user
  at this machine is the owner.
- **No login but reachable from the network**: no team data at all, only how to configure login —
  unless `PHASEKPI_TRUSTED_NETWORK=1` says the network is trusted, which shows a permanent banner.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import streamlit as st

from phasekpi.access import Role
from ui import session
from ui.widgets import plain

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TRUSTED_NETWORK = "PHASEKPI_TRUSTED_NETWORK"
Mode = Literal["local", "login", "trusted"]


@dataclass(frozen=True)
class Visitor:
    email: str | None
    role: Role
    mode: Mode


def login_configured() -> bool:
    """Whether the secrets hold an `[auth]` section (reading secrets without a file raises)."""
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def reachable_beyond_this_machine() -> bool:
    """An empty address is Streamlit's default: every network interface."""
    return str(st.get_option("server.address") or "") not in LOOPBACK


def admit() -> Visitor:
    """The visitor with their role; or the login prompt, the stranger's page or the set-up page, and
    the run stops there."""
    tr = session.tr
    if login_configured():
        if not st.user.is_logged_in:
            st.title(tr("gate.login_title"))
            st.write(tr("gate.login_intro"))
            st.button(tr("gate.login_button"), type="primary", on_click=st.login, icon=":material/login:")
            st.stop()
        email = str(st.user.get("email") or "").strip().lower()  # recorded as one spelling
        # an address the provider says it has not verified could be anyone's: it opens nothing
        role = None if st.user.get("email_verified") is False else session.access().role_of(email)
        if role is None:
            st.title(tr("gate.stranger_title"))
            st.write(tr("gate.stranger_intro", email=plain(email) or "—"))  # the provider's text, never markup
            st.button(tr("gate.logout"), on_click=st.logout, icon=":material/logout:")
            st.stop()
        return Visitor(email, role, "login")
    if reachable_beyond_this_machine():
        if os.environ.get(TRUSTED_NETWORK) == "1":
            return Visitor(None, "owner", "trusted")
        st.title(tr("gate.setup_title"))
        st.markdown(tr("gate.setup_intro", address=str(st.get_option("server.address") or "0.0.0.0")))
        st.stop()
    return Visitor(None, "owner", "local")


def visitor_caption(visitor: Visitor) -> None:
    """In the sidebar: who is logged in, with which role, and the way out; the trusted-network banner."""
    tr = session.tr
    if visitor.mode == "login":
        st.caption(tr("gate.signed_in", email=plain(visitor.email or ""), role=tr(f"gate.role.{visitor.role}")))
        st.button(tr("gate.logout"), on_click=st.logout, icon=":material/logout:", key="gate_logout")


def trusted_network_banner(visitor: Visitor) -> None:
    """On every page while the server is open to the network without login (the documented opt-out)."""
    if visitor.mode == "trusted":
        st.warning(session.tr("gate.trusted_banner"), icon=":material/public:")
