#!/usr/bin/env python3
"""Draws the PWA's icons (a washer door on the theme colour) as PNG files.

No image library is needed: the pixels are computed here and written with zlib.
Run it from the repository root after changing the design; the PNGs are committed.
"""
import math
import struct
import zlib

THEME = (15, 92, 140)
WHITE = (255, 255, 255)
GLASS = (164, 206, 232)
OUT = "Sources/UsageApp/Resources/Public/icons"


def png(path, size, pixel):
    rows = bytearray()
    for y in range(size):
        rows.append(0)
        for x in range(size):
            rows.extend(pixel(x + 0.5, y + 0.5))
    chunks = [
        (b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)),
        (b"IDAT", zlib.compress(bytes(rows), 9)),
        (b"IEND", b""),
    ]
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        for kind, data in chunks:
            f.write(struct.pack(">I", len(data)) + kind + data)
            f.write(struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def icon(size, maskable):
    # A maskable icon fills the square; its drawing keeps inside the central 80 % circle.
    scale = 0.72 if maskable else 1.0
    corner = 0 if maskable else size * 0.18
    c = size / 2

    def inside_rounded_square(x, y):
        dx = max(corner - x, 0, x - (size - corner))
        dy = max(corner - y, 0, y - (size - corner))
        return dx * dx + dy * dy <= corner * corner

    def pixel(x, y):
        if not inside_rounded_square(x, y):
            return (0, 0, 0, 0)
        r = math.hypot(x - c, y - c) / (size * scale)
        if r < 0.26:
            return GLASS + (255,)
        if r < 0.34:
            return WHITE + (255,)
        # Two buttons on the panel above the door.
        for bx in (-0.28, -0.16):
            if math.hypot(x - c - bx * size * scale, y - c + 0.39 * size * scale) < 0.035 * size * scale:
                return WHITE + (255,)
        return THEME + (255,)

    return pixel


if __name__ == "__main__":
    png(f"{OUT}/icon-192.png", 192, icon(192, maskable=False))
    png(f"{OUT}/icon-512.png", 512, icon(512, maskable=False))
    png(f"{OUT}/icon-maskable-512.png", 512, icon(512, maskable=True))
