"""What the screens share: the session's state (`session`), cards and filters (`widgets`), the
mapping and vocabulary editors, pending uploads, the load report and the history sections. Only
`ui.session` touches `st.session_state` keys of its own; the screens live in `views/`."""
