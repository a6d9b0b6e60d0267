"""The pre-rendered interviewer prompts, installed as the package data ``rehearse.audio_prompts``.

Written by ``scripts/render_prompts.py``; read through :mod:`rehearse.audio.prompt_audio`.
"""
