"""The command-line face: `tradewind …` (Typer + Rich, `--json` everywhere)."""
