"""The aiortc seam: its start-up check of private names, and its ordering guard."""

from __future__ import annotations

import asyncio
import importlib
import re

import aioice.ice
import pytest
from aiortc import RTCPeerConnection, RTCRtpReceiver, rtcrtpreceiver

import media.forwarding
from media.forwarding import MissingAiortcInternal, Source, SourceOrderError, check_internals


def test_installed_aiortc_has_every_private_name_the_seam_uses() -> None:
    check_internals()


@pytest.mark.parametrize(
    ("owner", "name", "named"),
    [
        (RTCRtpReceiver, "_send_rtcp_pli", "aiortc.rtcrtpreceiver.RTCRtpReceiver._send_rtcp_pli"),
        (rtcrtpreceiver, "get_decoder", "aiortc.rtcrtpreceiver.get_decoder"),
        (aioice.ice, "get_host_addresses", "aioice.ice.get_host_addresses"),
    ],
)
def test_a_missing_name_fails_naming_module_and_attribute(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, named: str
) -> None:
    monkeypatch.delattr(owner, name)
    with pytest.raises(MissingAiortcInternal, match=re.escape(named) + "[ ,]"):
        check_internals()


def test_an_instance_attribute_no_longer_set_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """A renamed private attribute of each receiver: assigning the old name would add an
    attribute nobody reads, so the check looks at what ``__init__`` sets."""

    def init_without_jitter_buffer(self: RTCRtpReceiver, kind: str, transport: object) -> None:
        self._RTCRtpReceiver__renamed_buffer = None  # type: ignore[attr-defined]
        self._RTCRtpReceiver__decoder_thread = None  # type: ignore[attr-defined]
        self._RTCRtpReceiver__remote_bitrate_estimator = None  # type: ignore[attr-defined]

    monkeypatch.setattr(RTCRtpReceiver, "__init__", init_without_jitter_buffer)
    with pytest.raises(MissingAiortcInternal) as caught:
        check_internals()
    assert "RTCRtpReceiver._RTCRtpReceiver__jitter_buffer (in __init__)" in str(caught.value)
    assert "__decoder_thread" not in str(caught.value)


def test_the_check_runs_when_the_seam_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(RTCRtpReceiver, "_handle_rtp_packet")
    with pytest.raises(MissingAiortcInternal, match=r"RTCRtpReceiver\._handle_rtp_packet"):
        importlib.reload(media.forwarding)
    monkeypatch.undo()
    importlib.reload(media.forwarding)


def test_a_source_before_the_remote_description_is_refused() -> None:
    async def main() -> None:
        pc = RTCPeerConnection()
        transceiver = pc.addTransceiver("video", direction="recvonly")
        with pytest.raises(SourceOrderError, match="set the offer first"):
            Source(transceiver, label="early")
        await pc.close()

    asyncio.run(main())
