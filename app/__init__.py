"""The application layer: the use cases the command line, the service and the workspace share.

One module per use case or shared piece: `runner` (the run: poll, parse, place, publish),
`caches` (the parse and placement caches), `workers` (parsing in other processes), `publish`
(writing the outputs), `digest`, `service` (the `serve` loop), `check`, `backup`, `decisions`
(the office's decisions and their undo), `lock` (one writer per data dir) and `clock`.
Nothing here prints or exits: the front doors (`run.py`, the workspace) do.
"""
