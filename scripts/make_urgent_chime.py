"""Write static/sounds/urgent-chime.wav: the short sound the queue plays for a new urgent comment.

Run from the project folder: `.venv/bin/python scripts/make_urgent_chime.py`. Two rising tones
(E5 then A5, 0.25 s each) with soft edges, 16-bit mono at 22,050 Hz: about 22 kB, clearly
audible over an open-plan office, not alarming. Only the standard library is used.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
TONES = ((659.25, 0.25), (880.0, 0.25))  # (Hz, seconds)
VOLUME = 0.45
FADE_SECONDS = 0.03
OUTPUT = Path(__file__).resolve().parent.parent / "static" / "sounds" / "urgent-chime.wav"


def samples() -> list[int]:
    """The chime as 16-bit integer samples."""
    out: list[int] = []
    for frequency, seconds in TONES:
        count = int(RATE * seconds)
        fade = int(RATE * FADE_SECONDS)
        for i in range(count):
            # Fade in and out so the tones start and stop without a click.
            envelope = min(1.0, i / fade, (count - i) / fade)
            value = VOLUME * envelope * math.sin(2 * math.pi * frequency * i / RATE)
            # A quieter octave above makes it sound like a bell rather than a beep.
            value += 0.25 * VOLUME * envelope * math.sin(4 * math.pi * frequency * i / RATE)
            out.append(int(max(-1.0, min(1.0, value)) * 32767))
    return out


def main() -> None:
    """Write the WAV file."""
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUTPUT), "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(RATE)
        data = samples()
        file.writeframes(struct.pack(f"<{len(data)}h", *data))
    print(f"Wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
