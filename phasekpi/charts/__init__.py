"""Altair charts over aggregated frames only (a chart gets a few hundred rows at most, never raw data).

One module per family of charts; `style` holds the colours and font they share.
"""
