"""Instruments: versioned questionnaire definitions, skip logic and the codebook."""
