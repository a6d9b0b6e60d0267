"""Pure coaching logic: text normalisation, the checks, scoring, metrics, timing, trends, the bank, the debrief."""
