"""Audio adapters: decoding and writing PCM, devices, microphone, playback, voice activity, text to speech."""
