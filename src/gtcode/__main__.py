"""``python -m gtcode`` runs the command line."""

from gtcode.cli import main

if __name__ == "__main__":
    main()
