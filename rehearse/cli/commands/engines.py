"""`rehearse engines`: which speech engines exist and whether each can run here."""

from __future__ import annotations

from rehearse.cli.commands._common import add_json_flag, emit_json

HELP = "List the speech engines and whether each is available."


def add_arguments(parser) -> None:
    add_json_flag(parser)


def run(args) -> int:
    from rehearse.speech import engines

    rows = []
    for name, info in engines.REGISTRY.items():
        if info.hidden:
            continue
        reason = engines.availability(name)
        rows.append({"name": name, "available": reason is None, "default": name == engines.default_name(),
                     "description": info.description, "reason": reason})
    whisper_models = _whisper_models() if "whisper" in engines.REGISTRY else []
    for row in rows:
        if row["name"] == "whisper":
            row["models"] = whisper_models
    if args.json:
        for row in rows:
            emit_json(row)
        return 0
    for row in rows:
        default = " (default)" if row["default"] else ""
        if not row["available"]:
            # how to install it belongs to an engine that is missing, and only to it
            print(f"{row['name']}{default}: not available. {row['description']}")
            print(f"    {row['reason'] or 'it cannot run here.'}")
            continue
        print(f"{row['name']}{default}: available. {row['description']}")
        for model in row.get("models", []):
            if model["available"]:
                used = " (used by default)" if model["default"] else ""
                print(f"    model {model['name']}{used}: {model['source']} ({model['path']})")
    if any(row["available"] and row.get("models") for row in rows):
        print("More models: `rehearse models`. Pin an engine with REHEARSE_ENGINE=NAME or --engine NAME.")
    return 0


def _whisper_models() -> list[dict]:
    from rehearse.speech import whisper_models as models
    from rehearse.cli.commands.models import _info_json, chosen_path
    from rehearse.core.errors import RehearseError

    try:
        chosen = chosen_path()
        return [_info_json(info, chosen) for info in models.available_models()]
    except RehearseError:
        return []
