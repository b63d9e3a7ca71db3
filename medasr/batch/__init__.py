"""``medasr batch``: many recordings through the one ``Pipeline``, resumably.

list (``inputs``) -> decode on CPU -> transcription workers that load the model once ->
finishing (correction, speakers, note, rendering) -> the driver saves outputs and the ledger
(``runner``, ``ledger``, ``results``). Two engines run the same per-file work (``work``):
Ray Data (``ray_engine``; a local Ray by default, a cluster by address) and a process pool
(``local``).
"""
