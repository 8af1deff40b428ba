"""Apps and helpers for the voice-bot pull load test (bench/voicebot_load.py)."""
