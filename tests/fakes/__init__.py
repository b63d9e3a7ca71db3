"""Test fakes for the parts that cannot run in a unit test: a scripted transcriber, small
vocabularies (note linking, the synth generator) and a tone-per-word TTS engine.

They live with the tests, never in the package: ``medasr`` imports none of them. Tests import
them as ``from fakes.asr import FakeTranscriber`` (pytest puts ``tests/`` on ``sys.path``).
"""
