"""One module per command: ``add_arguments(parser)`` declares flags, ``run(args)`` does the work.

Modules import only argparse-level things at the top; anything heavy is imported inside ``run``.
"""
