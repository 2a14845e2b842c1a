"""The label set and RCRP routes: the vocabulary every part of rightcall shares."""

from typing import Final

LABELS: Final[tuple[str, ...]] = ("mental_health", "crime", "threat_to_life")

LABEL_TITLES: Final[dict[str, str]] = {
    "mental_health": "mental health",
    "crime": "crime",
    "threat_to_life": "threat to life",
}

ROUTES: Final[tuple[str, ...]] = ("police", "police-and-health", "health-led", "no-signal")
