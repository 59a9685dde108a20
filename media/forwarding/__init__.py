"""Forward encoded media through aiortc without decoding or re-encoding.

This package is the ONLY place that reaches into aiortc (and aioice) internals: every
private name is used in ``internals.py`` (or by the jitter-buffer subclass) and checked
there when this package is imported, so a mismatched aiortc stops the process at
start-up with the missing name instead of forwarding nothing. Callers use what is
exported here; Sources and subscriber tracks come only from ``answer_offer`` /
``accept_answer``, which create them at the right moment of the negotiation.

Data path::

    RTCRtpReceiver -> jitter buffer (video: released on the marker packet)
        -> decoder thread -> [our pass-through "decoder"]
        -> RemoteStreamTrack queue -> Source.pump -> ForwardTrack (one per subscriber)
        -> RTCRtpSender._next_encoded_frame gets an av.Packet -> encoder.pack() -> RTP

Stock aiortc decodes every frame and re-encodes it per subscriber (~5% of a core each);
forwarding the depayloaded frame costs a small fraction of that.
"""

from media.forwarding.forward_track import ForwardTrack
from media.forwarding.frames import EncodedFrame, is_keyframe
from media.forwarding.internals import (
    MissingAiortcInternal,
    check_internals,
    route_keyframe_requests,
    rtp_packet,
)
from media.forwarding.jitter import (
    MarkerJitterBuffer,
    count_frames_without_decoding,
)
from media.forwarding.keyframes import KeyframeRequester
from media.forwarding.negotiation import (
    Answer,
    OfferRejected,
    SectionPlan,
    accept_answer,
    answer_offer,
)
from media.forwarding.patches import install, restrict_host_addresses_to_loopback
from media.forwarding.sdp import (
    InvalidOffer,
    OfferSection,
    offer_sections,
    parse_candidate,
)
from media.forwarding.source import Source, SourceOrderError

__all__ = [
    "Answer",
    "EncodedFrame",
    "ForwardTrack",
    "InvalidOffer",
    "KeyframeRequester",
    "MarkerJitterBuffer",
    "MissingAiortcInternal",
    "OfferRejected",
    "OfferSection",
    "SectionPlan",
    "Source",
    "SourceOrderError",
    "accept_answer",
    "answer_offer",
    "check_internals",
    "count_frames_without_decoding",
    "install",
    "is_keyframe",
    "offer_sections",
    "parse_candidate",
    "restrict_host_addresses_to_loopback",
    "route_keyframe_requests",
    "rtp_packet",
]

# Checked at import, not when a node starts: every user of the internals (the node, the
# test relays, the bench bots) imports this package first, so none can run unchecked.
check_internals()
