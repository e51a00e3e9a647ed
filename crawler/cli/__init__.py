"""The `cleanwire` command line: main.py parses it; each sub-command module has add_arguments(parser) and run(args)."""
