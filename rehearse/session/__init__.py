"""The orchestration of a round (practice, drill, demo) over its ports."""
