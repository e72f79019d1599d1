import sys

from .cli import main

# File names that are not UTF-8 (bytes kept as surrogates) are printed escaped, never a crash
sys.stdout.reconfigure(errors="backslashreplace")
sys.stderr.reconfigure(errors="backslashreplace")
sys.exit(main())
