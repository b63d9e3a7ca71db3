"""The ``medasr`` command. Subcommands live in sibling modules and are imported lazily,
so ``medasr --help`` is fast and one broken extra does not break the others."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys

import click

from medasr import __version__
from medasr.errors import MedasrError

# command name -> "module:attribute" (a click command or group)
COMMANDS: dict[str, str] = {
    "transcribe": "medasr.cli.transcribe:transcribe",
    "batch": "medasr.cli.batch:batch",
    "models": "medasr.cli.models:models",
    "vocab": "medasr.cli.vocab:vocab",
    "bench": "medasr.cli.bench:bench",
    "synth": "medasr.cli.synth:synth",
    "note": "medasr.cli.note:note",
    "train": "medasr.cli.train:train",
    "serve": "medasr.cli.serve:serve",
    "ui": "medasr.cli.ui:ui",
}


def _available(name: str) -> bool:
    module = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module) is not None


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n in COMMANDS if _available(n))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS or not _available(name):
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medasr")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-v INFO, -vv DEBUG). Transcript text is logged at DEBUG only.")
def cli(verbose: int) -> None:
    """medasr: clinical speech to an accurate transcript and a grounded note."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def fail(message: str, code: int = 1) -> None:
    """Print one clean error line and exit."""
    click.echo(f"medasr: error: {message}", err=True)
    sys.exit(code)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("medasr: aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except MedasrError as e:
        fail(str(e), e.exit_code)
    except KeyboardInterrupt:
        click.echo("medasr: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
