"""Device kinds: the vocabulary shared by topics, the registry and the readings tables."""

from typing import Literal, get_args

ReadingKind = Literal["crane", "tag", "env"]
DeviceKind = Literal["crane", "tag", "env", "gateway"]

READING_KINDS: tuple[ReadingKind, ...] = get_args(ReadingKind)
DEVICE_KINDS: tuple[DeviceKind, ...] = get_args(DeviceKind)
