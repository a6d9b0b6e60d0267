"""Renderers: what a score, a replay, an export, the live drill screen and the charts look like."""
