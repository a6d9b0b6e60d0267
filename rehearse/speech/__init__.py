"""Speech adapters: the engines, Whisper models and transcription while the answer is spoken."""
